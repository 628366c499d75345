// Package auth holds a task's credentials. It is a leaf: the kernel and the
// filesystems both use it.
package auth

import (
	"strconv"
	"strings"
)

// Credentials are immutable once shared: a change makes a new copy.
type Credentials struct {
	RealUID, EffectiveUID, SavedUID, FilesystemUID uint32
	RealGID, EffectiveGID, SavedGID, FilesystemGID uint32
	Groups                                         []uint32
	// Capability sets, one bit per CAP_* (capabilities(7)).
	Permitted, Effective, Inheritable, Bounding, Ambient uint64
}

// AllCaps is every capability Linux 6.x defines (0 to 40).
const AllCaps = 1<<41 - 1

// New returns credentials for uid and gid; root gets every capability.
func New(uid, gid uint32, groups []uint32) *Credentials {
	c := &Credentials{
		RealUID: uid, EffectiveUID: uid, SavedUID: uid, FilesystemUID: uid,
		RealGID: gid, EffectiveGID: gid, SavedGID: gid, FilesystemGID: gid,
		Groups:   append([]uint32(nil), groups...),
		Bounding: AllCaps,
	}
	if uid == 0 {
		c.Permitted, c.Effective = AllCaps, AllCaps
	}
	return c
}

// Copy returns a copy to modify.
func (c *Credentials) Copy() *Credentials {
	n := *c
	n.Groups = append([]uint32(nil), c.Groups...)
	return &n
}

// HasCap reports whether cap is effective.
func (c *Credentials) HasCap(cap int) bool {
	return c.Effective&(1<<uint(cap)) != 0
}

// InGroup reports whether gid is the effective group or a supplementary one.
func (c *Credentials) InGroup(gid uint32) bool {
	if gid == c.EffectiveGID {
		return true
	}
	for _, g := range c.Groups {
		if g == gid {
			return true
		}
	}
	return false
}

// InGroupFS reports whether gid is the filesystem group or a supplementary
// one (file permission checks).
func (c *Credentials) InGroupFS(gid uint32) bool {
	if gid == c.FilesystemGID {
		return true
	}
	for _, g := range c.Groups {
		if g == gid {
			return true
		}
	}
	return false
}

// ForExec returns the credentials after execve of a file without file
// capabilities or set-ID bits (capabilities(7), "Transformation of
// capabilities during execve()"): root (by real or effective UID) gets its
// bounding and inheritable sets as permitted, and its permitted set as
// effective when the effective UID is 0; others keep only their ambient
// set. keepRoot is false when SECBIT_NOROOT turns the root rule off.
func (c *Credentials) ForExec(keepRoot bool) *Credentials {
	n := c.Copy()
	var permitted uint64
	effective := false
	if keepRoot && (c.EffectiveUID == 0 || c.RealUID == 0) {
		permitted = c.Bounding | c.Inheritable
		effective = c.EffectiveUID == 0
	}
	n.Permitted = permitted | n.Ambient
	if effective {
		n.Effective = n.Permitted
	} else {
		n.Effective = n.Ambient
	}
	n.SavedUID, n.SavedGID = n.EffectiveUID, n.EffectiveGID
	n.FilesystemUID, n.FilesystemGID = n.EffectiveUID, n.EffectiveGID
	return n
}

// FromHost returns the credentials of the calling host process: its IDs,
// groups and capability sets as /proc/self/status reports them, so that a
// sandbox starts with what its caller had, no more.
func FromHost(uid, euid, gid, egid uint32, groups []uint32, status string) *Credentials {
	c := New(uid, gid, groups)
	c.EffectiveUID, c.SavedUID, c.FilesystemUID = euid, euid, euid
	c.EffectiveGID, c.SavedGID, c.FilesystemGID = egid, egid, egid
	for _, line := range strings.Split(status, "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		n, err := strconv.ParseUint(strings.TrimSpace(v), 16, 64)
		if err != nil {
			continue
		}
		switch k {
		case "CapInh":
			c.Inheritable = n
		case "CapPrm":
			c.Permitted = n
		case "CapEff":
			c.Effective = n
		case "CapBnd":
			c.Bounding = n
		case "CapAmb":
			c.Ambient = n
		}
	}
	return c
}
