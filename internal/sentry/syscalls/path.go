package syscalls

import (
	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/kernel"
	"github.com/moat-sandbox/moat/internal/sentry/vfs"
)

// copyInPath reads a path argument: ENAMETOOLONG at PATH_MAX with its NUL,
// ENOENT when empty (unless allowEmpty, for AT_EMPTY_PATH).
func copyInPath(t *kernel.Task, addr uintptr, allowEmpty bool) (string, error) {
	p, err := t.CopyInString(addr, unix.PathMax-1)
	if err != nil {
		return "", err
	}
	if p == "" && !allowEmpty {
		return "", unix.ENOENT
	}
	return p, nil
}

// walkOpts says where a path given with dirfd starts.
func walkOpts(t *kernel.Task, dirfd int32, path string, follow bool) (vfs.WalkOpts, error) {
	fs := t.FS()
	o := vfs.WalkOpts{Root: fs.Root(), FollowFinal: follow}
	switch {
	case len(path) > 0 && path[0] == '/':
		o.Start = o.Root
	case dirfd == unix.AT_FDCWD:
		o.Start = fs.Cwd()
	default:
		vd, err := dirfdDentry(t, dirfd)
		if err != nil {
			return o, err
		}
		st, err := vd.Inode().Stat(t)
		if err != nil {
			return o, err
		}
		if !st.IsDir() {
			return o, unix.ENOTDIR
		}
		o.Start = vd
	}
	return o, nil
}

// dirfdDentry is the point an fd was opened at.
func dirfdDentry(t *kernel.Task, fd int32) (vfs.VirtualDentry, error) {
	f, _, err := t.FDTable().Get(fd)
	if err != nil {
		return vfs.VirtualDentry{}, err
	}
	defer f.DecRef()
	vd := f.VirtualDentry()
	if !vd.Ok() {
		return vfs.VirtualDentry{}, unix.ENOTDIR
	}
	return vd, nil
}

// resolve walks path from dirfd.
func resolve(t *kernel.Task, dirfd int32, path string, follow bool) (vfs.VirtualDentry, error) {
	o, err := walkOpts(t, dirfd, path, follow)
	if err != nil {
		return vfs.VirtualDentry{}, err
	}
	return t.Mounts().Walk(t, path, o)
}

// resolveAtFlags resolves a *at call's path with AT_SYMLINK_NOFOLLOW and
// AT_EMPTY_PATH. An empty path with AT_EMPTY_PATH names dirfd itself (or
// the cwd for AT_FDCWD).
func resolveAtFlags(t *kernel.Task, dirfd int32, pathAddr uintptr, flags int) (vfs.VirtualDentry, error) {
	path, err := copyInPath(t, pathAddr, flags&unix.AT_EMPTY_PATH != 0)
	if err != nil {
		return vfs.VirtualDentry{}, err
	}
	if path == "" {
		if dirfd == unix.AT_FDCWD {
			return t.FS().Cwd(), nil
		}
		return dirfdDentry(t, dirfd)
	}
	return resolve(t, dirfd, path, flags&unix.AT_SYMLINK_NOFOLLOW == 0)
}

// resolveParent walks to the directory that will hold path's last
// component.
func resolveParent(t *kernel.Task, dirfd int32, path string) (vfs.VirtualDentry, string, bool, error) {
	o, err := walkOpts(t, dirfd, path, true)
	if err != nil {
		return vfs.VirtualDentry{}, "", false, err
	}
	return t.Mounts().WalkParent(t, path, o)
}

// mayWriteDir checks that the caller may add or remove entries in dir.
func mayWriteDir(t *kernel.Task, dir vfs.VirtualDentry) (vfs.WritableDir, error) {
	st, err := dir.Inode().Stat(t)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return nil, unix.ENOTDIR
	}
	if err := vfs.Permission(t.Creds(), &st, vfs.MayWrite|vfs.MayExec); err != nil {
		return nil, err
	}
	if dir.Mount.ReadOnly() {
		return nil, unix.EROFS
	}
	wd, ok := dir.Inode().(vfs.WritableDir)
	if !ok {
		return nil, unix.EROFS
	}
	return wd, nil
}

// mayDelete checks the sticky bit rule: in a sticky directory only the
// owner of the entry or of the directory (or CAP_FOWNER) may remove it.
func mayDelete(t *kernel.Task, dir, child vfs.VirtualDentry) error {
	dst, err := dir.Inode().Stat(t)
	if err != nil {
		return err
	}
	if dst.Mode&unix.S_ISVTX == 0 {
		return nil
	}
	cst, err := child.Inode().Stat(t)
	if err != nil {
		return err
	}
	c := t.Creds()
	if c.FilesystemUID == cst.UID || c.FilesystemUID == dst.UID || c.HasCap(vfs.CapFowner) {
		return nil
	}
	return unix.EPERM
}

// newFileOwner is the owner of a new file in dir: the caller's filesystem
// IDs, the directory's group when it is set-group-ID.
func newFileOwner(t *kernel.Task, dir vfs.VirtualDentry) (uint32, uint32, bool) {
	c := t.Creds()
	st, err := dir.Inode().Stat(t)
	if err == nil && st.Mode&unix.S_ISGID != 0 {
		return c.FilesystemUID, st.GID, true
	}
	return c.FilesystemUID, c.FilesystemGID, false
}
