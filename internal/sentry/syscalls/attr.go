package syscalls

import (
	"time"

	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/auth"
	"github.com/moat-sandbox/moat/internal/sentry/fs/inotify"
	"github.com/moat-sandbox/moat/internal/sentry/kernel"
	"github.com/moat-sandbox/moat/internal/sentry/vfs"
)

// System calls that change a file's mode, owner and times.

const attrNoFD = "pipes, sockets and inherited stdio give EPERM: their attributes cannot change yet"

func init() {
	// fchmodat2 is named here: this init runs before names_extra.go's,
	// which teaches Name the numbers newer than names.go.
	register(map[uintptr]Syscall{
		unix.SYS_CHMOD:     {Handler: Chmod, Args: []Arg{APath, AOctal}},
		unix.SYS_FCHMOD:    {Handler: Fchmod, Status: Partial, Note: attrNoFD, Args: []Arg{AFD, AOctal}},
		unix.SYS_FCHMODAT:  {Handler: Fchmodat, Args: []Arg{AFD, APath, AOctal}},
		unix.SYS_FCHMODAT2: {Name: "fchmodat2", Handler: Fchmodat2, Args: []Arg{AFD, APath, AOctal, AAtFlags}},
		unix.SYS_CHOWN:     {Handler: Chown, Args: []Arg{APath, AInt, AInt}},
		unix.SYS_LCHOWN:    {Handler: Lchown, Args: []Arg{APath, AInt, AInt}},
		unix.SYS_FCHOWN:    {Handler: Fchown, Status: Partial, Note: attrNoFD, Args: []Arg{AFD, AInt, AInt}},
		unix.SYS_FCHOWNAT:  {Handler: Fchownat, Args: []Arg{AFD, APath, AInt, AInt, AAtFlags}},
		unix.SYS_UTIME:     {Handler: Utime, Args: []Arg{APath, APtr}},
		unix.SYS_UTIMES:    {Handler: Utimes, Args: []Arg{APath, APtr}},
		unix.SYS_FUTIMESAT: {Handler: Futimesat, Status: Partial, Note: "with a NULL path: " + attrNoFD, Args: []Arg{AFD, APath, APtr}},
		unix.SYS_UTIMENSAT: {Handler: Utimensat, Status: Partial, Note: "with a NULL path: " + attrNoFD, Args: []Arg{AFD, APath, APtr, AAtFlags}},
	})
}

// attrTarget is the file whose attributes a call changes: an inode in the
// tree, whose mount may be read-only, or an open file with no path (a
// pipe, a socket) whose implementation keeps attributes of its own.
type attrTarget struct {
	file interface {
		Stat(vfs.Context) (vfs.Stat, error)
	}
	readOnly bool
	vd       vfs.VirtualDentry // where the file is, when it has a path (for inotify)
}

// setStater is a file that can change its attributes: every
// vfs.SettableInode, and the implementations of open files with no path
// that choose to.
type setStater interface {
	SetStat(ctx vfs.Context, opts vfs.SetStatOpts) error
}

func pathTarget(vd vfs.VirtualDentry) attrTarget {
	return attrTarget{file: vd.Inode(), readOnly: vd.Mount.ReadOnly(), vd: vd}
}

// fdTarget is the open file fd, for the f* calls. O_PATH descriptors do
// not count (EBADF), as with Linux's fdget.
func fdTarget(t *kernel.Task, fd uintptr) (attrTarget, error) {
	f, err := getFile(t, fd)
	if err != nil {
		return attrTarget{}, err
	}
	defer f.DecRef()
	if f.Flags()&unix.O_PATH != 0 {
		return attrTarget{}, unix.EBADF
	}
	if vd := f.VirtualDentry(); vd.Ok() {
		return pathTarget(vd), nil
	}
	return attrTarget{file: f.Impl()}, nil
}

// stat returns the stat of a file whose attributes are about to change:
// EROFS on a read-only mount, checked first as Linux's mnt_want_write.
func (a attrTarget) stat(t *kernel.Task) (vfs.Stat, error) {
	if a.readOnly {
		return vfs.Stat{}, unix.EROFS
	}
	return a.file.Stat(t)
}

