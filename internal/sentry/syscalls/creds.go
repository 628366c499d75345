package syscalls

import (
	"slices"

	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/auth"
	"github.com/moat-sandbox/moat/internal/sentry/kernel"
)

// Credentials: user and group IDs, supplementary groups and capability
// sets, with the permission rules of credentials(7) and capabilities(7).
// They govern the Sentry's own checks (file permissions, kill, ...); the
// host processes behind the application keep theirs.

func init() {
	register(map[uintptr]Syscall{
		unix.SYS_SETUID:    {Handler: Setuid, Args: []Arg{AInt}},
		unix.SYS_SETGID:    {Handler: Setgid, Args: []Arg{AInt}},
		unix.SYS_SETREUID:  {Handler: Setreuid, Args: []Arg{AInt, AInt}},
		unix.SYS_SETREGID:  {Handler: Setregid, Args: []Arg{AInt, AInt}},
		unix.SYS_SETRESUID: {Handler: Setresuid, Args: []Arg{AInt, AInt, AInt}},
		unix.SYS_SETRESGID: {Handler: Setresgid, Args: []Arg{AInt, AInt, AInt}},
		unix.SYS_GETRESUID: {Handler: Getresuid, Args: []Arg{APtr, APtr, APtr}},
		unix.SYS_GETRESGID: {Handler: Getresgid, Args: []Arg{APtr, APtr, APtr}},
		unix.SYS_SETFSUID:  {Handler: Setfsuid, Args: []Arg{AInt}},
		unix.SYS_SETFSGID:  {Handler: Setfsgid, Args: []Arg{AInt}},
		unix.SYS_GETGROUPS: {Handler: Getgroups, Args: []Arg{AInt, APtr}},
		unix.SYS_SETGROUPS: {Handler: Setgroups, Args: []Arg{AInt, APtr}},
		unix.SYS_CAPGET:    {Handler: Capget, Args: []Arg{APtr, APtr}},
		unix.SYS_CAPSET:    {Handler: Capset, Args: []Arg{APtr, APtr}},
	})
}

// Capabilities these calls check (capabilities(7)).
const (
	capSetgid         = 6
	capSetuid         = 7
	capSetpcap        = 8
	capLinuxImmutable = 9
	capSysNice        = 23
	capSysResource    = 24
	capMacOverride    = 32
)

// capFSMask are the capabilities a change of the filesystem user ID to or
// from 0 takes from or gives back to the effective set.
const capFSMask = 1<<0 | 1<<1 | 1<<2 | 1<<3 | 1<<4 | // CAP_CHOWN ... CAP_FSETID
	1<<capLinuxImmutable | 1<<27 /* CAP_MKNOD */ | 1<<capMacOverride

// Securebits (capabilities(7), <linux/securebits.h>). Each flag's lock is
// the bit above it.
const (
	secbitNoroot            = 1 << 0
	secbitNoSetuidFixup     = 1 << 2
	secbitKeepCaps          = kernel.SecbitKeepCaps
	secbitNoCapAmbientRaise = 1 << 6
	secbitKeepCapsLocked    = secbitKeepCaps << 1
	// The flags and their locks as the host kernel (6.14 and later)
	// knows them, SECBIT_EXEC_RESTRICT_FILE and
	// SECBIT_EXEC_DENY_INTERACTIVE included.
	secureAllBits  = 0x555
	secureAllLocks = secureAllBits << 1
)

// ngroupsMax is NGROUPS_MAX.
const ngroupsMax = 65536

// changeCreds applies f to copies of the caller's credentials and
// attributes and commits them as Linux's commit_creds does: a change of
// the effective or filesystem IDs, or a permitted set that grows, makes
// the process dumpable only as fs.suid_dumpable says and clears its
// parent-death signal.
func changeCreds(t *kernel.Task, f func(old, c *auth.Credentials, a *kernel.TaskAttrs) error) error {
	var lost bool
	err := t.UpdateCreds(t, func(c *auth.Credentials, a *kernel.TaskAttrs) error {
		old := t.Creds()
		if err := f(old, c, a); err != nil {
			return err
		}
		lost = c.EffectiveUID != old.EffectiveUID || c.EffectiveGID != old.EffectiveGID ||
			c.FilesystemUID != old.FilesystemUID || c.FilesystemGID != old.FilesystemGID ||
			c.Permitted&^old.Permitted != 0
		return nil
	})
	if err == nil && lost {
		t.ThreadGroup().SetDeathSignal(0)
		setGroupDumpable(t, kernel.SuidDumpable())
	}
	return err
}

// setGroupDumpable sets the dumpability of every thread of the caller's
// process (it belongs to the address space in Linux).
func setGroupDumpable(t *kernel.Task, v int32) {
	for _, u := range t.ThreadGroup().Tasks() {
		t.UpdateAttrs(u, func(a *kernel.TaskAttrs) error {
			a.Dumpable = v
			return nil
		})
	}
}

