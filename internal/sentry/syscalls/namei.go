package syscalls

import (
	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/fs/inotify"
	"github.com/moat-sandbox/moat/internal/sentry/kernel"
	"github.com/moat-sandbox/moat/internal/sentry/vfs"
)

// System calls that add, remove and rename names.

func init() {
	register(map[uintptr]Syscall{
		unix.SYS_MKDIR:     {Handler: Mkdir, Args: []Arg{APath, AOctal}},
		unix.SYS_MKDIRAT:   {Handler: Mkdirat, Args: []Arg{AFD, APath, AOctal}},
		unix.SYS_MKNOD:     {Handler: Mknod, Args: []Arg{APath, AOctal, AHex}},
		unix.SYS_MKNODAT:   {Handler: Mknodat, Args: []Arg{AFD, APath, AOctal, AHex}},
		unix.SYS_RMDIR:     {Handler: Rmdir, Args: []Arg{APath}},
		unix.SYS_UNLINK:    {Handler: Unlink, Args: []Arg{APath}},
		unix.SYS_UNLINKAT:  {Handler: Unlinkat, Args: []Arg{AFD, APath, AAtFlags}},
		unix.SYS_SYMLINK:   {Handler: Symlink, Args: []Arg{APath, APath}},
		unix.SYS_SYMLINKAT: {Handler: Symlinkat, Args: []Arg{APath, AFD, APath}},
		unix.SYS_LINK:      {Handler: Link, Args: []Arg{APath, APath}},
		unix.SYS_LINKAT:    {Handler: Linkat, Args: []Arg{AFD, APath, AFD, APath, AAtFlags}},
		unix.SYS_RENAME:    {Handler: Rename, Args: []Arg{APath, APath}},
		unix.SYS_RENAMEAT:  {Handler: Renameat, Args: []Arg{AFD, APath, AFD, APath}},
		unix.SYS_RENAMEAT2: {Handler: Renameat2, Status: Partial, Note: "RENAME_WHITEOUT gives EINVAL", Args: []Arg{AFD, APath, AFD, APath, AHex}},
	})
}

// createAt resolves the parent of path for a new entry and checks that the
// name is free. It returns the directory and the name.
func createAt(t *kernel.Task, dirfd int32, pathAddr uintptr, allowTrailingSlash bool) (vfs.VirtualDentry, vfs.WritableDir, string, error) {
	path, err := copyInPath(t, pathAddr, false)
	if err != nil {
		return vfs.VirtualDentry{}, nil, "", err
	}
	dir, name, trailing, err := resolveParent(t, dirfd, path)
	if err != nil {
		return dir, nil, "", err
	}
	if name == "" || name == "." || name == ".." {
		return dir, nil, "", unix.EEXIST
	}
	if _, err := t.Mounts().Lookup(t, dir, name); err == nil {
		return dir, nil, "", unix.EEXIST
	} else if err != unix.ENOENT {
		return dir, nil, "", err
	}
	if trailing && !allowTrailingSlash {
		return dir, nil, "", unix.ENOENT
	}
	wd, err := mayWriteDir(t, dir)
	if err != nil {
		return dir, nil, "", err
	}
	return dir, wd, name, nil
}

func mkdirat(t *kernel.Task, dirfd int32, pathAddr uintptr, mode uint32) (uintptr, error) {
	dir, wd, name, err := createAt(t, dirfd, pathAddr, true)
	if err != nil {
		return 0, err
	}
	uid, gid, sgid := newFileOwner(t, dir)
	mode = mode & 0o7777 &^ t.FS().Umask()
	if sgid {
		mode |= unix.S_ISGID // set-group-ID directories propagate
	}
	if _, err = wd.Mkdir(t, name, vfs.CreateOpts{Mode: unix.S_IFDIR | mode&0o7777, UID: uid, GID: gid}); err != nil {
		return 0, err
	}
	inotify.Created(t, dir, name, true)
	return 0, nil
}

// Mkdir implements mkdir(2).
func Mkdir(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	return mkdirat(t, unix.AT_FDCWD, a[0], uint32(a[1]))
}

// Mkdirat implements mkdirat(2).
func Mkdirat(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	return mkdirat(t, int32(a[0]), a[1], uint32(a[2]))
}

func mknodat(t *kernel.Task, dirfd int32, pathAddr uintptr, mode uint32, dev uint64) (uintptr, error) {
	typ := mode & unix.S_IFMT
	switch typ {
	case 0:
		typ = unix.S_IFREG
	case unix.S_IFREG, unix.S_IFIFO, unix.S_IFSOCK:
	case unix.S_IFCHR, unix.S_IFBLK:
		if !t.Creds().HasCap(vfs.CapMknod) {
			return 0, unix.EPERM
		}
	case unix.S_IFDIR:
		return 0, unix.EPERM
	default:
		return 0, unix.EINVAL
	}
	dir, wd, name, err := createAt(t, dirfd, pathAddr, false)
	if err != nil {
		return 0, err
	}
	if (typ == unix.S_IFCHR || typ == unix.S_IFBLK) && dir.Mount.Flags&vfs.MountNoDev != 0 {
		return 0, unix.EPERM
	}
	uid, gid, _ := newFileOwner(t, dir)
	if typ != unix.S_IFCHR && typ != unix.S_IFBLK {
		dev = 0
	}
	if _, err = wd.Create(t, name, vfs.CreateOpts{Mode: typ | mode&0o7777&^t.FS().Umask(), UID: uid, GID: gid, Dev: dev}); err != nil {
		return 0, err
	}
	inotify.Created(t, dir, name, false)
	return 0, nil
}