// set applies o, which the caller has checked; EPERM when the file keeps
// its attributes fixed.
func (a attrTarget) set(t *kernel.Task, o vfs.SetStatOpts) error {
	s, ok := a.file.(setStater)
	if !ok {
		return unix.EPERM
	}
	if err := s.SetStat(t, o); err != nil {
		return err
	}
	if a.vd.Ok() {
		inotify.AttrsChanged(t, a.vd, o)
	}
	return nil
}

// chmodMode is the mode chmod(2) gives a file with stat st when creds c ask
// for mode: only the owner (or CAP_FOWNER) may, symlinks have no mode of
// their own (EOPNOTSUPP), and the set-group-ID bit is dropped for a caller
// outside the file's group without CAP_FSETID.
func chmodMode(c *auth.Credentials, st *vfs.Stat, mode uint32) (uint32, error) {
	if st.IsSymlink() {
		return 0, unix.EOPNOTSUPP
	}
	if !vfs.IsOwner(c, st) {
		return 0, unix.EPERM
	}
	mode &= 0o7777
	if mode&unix.S_ISGID != 0 && !c.InGroupFS(st.GID) && !c.HasCap(vfs.CapFsetid) {
		mode &^= unix.S_ISGID
	}
	return mode, nil
}

func chmodTarget(t *kernel.Task, a attrTarget, mode uint32) error {
	st, err := a.stat(t)
	if err != nil {
		return err
	}
	mode, err = chmodMode(t.Creds(), &st, mode)
	if err != nil {
		return err
	}
	return a.set(t, vfs.SetStatOpts{Mode: &mode})
}

func fchmodat(t *kernel.Task, dirfd int32, pathAddr uintptr, mode uint32, flags int) (uintptr, error) {
	if flags&^(unix.AT_SYMLINK_NOFOLLOW|unix.AT_EMPTY_PATH) != 0 {
		return 0, unix.EINVAL
	}
	vd, err := resolveAtFlags(t, dirfd, pathAddr, flags)
	if err != nil {
		return 0, err
	}
	return 0, chmodTarget(t, pathTarget(vd), mode)
}

// Chmod implements chmod(2).
func Chmod(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	return fchmodat(t, unix.AT_FDCWD, a[0], uint32(a[1]), 0)
}

// Fchmodat implements fchmodat(2) (the system call has no flags).
func Fchmodat(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	return fchmodat(t, int32(a[0]), a[1], uint32(a[2]), 0)
}

// Fchmodat2 implements fchmodat2(2): fchmodat with AT_SYMLINK_NOFOLLOW and
// AT_EMPTY_PATH.
func Fchmodat2(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	return fchmodat(t, int32(a[0]), a[1], uint32(a[2]), int(a[3]))
}

// Fchmod implements fchmod(2).
func Fchmod(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	target, err := fdTarget(t, a[0])
	if err != nil {
		return 0, err
	}
	return 0, chmodTarget(t, target, uint32(a[1]))
}

// noID is chown's -1: leave the ID as it is.
const noID = ^uint32(0)

// chownAttrs decides what chown(2) of a file with stat st to uid and gid
// (noID to keep) changes for creds c, as Linux's chown_common and
// setattr_prepare do:
//   - only CAP_CHOWN gives a file away; the owner may "change" the owner
//     to itself;
//   - the owner may change the group to one of its groups, CAP_CHOWN to
//     any;
//   - a non-directory loses S_ISUID, and S_ISGID if it is group-executable
//     or the caller is outside its group without CAP_FSETID (even with
//     both IDs -1); losing them is a mode change, which needs the owner
//     or CAP_FOWNER, and which drops S_ISGID too for a caller outside the
//     new group without CAP_FSETID.
func chownAttrs(c *auth.Credentials, st *vfs.Stat, uid, gid uint32) (vfs.SetStatOpts, error) {
	var o vfs.SetStatOpts
	owner := c.FilesystemUID == st.UID
	if uid != noID {
		if !(owner && uid == st.UID) && !c.HasCap(vfs.CapChown) {
			return o, unix.EPERM
		}
		o.UID = &uid
	}
	if gid != noID {
		if !(owner && (gid == st.GID || c.InGroupFS(gid))) && !c.HasCap(vfs.CapChown) {
			return o, unix.EPERM
		}
		o.GID = &gid
	}
	if st.IsDir() {
		return o, nil
	}
	mode := st.Mode & 0o7777
	newMode := mode &^ unix.S_ISUID
	if mode&unix.S_ISGID != 0 && (mode&unix.S_IXGRP != 0 || !inGroupOrFsetid(c, st.GID)) {
		newMode &^= unix.S_ISGID
	}
	if newMode != mode {
		if !vfs.IsOwner(c, st) {
			return o, unix.EPERM
		}
		newGID := st.GID
		if o.GID != nil {
			newGID = gid
		}
		if !inGroupOrFsetid(c, newGID) {
			newMode &^= unix.S_ISGID
		}
		o.Mode = &newMode
	}
	return o, nil
}

