package syscalls

import (
	"fmt"

	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/fs/inotify"
	"github.com/moat-sandbox/moat/internal/sentry/linux"

	"github.com/moat-sandbox/moat/internal/sentry/kernel"
	"github.com/moat-sandbox/moat/internal/sentry/vfs"
)

func init() {
	register(map[uintptr]Syscall{
		unix.SYS_OPEN:    {Handler: Open, Args: []Arg{APath, AOpenFlags, AOctal}},
		unix.SYS_OPENAT:  {Handler: Openat, Args: []Arg{AFD, APath, AOpenFlags, AOctal}},
		unix.SYS_OPENAT2: {Handler: Openat2, Args: []Arg{AFD, APath, APtr, AUint}},
		unix.SYS_CREAT:   {Handler: Creat, Args: []Arg{APath, AOctal}},
	})
}

// Open implements open(2).
func Open(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	return openat(t, unix.AT_FDCWD, a[0], int(a[1]), uint32(a[2]), 0)
}

// Openat implements openat(2).
func Openat(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	return openat(t, int32(a[0]), a[1], int(a[2]), uint32(a[3]), 0)
}

// Creat implements creat(2).
func Creat(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	return openat(t, unix.AT_FDCWD, a[0], unix.O_CREAT|unix.O_WRONLY|unix.O_TRUNC, uint32(a[1]), 0)
}

// validOpenFlags are the flags open(2) knows; others are ignored by open
// and rejected by openat2.
const validOpenFlags = unix.O_ACCMODE | unix.O_CREAT | unix.O_EXCL | unix.O_NOCTTY | unix.O_TRUNC |
	unix.O_APPEND | unix.O_NONBLOCK | unix.O_DSYNC | unix.O_ASYNC | unix.O_DIRECT | linux.O_LARGEFILE |
	unix.O_DIRECTORY | unix.O_NOFOLLOW | unix.O_NOATIME | unix.O_CLOEXEC | unix.O_SYNC | unix.O_PATH |
	unix.O_TMPFILE

// Openat2 implements openat2(2).
func Openat2(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	const sizeVer0 = 24
	size := a[3]
	if size < sizeVer0 {
		return 0, unix.EINVAL
	}
	if size > 4096 {
		return 0, unix.E2BIG
	}
	buf := make([]byte, size)
	if err := t.CopyIn(a[2], buf); err != nil {
		return 0, err
	}
	for _, b := range buf[sizeVer0:] {
		if b != 0 {
			return 0, unix.E2BIG // fields this kernel does not know
		}
	}
	flags, mode, resolveFlags := le.Uint64(buf[0:]), le.Uint64(buf[8:]), le.Uint64(buf[16:])
	const knownResolve = vfs.ResolveNoXdev | vfs.ResolveNoMagicLinks | vfs.ResolveNoSymlinks |
		vfs.ResolveBeneath | vfs.ResolveInRoot | vfs.ResolveCached
	if flags&^uint64(validOpenFlags) != 0 || resolveFlags&^knownResolve != 0 || mode&^0o7777 != 0 ||
		mode != 0 && flags&(unix.O_CREAT|unix.O_TMPFILE) == 0 ||
		resolveFlags&(vfs.ResolveBeneath|vfs.ResolveInRoot) == vfs.ResolveBeneath|vfs.ResolveInRoot {
		return 0, unix.EINVAL
	}
	if resolveFlags&vfs.ResolveCached != 0 {
		return 0, unix.EAGAIN // no lookup is ever cache-only here
	}
	return openat(t, int32(a[0]), a[1], int(flags), uint32(mode), resolveFlags)
}

// openat is the common path of the open family.
func openat(t *kernel.Task, dirfd int32, pathAddr uintptr, flags int, mode uint32, resolveFlags uint64) (uintptr, error) {
	path, err := copyInPath(t, pathAddr, false)
	if err != nil {
		return 0, err
	}
	f, err := openPath(t, dirfd, path, flags, mode, resolveFlags)
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	fd, err := t.FDTable().NewFD(f, 0, flags&unix.O_CLOEXEC != 0, nofile(t))
	return uintptr(fd), err
}