// Mknod implements mknod(2).
func Mknod(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	return mknodat(t, unix.AT_FDCWD, a[0], uint32(a[1]), uint64(uint32(a[2])))
}

// Mknodat implements mknodat(2).
func Mknodat(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	return mknodat(t, int32(a[0]), a[1], uint32(a[2]), uint64(uint32(a[3])))
}

// removeAt unlinks (or, with dir, removes the directory) path.
func removeAt(t *kernel.Task, dirfd int32, pathAddr uintptr, dir bool) (uintptr, error) {
	path, err := copyInPath(t, pathAddr, false)
	if err != nil {
		return 0, err
	}
	parent, name, trailing, err := resolveParent(t, dirfd, path)
	if err != nil {
		return 0, err
	}
	switch {
	case dir && name == ".":
		return 0, unix.EINVAL
	case dir && (name == ".." || name == ""):
		return 0, unix.ENOTEMPTY
	case !dir && (name == "" || name == "." || name == ".."):
		return 0, unix.EISDIR
	}
	child, err := t.Mounts().Lookup(t, parent, name)
	if err != nil {
		return 0, err
	}
	if child.Mount != parent.Mount {
		return 0, unix.EBUSY // a mount point
	}
	st, err := child.Inode().Stat(t)
	if err != nil {
		return 0, err
	}
	if dir && !st.IsDir() {
		return 0, unix.ENOTDIR
	}
	if !dir && st.IsDir() {
		return 0, unix.EISDIR
	}
	if !dir && trailing {
		return 0, unix.ENOTDIR
	}
	wd, err := mayWriteDir(t, parent)
	if err != nil {
		return 0, err
	}
	if err := mayDelete(t, parent, child); err != nil {
		return 0, err
	}
	if child == t.FS().Root() || child.Dentry == child.Mount.Root() {
		return 0, unix.EBUSY
	}
	if dir {
		err = wd.Rmdir(t, name)
	} else {
		err = wd.Unlink(t, name)
	}
	if err != nil {
		return 0, err
	}
	inotify.Removed(t, parent, name, child, dir)
	t.Mounts().Removed(parent.Dentry, name)
	return 0, nil
}

// Rmdir implements rmdir(2).
func Rmdir(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	return removeAt(t, unix.AT_FDCWD, a[0], true)
}

// Unlink implements unlink(2).
func Unlink(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	return removeAt(t, unix.AT_FDCWD, a[0], false)
}

// Unlinkat implements unlinkat(2).
func Unlinkat(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	if a[2]&^unix.AT_REMOVEDIR != 0 {
		return 0, unix.EINVAL
	}
	return removeAt(t, int32(a[0]), a[1], a[2]&unix.AT_REMOVEDIR != 0)
}

func symlinkat(t *kernel.Task, targetAddr uintptr, dirfd int32, pathAddr uintptr) (uintptr, error) {
	target, err := copyInPath(t, targetAddr, false)
	if err != nil {
		return 0, err
	}
	dir, wd, name, err := createAt(t, dirfd, pathAddr, false)
	if err != nil {
		return 0, err
	}
	uid, gid, _ := newFileOwner(t, dir)
	if _, err = wd.Symlink(t, name, target, vfs.CreateOpts{Mode: unix.S_IFLNK | 0o777, UID: uid, GID: gid}); err != nil {
		return 0, err
	}
	inotify.Created(t, dir, name, false)
	return 0, nil
}

// Symlink implements symlink(2).
func Symlink(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	return symlinkat(t, a[0], unix.AT_FDCWD, a[1])
}

// Symlinkat implements symlinkat(2).
func Symlinkat(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	return symlinkat(t, a[0], int32(a[1]), a[2])
}