// inGroupOrFsetid is Linux's in_group_or_capable: may c keep S_ISGID on a
// file of group gid?
func inGroupOrFsetid(c *auth.Credentials, gid uint32) bool {
	return c.InGroupFS(gid) || c.HasCap(vfs.CapFsetid)
}

func chownTarget(t *kernel.Task, a attrTarget, uid, gid uint32) error {
	st, err := a.stat(t)
	if err != nil {
		return err
	}
	o, err := chownAttrs(t.Creds(), &st, uid, gid)
	if err != nil {
		return err
	}
	if o.UID == nil && o.GID == nil && o.Mode == nil {
		return nil
	}
	return a.set(t, o)
}

func fchownat(t *kernel.Task, dirfd int32, pathAddr uintptr, uid, gid uint32, flags int) (uintptr, error) {
	if flags&^(unix.AT_SYMLINK_NOFOLLOW|unix.AT_EMPTY_PATH) != 0 {
		return 0, unix.EINVAL
	}
	vd, err := resolveAtFlags(t, dirfd, pathAddr, flags)
	if err != nil {
		return 0, err
	}
	return 0, chownTarget(t, pathTarget(vd), uid, gid)
}

// Chown implements chown(2).
func Chown(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	return fchownat(t, unix.AT_FDCWD, a[0], uint32(a[1]), uint32(a[2]), 0)
}

// Lchown implements lchown(2).
func Lchown(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	return fchownat(t, unix.AT_FDCWD, a[0], uint32(a[1]), uint32(a[2]), unix.AT_SYMLINK_NOFOLLOW)
}

// Fchownat implements fchownat(2).
func Fchownat(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	return fchownat(t, int32(a[0]), a[1], uint32(a[2]), uint32(a[3]), int(a[4]))
}

// Fchown implements fchown(2).
func Fchown(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	target, err := fdTarget(t, a[0])
	if err != nil {
		return 0, err
	}
	return 0, chownTarget(t, target, uint32(a[1]), uint32(a[2]))
}

// mayTouch checks who may set a file's times: anyone who may write it can
// set both to now (explicit false), only the owner (or CAP_FOWNER) can set
// anything else (EPERM).
func mayTouch(c *auth.Credentials, st *vfs.Stat, explicit bool) error {
	if vfs.IsOwner(c, st) {
		return nil
	}
	if explicit {
		return unix.EPERM
	}
	return vfs.Permission(c, st, vfs.MayWrite)
}

func nsecValid(ns int64) bool {
	return ns == unix.UTIME_NOW || ns == unix.UTIME_OMIT || ns >= 0 && ns < 1e9
}