// openPath opens path as open(2) would and returns the new description.
func openPath(t *kernel.Task, dirfd int32, path string, flags int, mode uint32, resolveFlags uint64) (*vfs.File, error) {
	if flags&unix.O_PATH != 0 {
		flags &= unix.O_PATH | unix.O_DIRECTORY | unix.O_NOFOLLOW | unix.O_CLOEXEC
	}
	if flags&oTmpfile != 0 {
		// O_TMPFILE is __O_TMPFILE|O_DIRECTORY, without O_CREAT, and
		// writable.
		acc := flags & unix.O_ACCMODE
		if flags&(unix.O_TMPFILE|unix.O_CREAT) != unix.O_TMPFILE || acc != unix.O_WRONLY && acc != unix.O_RDWR {
			return nil, unix.EINVAL
		}
	}
	o, err := walkOpts(t, dirfd, path, flags&unix.O_NOFOLLOW == 0)
	if err != nil {
		return nil, err
	}
	o.Resolve = resolveFlags
	if resolveFlags&vfs.ResolveInRoot != 0 && len(path) > 0 && path[0] == '/' {
		// walkOpts started an absolute path at the task's root; under
		// RESOLVE_IN_ROOT it starts at dirfd, the walk's root. (With
		// RESOLVE_BENEATH the walk itself gives EXDEV.)
		in, err := walkOpts(t, dirfd, ".", false)
		if err != nil {
			return nil, err
		}
		o.Start = in.Start
	}
	ns := t.Mounts()
	if flags&oTmpfile != 0 {
		return openTmpfile(t, ns, path, o, flags, mode)
	}
	var vd vfs.VirtualDentry
	created := false
	if flags&unix.O_CREAT != 0 {
		// O_EXCL never follows a final symlink: an existing name is EEXIST.
		o.FollowFinal = flags&(unix.O_NOFOLLOW|unix.O_EXCL) == 0
		dir, name, existing, err := ns.WalkCreate(t, path, o)
		if err != nil {
			return nil, err
		}
		if existing.Ok() {
			if flags&unix.O_EXCL != 0 {
				return nil, unix.EEXIST
			}
			if st, err := existing.Inode().Stat(t); err == nil && st.IsDir() {
				return nil, unix.EISDIR // even O_RDONLY (do_open)
			}
			vd = existing
		} else {
			wd, err := mayWriteDir(t, dir)
			if err != nil {
				return nil, err
			}
			uid, gid, _ := newFileOwner(t, dir)
			if _, err := wd.Create(t, name, vfs.CreateOpts{
				Mode: unix.S_IFREG | mode&0o7777&^t.FS().Umask(), UID: uid, GID: gid,
			}); err != nil {
				return nil, err
			}
			if vd, err = ns.Lookup(t, dir, name); err != nil {
				return nil, err
			}
			created = true
			inotify.Created(t, dir, name, false)
		}
	} else {
		if vd, err = ns.Walk(t, path, o); err != nil {
			return nil, err
		}
	}
	f, err := openDentry(t, vd, flags, created)
	if err != nil {
		return nil, err
	}
	truncated := false
	if !created && flags&unix.O_TRUNC != 0 && inotify.Active() {
		st, err := f.Stat(t)
		truncated = err == nil && st.IsRegular()
	}
	inotify.Opened(t, f, truncated)
	return f, nil
}

// oTmpfile is Linux's __O_TMPFILE, the bit O_TMPFILE adds to O_DIRECTORY.
const oTmpfile = unix.O_TMPFILE &^ unix.O_DIRECTORY