// fixSetuid adjusts the capability sets after a change of the real,
// effective or saved user ID ("Effect of user ID changes on
// capabilities", capabilities(7)).
func fixSetuid(old, c *auth.Credentials, secbits uint32) {
	if secbits&secbitNoSetuidFixup != 0 {
		return
	}
	wasRoot := old.RealUID == 0 || old.EffectiveUID == 0 || old.SavedUID == 0
	isRoot := c.RealUID == 0 || c.EffectiveUID == 0 || c.SavedUID == 0
	if wasRoot && !isRoot {
		if secbits&secbitKeepCaps == 0 {
			c.Permitted, c.Effective = 0, 0
		}
		c.Ambient = 0
	}
	if old.EffectiveUID == 0 && c.EffectiveUID != 0 {
		c.Effective = 0
	}
	if old.EffectiveUID != 0 && c.EffectiveUID == 0 {
		c.Effective = c.Permitted
	}
}

// Setuid implements setuid(2).
func Setuid(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	uid := uint32(a[0])
	if uid == noID {
		return 0, unix.EINVAL
	}
	return 0, changeCreds(t, func(old, c *auth.Credentials, at *kernel.TaskAttrs) error {
		switch {
		case old.HasCap(capSetuid):
			c.RealUID, c.SavedUID = uid, uid
		case uid != old.RealUID && uid != old.SavedUID:
			return unix.EPERM
		}
		c.EffectiveUID, c.FilesystemUID = uid, uid
		fixSetuid(old, c, at.Securebits)
		return nil
	})
}

// Setgid implements setgid(2).
func Setgid(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	gid := uint32(a[0])
	if gid == noID {
		return 0, unix.EINVAL
	}
	return 0, changeCreds(t, func(old, c *auth.Credentials, _ *kernel.TaskAttrs) error {
		switch {
		case old.HasCap(capSetgid):
			c.RealGID, c.SavedGID = gid, gid
		case gid != old.RealGID && gid != old.SavedGID:
			return unix.EPERM
		}
		c.EffectiveGID, c.FilesystemGID = gid, gid
		return nil
	})
}

// Setreuid implements setreuid(2).
func Setreuid(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	ruid, euid := uint32(a[0]), uint32(a[1])
	return 0, changeCreds(t, func(old, c *auth.Credentials, at *kernel.TaskAttrs) error {
		capable := old.HasCap(capSetuid)
		if ruid != noID {
			if ruid != old.RealUID && ruid != old.EffectiveUID && !capable {
				return unix.EPERM
			}
			c.RealUID = ruid
		}
		if euid != noID {
			if euid != old.RealUID && euid != old.EffectiveUID && euid != old.SavedUID && !capable {
				return unix.EPERM
			}
			c.EffectiveUID = euid
		}
		if ruid != noID || (euid != noID && euid != old.RealUID) {
			c.SavedUID = c.EffectiveUID
		}
		c.FilesystemUID = c.EffectiveUID
		fixSetuid(old, c, at.Securebits)
		return nil
	})
}

// Setregid implements setregid(2).
func Setregid(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	rgid, egid := uint32(a[0]), uint32(a[1])
	return 0, changeCreds(t, func(old, c *auth.Credentials, _ *kernel.TaskAttrs) error {
		capable := old.HasCap(capSetgid)
		if rgid != noID {
			if rgid != old.RealGID && rgid != old.EffectiveGID && !capable {
				return unix.EPERM
			}
			c.RealGID = rgid
		}
		if egid != noID {
			if egid != old.RealGID && egid != old.EffectiveGID && egid != old.SavedGID && !capable {
				return unix.EPERM
			}
			c.EffectiveGID = egid
		}
		if rgid != noID || (egid != noID && egid != old.RealGID) {
			c.SavedGID = c.EffectiveGID
		}
		c.FilesystemGID = c.EffectiveGID
		return nil
	})
}

// Setresuid implements setresuid(2).
func Setresuid(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	ruid, euid, suid := uint32(a[0]), uint32(a[1]), uint32(a[2])
	old := t.Creds()
	if (ruid == noID || ruid == old.RealUID) &&
		(euid == noID || (euid == old.EffectiveUID && euid == old.FilesystemUID)) &&
		(suid == noID || suid == old.SavedUID) {
		return 0, nil // nothing changes
	}
	return 0, changeCreds(t, func(old, c *auth.Credentials, at *kernel.TaskAttrs) error {
		if (isNewID(ruid, old.RealUID, old.EffectiveUID, old.SavedUID) ||
			isNewID(euid, old.RealUID, old.EffectiveUID, old.SavedUID) ||
			isNewID(suid, old.RealUID, old.EffectiveUID, old.SavedUID)) && !old.HasCap(capSetuid) {
			return unix.EPERM
		}
		if ruid != noID {
			c.RealUID = ruid
		}
		if euid != noID {
			c.EffectiveUID = euid
		}
		if suid != noID {
			c.SavedUID = suid
		}
		c.FilesystemUID = c.EffectiveUID
		fixSetuid(old, c, at.Securebits)
		return nil
	})
}