// setTimes sets the access and modification times of a file, to now when
// times is nil (Linux's vfs_utimes).
func setTimes(t *kernel.Task, a attrTarget, times *[2]unix.Timespec) error {
	if times != nil {
		if !nsecValid(times[0].Nsec) || !nsecValid(times[1].Nsec) {
			return unix.EINVAL
		}
		if times[0].Nsec == unix.UTIME_NOW && times[1].Nsec == unix.UTIME_NOW {
			times = nil
		}
	}
	st, err := a.stat(t)
	if err != nil {
		return err
	}
	if err := mayTouch(t.Creds(), &st, times != nil); err != nil {
		return err
	}
	now := unix.NsecToTimespec(time.Now().UnixNano())
	if times == nil {
		return a.set(t, vfs.SetStatOpts{Atime: &now, Mtime: &now})
	}
	var o vfs.SetStatOpts
	for i, p := range []**unix.Timespec{&o.Atime, &o.Mtime} {
		switch ts := times[i]; ts.Nsec {
		case unix.UTIME_OMIT:
		case unix.UTIME_NOW:
			*p = &now
		default:
			*p = &ts
		}
	}
	if o.Atime == nil && o.Mtime == nil {
		return nil
	}
	return a.set(t, o)
}

// utimesAt is Linux's do_utimes: a NULL path with a real dirfd names the
// open file (futimens), anything else a path.
func utimesAt(t *kernel.Task, dirfd int32, pathAddr uintptr, times *[2]unix.Timespec, flags int) (uintptr, error) {
	if pathAddr == 0 && dirfd != unix.AT_FDCWD {
		if flags != 0 {
			return 0, unix.EINVAL
		}
		target, err := fdTarget(t, uintptr(dirfd))
		if err != nil {
			return 0, err
		}
		return 0, setTimes(t, target, times)
	}
	if flags&^(unix.AT_SYMLINK_NOFOLLOW|unix.AT_EMPTY_PATH) != 0 {
		return 0, unix.EINVAL
	}
	vd, err := resolveAtFlags(t, dirfd, pathAddr, flags)
	if err != nil {
		return 0, err
	}
	return 0, setTimes(t, pathTarget(vd), times)
}

// Utimensat implements utimensat(2).
func Utimensat(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	var times *[2]unix.Timespec
	if a[2] != 0 {
		var b [32]byte
		if err := t.CopyIn(a[2], b[:]); err != nil {
			return 0, err
		}
		ts := [2]unix.Timespec{
			{Sec: int64(le.Uint64(b[0:])), Nsec: int64(le.Uint64(b[8:]))},
			{Sec: int64(le.Uint64(b[16:])), Nsec: int64(le.Uint64(b[24:]))},
		}
		// Nothing to do: Linux does not even look at the path.
		if ts[0].Nsec == unix.UTIME_OMIT && ts[1].Nsec == unix.UTIME_OMIT {
			return 0, nil
		}
		times = &ts
	}
	return utimesAt(t, int32(a[0]), a[1], times, int(a[3]))
}

// futimesat is the common part of utimes and futimesat: struct timeval
// pairs, checked before the path is looked at.
func futimesat(t *kernel.Task, dirfd int32, pathAddr, timesAddr uintptr) (uintptr, error) {
	var times *[2]unix.Timespec
	if timesAddr != 0 {
		var b [32]byte
		if err := t.CopyIn(timesAddr, b[:]); err != nil {
			return 0, err
		}
		var ts [2]unix.Timespec
		for i := range ts {
			sec, usec := int64(le.Uint64(b[16*i:])), int64(le.Uint64(b[16*i+8:]))
			if usec < 0 || usec >= 1e6 {
				return 0, unix.EINVAL
			}
			ts[i] = unix.Timespec{Sec: sec, Nsec: usec * 1000}
		}
		times = &ts
	}
	return utimesAt(t, dirfd, pathAddr, times, 0)
}

// Utimes implements utimes(2).
func Utimes(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	return futimesat(t, unix.AT_FDCWD, a[0], a[1])
}

// Futimesat implements futimesat(2).
func Futimesat(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	return futimesat(t, int32(a[0]), a[1], a[2])
}

// Utime implements utime(2): whole seconds from a struct utimbuf.
func Utime(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	var times *[2]unix.Timespec
	if a[1] != 0 {
		var b [16]byte
		if err := t.CopyIn(a[1], b[:]); err != nil {
			return 0, err
		}
		times = &[2]unix.Timespec{{Sec: int64(le.Uint64(b[0:]))}, {Sec: int64(le.Uint64(b[8:]))}}
	}
	return utimesAt(t, unix.AT_FDCWD, a[0], times, 0)
}