// openTmpfile makes and opens an unnamed file in the directory at path
// (O_TMPFILE). Without O_EXCL linkat may give it a name later.
func openTmpfile(t *kernel.Task, ns *vfs.MountNamespace, path string, o vfs.WalkOpts, flags int, mode uint32) (*vfs.File, error) {
	o.FollowFinal = true
	dir, err := ns.Walk(t, path, o)
	if err != nil {
		return nil, err
	}
	wd, err := mayWriteDir(t, dir)
	if err != nil {
		return nil, err
	}
	td, ok := wd.(vfs.TmpfileDir)
	if !ok {
		return nil, unix.EOPNOTSUPP
	}
	uid, gid, _ := newFileOwner(t, dir)
	in, err := td.Tmpfile(t, vfs.CreateOpts{Mode: unix.S_IFREG | mode&0o7777&^t.FS().Umask(), UID: uid, GID: gid},
		flags&unix.O_EXCL == 0)
	if err != nil {
		return nil, err
	}
	st, err := in.Stat(t)
	if err != nil {
		return nil, err
	}
	// Linux names it "#INO" in its directory, shown "(deleted)".
	vd := vfs.UnlinkedDentry(dir, fmt.Sprintf("#%d", st.Ino), in)
	return openDentry(t, vd, flags&^unix.O_EXCL, true)
}

// openDentry opens the file at vd: checks type and permissions, then asks
// its filesystem.
func openDentry(t *kernel.Task, vd vfs.VirtualDentry, flags int, created bool) (*vfs.File, error) {
	st, err := vd.Inode().Stat(t)
	if err != nil {
		return nil, err
	}
	if flags&unix.O_PATH != 0 {
		if flags&unix.O_DIRECTORY != 0 && !st.IsDir() {
			return nil, unix.ENOTDIR
		}
		return vfs.NewFile(pathFile{vd}, vd, unix.O_PATH), nil
	}
	// Linux checks O_DIRECTORY (do_open) before the file type (may_open):
	// O_NOFOLLOW|O_DIRECTORY on a symlink is ENOTDIR, not ELOOP.
	if flags&unix.O_DIRECTORY != 0 && flags&oTmpfile == 0 && !st.IsDir() {
		return nil, unix.ENOTDIR
	}
	if st.IsSymlink() {
		return nil, unix.ELOOP // O_NOFOLLOW on a link
	}
	acc := flags & unix.O_ACCMODE
	if acc == unix.O_ACCMODE {
		return nil, unix.EINVAL
	}
	if st.IsDir() && (acc != unix.O_RDONLY || flags&unix.O_TRUNC != 0) {
		return nil, unix.EISDIR
	}
	if !created {
		var want int
		if acc == unix.O_RDONLY || acc == unix.O_RDWR {
			want |= vfs.MayRead
		}
		if acc == unix.O_WRONLY || acc == unix.O_RDWR || flags&unix.O_TRUNC != 0 {
			want |= vfs.MayWrite
		}
		if err := vfs.Permission(t.Creds(), &st, want); err != nil {
			return nil, err
		}
	}
	writes := acc != unix.O_RDONLY || flags&unix.O_TRUNC != 0
	if writes && vd.Mount.ReadOnly() && (st.IsRegular() || st.IsDir()) {
		return nil, unix.EROFS
	}
	if (st.Type() == unix.S_IFCHR || st.Type() == unix.S_IFBLK) && vd.Mount.Flags&vfs.MountNoDev != 0 {
		return nil, unix.EACCES
	}
	if flags&unix.O_NOATIME != 0 && !vfs.IsOwner(t.Creds(), &st) {
		return nil, unix.EPERM
	}
	implFlags := flags
	if created {
		implFlags &^= unix.O_TRUNC
	}
	impl, err := vd.Inode().Open(t, implFlags)
	if err != nil {
		return nil, err
	}
	const kept = unix.O_ACCMODE | unix.O_APPEND | unix.O_NONBLOCK | unix.O_DSYNC | unix.O_ASYNC |
		unix.O_DIRECT | linux.O_LARGEFILE | unix.O_NOATIME | unix.O_SYNC | unix.O_DIRECTORY | unix.O_NOFOLLOW |
		oTmpfile // F_GETFL shows O_TMPFILE, O_DIRECTORY included
	return vfs.NewFile(impl, vd, flags&kept|linux.O_LARGEFILE), nil
}

// pathFile is an O_PATH open: a position in the tree, no I/O.
type pathFile struct {
	vd vfs.VirtualDentry
}

func (p pathFile) Stat(ctx vfs.Context) (vfs.Stat, error) { return p.vd.Inode().Stat(ctx) }
func (p pathFile) Release()                               {}