// Setresgid implements setresgid(2).
func Setresgid(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	rgid, egid, sgid := uint32(a[0]), uint32(a[1]), uint32(a[2])
	old := t.Creds()
	if (rgid == noID || rgid == old.RealGID) &&
		(egid == noID || (egid == old.EffectiveGID && egid == old.FilesystemGID)) &&
		(sgid == noID || sgid == old.SavedGID) {
		return 0, nil
	}
	return 0, changeCreds(t, func(old, c *auth.Credentials, _ *kernel.TaskAttrs) error {
		if (isNewID(rgid, old.RealGID, old.EffectiveGID, old.SavedGID) ||
			isNewID(egid, old.RealGID, old.EffectiveGID, old.SavedGID) ||
			isNewID(sgid, old.RealGID, old.EffectiveGID, old.SavedGID)) && !old.HasCap(capSetgid) {
			return unix.EPERM
		}
		if rgid != noID {
			c.RealGID = rgid
		}
		if egid != noID {
			c.EffectiveGID = egid
		}
		if sgid != noID {
			c.SavedGID = sgid
		}
		c.FilesystemGID = c.EffectiveGID
		return nil
	})
}

// isNewID reports whether id asks for an ID the caller holds in none of
// its real, effective and saved slots (setresuid's unprivileged rule).
func isNewID(id, r, e, s uint32) bool {
	return id != noID && id != r && id != e && id != s
}

// Getresuid implements getresuid(2).
func Getresuid(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	c := t.Creds()
	return 0, copyOutIDs(t, a, c.RealUID, c.EffectiveUID, c.SavedUID)
}

// Getresgid implements getresgid(2).
func Getresgid(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	c := t.Creds()
	return 0, copyOutIDs(t, a, c.RealGID, c.EffectiveGID, c.SavedGID)
}

// copyOutIDs writes three IDs to the addresses in a[0..2], in order,
// stopping at the first fault.
func copyOutIDs(t *kernel.Task, a kernel.SyscallArgs, ids ...uint32) error {
	for i, id := range ids {
		if err := copyOutInt32(t, a[i], int32(id)); err != nil {
			return err
		}
	}
	return nil
}

// Setfsuid implements setfsuid(2). It returns the previous filesystem user
// ID whether or not the change was made, never an error.
func Setfsuid(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	uid := uint32(a[0])
	prev := t.Creds().FilesystemUID
	if uid == noID {
		return uintptr(prev), nil
	}
	changeCreds(t, func(old, c *auth.Credentials, at *kernel.TaskAttrs) error {
		prev = old.FilesystemUID
		if uid != old.RealUID && uid != old.EffectiveUID && uid != old.SavedUID &&
			uid != old.FilesystemUID && !old.HasCap(capSetuid) {
			return unix.EPERM
		}
		if uid == old.FilesystemUID {
			return unix.EPERM // nothing to commit
		}
		c.FilesystemUID = uid
		if at.Securebits&secbitNoSetuidFixup == 0 {
			if old.FilesystemUID == 0 && uid != 0 {
				c.Effective &^= capFSMask
			}
			if old.FilesystemUID != 0 && uid == 0 {
				c.Effective |= c.Permitted & capFSMask
			}
		}
		return nil
	})
	return uintptr(prev), nil
}

// Setfsgid implements setfsgid(2), as setfsuid.
func Setfsgid(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	gid := uint32(a[0])
	prev := t.Creds().FilesystemGID
	if gid == noID {
		return uintptr(prev), nil
	}
	changeCreds(t, func(old, c *auth.Credentials, _ *kernel.TaskAttrs) error {
		prev = old.FilesystemGID
		if gid != old.RealGID && gid != old.EffectiveGID && gid != old.SavedGID &&
			gid != old.FilesystemGID && !old.HasCap(capSetgid) {
			return unix.EPERM
		}
		if gid == old.FilesystemGID {
			return unix.EPERM
		}
		c.FilesystemGID = gid
		return nil
	})
	return uintptr(prev), nil
}

// Getgroups implements getgroups(2).
func Getgroups(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	size, addr := int32(a[0]), a[1]
	if size < 0 {
		return 0, unix.EINVAL
	}
	groups := t.Creds().Groups
	if size == 0 {
		return uintptr(len(groups)), nil
	}
	if len(groups) > int(size) {
		return 0, unix.EINVAL
	}
	b := make([]byte, 4*len(groups))
	for i, g := range groups {
		le.PutUint32(b[4*i:], g)
	}
	return uintptr(len(groups)), t.CopyOut(addr, b)
}

