// Package auth holds a task's credentials. It is a leaf: the kernel and the
// filesystems both use it.
package auth

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