func linkat(t *kernel.Task, olddirfd int32, oldAddr uintptr, newdirfd int32, newAddr uintptr, flags int) (uintptr, error) {
	if flags&^(unix.AT_SYMLINK_FOLLOW|unix.AT_EMPTY_PATH) != 0 {
		return 0, unix.EINVAL
	}
	if flags&unix.AT_EMPTY_PATH != 0 && !t.Creds().HasCap(vfs.CapDACReadSearch) {
		return 0, unix.ENOENT
	}
	resolveFlags := flags & unix.AT_EMPTY_PATH
	if flags&unix.AT_SYMLINK_FOLLOW == 0 {
		resolveFlags |= unix.AT_SYMLINK_NOFOLLOW // linkat links the link itself by default
	}
	target, err := resolveAtFlags(t, olddirfd, oldAddr, resolveFlags)
	if err != nil {
		return 0, err
	}
	st, err := target.Inode().Stat(t)
	if err != nil {
		return 0, err
	}
	if st.IsDir() {
		return 0, unix.EPERM
	}
	dir, wd, name, err := createAt(t, newdirfd, newAddr, false)
	if err != nil {
		return 0, err
	}
	if dir.Mount != target.Mount {
		return 0, unix.EXDEV
	}
	if err := wd.Link(t, name, target.Inode()); err != nil {
		return 0, err
	}
	inotify.Linked(t, dir, name, target)
	return 0, nil
}

// Link implements link(2).
func Link(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	return linkat(t, unix.AT_FDCWD, a[0], unix.AT_FDCWD, a[1], 0)
}

// Linkat implements linkat(2).
func Linkat(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	return linkat(t, int32(a[0]), a[1], int32(a[2]), a[3], int(a[4]))
}

func renameat2(t *kernel.Task, olddirfd int32, oldAddr uintptr, newdirfd int32, newAddr uintptr, flags uint) (uintptr, error) {
	if flags&^(unix.RENAME_NOREPLACE|unix.RENAME_EXCHANGE|unix.RENAME_WHITEOUT) != 0 ||
		flags&unix.RENAME_NOREPLACE != 0 && flags&unix.RENAME_EXCHANGE != 0 ||
		flags&unix.RENAME_WHITEOUT != 0 {
		return 0, unix.EINVAL
	}
	oldPath, err := copyInPath(t, oldAddr, false)
	if err != nil {
		return 0, err
	}
	newPath, err := copyInPath(t, newAddr, false)
	if err != nil {
		return 0, err
	}
	oldDir, oldName, oldTrailing, err := resolveParent(t, olddirfd, oldPath)
	if err != nil {
		return 0, err
	}
	newDir, newName, newTrailing, err := resolveParent(t, newdirfd, newPath)
	if err != nil {
		return 0, err
	}
	for _, n := range []string{oldName, newName} {
		if n == "" || n == "." || n == ".." {
			return 0, unix.EBUSY
		}
	}
	ns := t.Mounts()
	src, err := ns.Lookup(t, oldDir, oldName)
	if err != nil {
		return 0, err
	}
	if src.Mount != oldDir.Mount {
		return 0, unix.EBUSY
	}
	sst, err := src.Inode().Stat(t)
	if err != nil {
		return 0, err
	}
	if (oldTrailing || newTrailing) && !sst.IsDir() {
		return 0, unix.ENOTDIR
	}
	if oldDir.Mount != newDir.Mount {
		return 0, unix.EXDEV
	}
	dst, derr := ns.Lookup(t, newDir, newName)
	switch {
	case derr == nil:
		if dst.Mount != newDir.Mount {
			return 0, unix.EBUSY
		}
		if dst.Dentry == src.Dentry {
			return 0, nil // the same file: rename does nothing
		}
		if flags&unix.RENAME_NOREPLACE != 0 {
			return 0, unix.EEXIST
		}
	case derr == unix.ENOENT:
		if flags&unix.RENAME_EXCHANGE != 0 {
			return 0, unix.ENOENT
		}
	default:
		return 0, derr
	}
	owd, err := mayWriteDir(t, oldDir)
	if err != nil {
		return 0, err
	}
	if _, err := mayWriteDir(t, newDir); err != nil {
		return 0, err
	}
	if err := mayDelete(t, oldDir, src); err != nil {
		return 0, err
	}
	if derr == nil {
		if err := mayDelete(t, newDir, dst); err != nil {
			return 0, err
		}
	}
	ndir, ok := newDir.Inode().(vfs.DirInode)
	if !ok {
		return 0, unix.ENOTDIR
	}
	if err := owd.Rename(t, oldName, ndir, newName, flags); err != nil {
		return 0, err
	}
	if m, ok := src.Inode().(interface {
		Moved(vfs.Inode, string)
	}); ok {
		m.Moved(newDir.Inode(), newName)
	}
	var replaced vfs.VirtualDentry
	if derr == nil {
		replaced = dst
	}
	inotify.Renamed(t, oldDir, oldName, newDir, newName, src, replaced, flags&unix.RENAME_EXCHANGE != 0)
	ns.Renamed(oldDir.Dentry, oldName, newDir.Dentry, newName, flags&unix.RENAME_EXCHANGE != 0)
	return 0, nil
}

// Rename implements rename(2).
func Rename(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	return renameat2(t, unix.AT_FDCWD, a[0], unix.AT_FDCWD, a[1], 0)
}

// Renameat implements renameat(2).
func Renameat(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	return renameat2(t, int32(a[0]), a[1], int32(a[2]), a[3], 0)
}

// Renameat2 implements renameat2(2).
func Renameat2(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	return renameat2(t, int32(a[0]), a[1], int32(a[2]), a[3], uint(a[4]))
}