// Setgroups implements setgroups(2). The list is kept sorted, as Linux
// keeps it.
func Setgroups(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	size, addr := uint32(a[0]), a[1]
	if !t.Creds().HasCap(capSetgid) {
		return 0, unix.EPERM
	}
	if size > ngroupsMax {
		return 0, unix.EINVAL
	}
	groups := make([]uint32, size)
	if size > 0 {
		b := make([]byte, 4*size)
		if err := t.CopyIn(addr, b); err != nil {
			return 0, err
		}
		for i := range groups {
			if groups[i] = le.Uint32(b[4*i:]); groups[i] == noID {
				return 0, unix.EINVAL
			}
		}
	}
	slices.Sort(groups)
	return 0, changeCreds(t, func(_, c *auth.Credentials, _ *kernel.TaskAttrs) error {
		c.Groups = groups
		return nil
	})
}

// Capability header versions (capget(2)).
const (
	capVersion1 = 0x19980330
	capVersion2 = 0x20071026
	capVersion3 = 0x20080522
)

// capVersion reads the version in the header of capget and capset and
// returns its number of 32-bit words per set. An unknown version is
// EINVAL, and the preferred version is written back to the header.
func capVersion(t *kernel.Task, hdr uintptr) (int, error) {
	v, err := copyInInt32(t, hdr)
	if err != nil {
		return 0, err
	}
	switch uint32(v) {
	case capVersion1:
		return 1, nil
	case capVersion2, capVersion3:
		return 2, nil
	}
	if err := copyOutInt32(t, hdr, capVersion3); err != nil {
		return 0, err
	}
	return 0, unix.EINVAL
}

// Capget implements capget(2).
func Capget(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	hdr, data := a[0], a[1]
	words, err := capVersion(t, hdr)
	if data == 0 {
		// A probe for the preferred version succeeds.
		if err == unix.EINVAL {
			err = nil
		}
		return 0, err
	}
	if err != nil {
		return 0, err
	}
	pid, err := copyInInt32(t, hdr+4)
	if err != nil {
		return 0, err
	}
	if pid < 0 {
		return 0, unix.EINVAL
	}
	c := t.Creds()
	if pid != 0 && pid != t.TID() {
		target := t.Kernel().TaskByTID(pid)
		if target == nil {
			return 0, unix.ESRCH
		}
		c = target.Creds()
	}
	// struct __user_cap_data_struct: effective, permitted, inheritable;
	// one per 32 bits of the sets.
	b := make([]byte, 12*words)
	for i := 0; i < words; i++ {
		le.PutUint32(b[12*i:], uint32(c.Effective>>(32*i)))
		le.PutUint32(b[12*i+4:], uint32(c.Permitted>>(32*i)))
		le.PutUint32(b[12*i+8:], uint32(c.Inheritable>>(32*i)))
	}
	return 0, t.CopyOut(data, b)
}

// Capset implements capset(2): a process may only change its own sets,
// never grow its permitted set, keep effective within permitted, and add
// to inheritable only what it permits (or anything with CAP_SETPCAP)
// within the bounding set.
func Capset(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	hdr, data := a[0], a[1]
	words, err := capVersion(t, hdr)
	if err != nil {
		return 0, err
	}
	pid, err := copyInInt32(t, hdr+4)
	if err != nil {
		return 0, err
	}
	if pid != 0 && pid != t.TID() {
		return 0, unix.EPERM
	}
	b := make([]byte, 12*words)
	if err := t.CopyIn(data, b); err != nil {
		return 0, err
	}
	var eff, perm, inh uint64
	for i := 0; i < words; i++ {
		eff |= uint64(le.Uint32(b[12*i:])) << (32 * i)
		perm |= uint64(le.Uint32(b[12*i+4:])) << (32 * i)
		inh |= uint64(le.Uint32(b[12*i+8:])) << (32 * i)
	}
	eff, perm, inh = eff&auth.AllCaps, perm&auth.AllCaps, inh&auth.AllCaps
	return 0, changeCreds(t, func(old, c *auth.Credentials, _ *kernel.TaskAttrs) error {
		if !old.HasCap(capSetpcap) && inh&^(old.Inheritable|old.Permitted) != 0 {
			return unix.EPERM
		}
		if inh&^(old.Inheritable|old.Bounding) != 0 || perm&^old.Permitted != 0 || eff&^perm != 0 {
			return unix.EPERM
		}
		c.Effective, c.Permitted, c.Inheritable = eff, perm, inh
		c.Ambient &= perm & inh
		return nil
	})
}
