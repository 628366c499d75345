package syscalls

import (
	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/kernel"
	"github.com/moat-sandbox/moat/internal/sentry/vfs"
)

func init() {
	register(map[uintptr]Syscall{
		unix.SYS_GETDENTS:   {Handler: Getdents, Args: []Arg{AFD, APtr, AUint}},
		unix.SYS_GETDENTS64: {Handler: Getdents64, Args: []Arg{AFD, APtr, AUint}},
		unix.SYS_GETCWD:     {Handler: Getcwd, Args: []Arg{APtr, AUint}},
		unix.SYS_CHDIR:      {Handler: Chdir, Args: []Arg{APath}},
		unix.SYS_FCHDIR:     {Handler: Fchdir, Args: []Arg{AFD}},
		unix.SYS_CHROOT:     {Handler: Chroot, Args: []Arg{APath}},
		unix.SYS_UMASK:      {Handler: Umask, Args: []Arg{AOctal}},
	})
}

// getdents fills the buffer with entries encoded by enc, as many as fit.
func getdents(t *kernel.Task, a kernel.SyscallArgs, enc func(b []byte, e vfs.Dirent, next int64) []byte) (uintptr, error) {
	f, err := getOpenFile(t, a[0])
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	size := int(min(a[2], 1<<20))
	var out []byte
	tooSmall := false
	err = f.ReadDir(t, func(ents []vfs.Dirent, start int64) int {
		n := 0
		for i, e := range ents {
			next := enc(out, e, start+int64(i)+1)
			if len(next) > size {
				tooSmall = i == 0 && len(out) == 0
				break
			}
			out = next
			n++
		}
		return n
	})
	if err != nil {
		return 0, err
	}
	if tooSmall {
		return 0, unix.EINVAL
	}
	return uintptr(len(out)), t.CopyOut(a[1], out)
}

// Getdents64 implements getdents64(2): struct linux_dirent64 records.
func Getdents64(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	return getdents(t, a, func(b []byte, e vfs.Dirent, off int64) []byte {
		reclen := (19 + len(e.Name) + 1 + 7) &^ 7
		rec := make([]byte, reclen)
		le.PutUint64(rec[0:], e.Ino)
		le.PutUint64(rec[8:], uint64(off))
		le.PutUint16(rec[16:], uint16(reclen))
		rec[18] = e.Type
		copy(rec[19:], e.Name)
		return append(b, rec...)
	})
}

// Getdents implements getdents(2): struct linux_dirent, the type in the
// record's last byte.
func Getdents(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	return getdents(t, a, func(b []byte, e vfs.Dirent, off int64) []byte {
		reclen := (18 + len(e.Name) + 2 + 7) &^ 7
		rec := make([]byte, reclen)
		le.PutUint64(rec[0:], e.Ino)
		le.PutUint64(rec[8:], uint64(off))
		le.PutUint16(rec[16:], uint16(reclen))
		copy(rec[18:], e.Name)
		rec[reclen-1] = e.Type
		return append(b, rec...)
	})
}

// Getcwd implements getcwd(2).
func Getcwd(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	fs := t.FS()
	cwd := fs.Cwd()
	path := cwd.PathFrom(fs.Root())
	if cwd.Dentry.Deleted() {
		return 0, unix.ENOENT
	}
	b := append([]byte(path), 0)
	if uintptr(len(b)) > a[1] {
		return 0, unix.ERANGE
	}
	return uintptr(len(b)), t.CopyOut(a[0], b)
}

func chdirTo(t *kernel.Task, vd vfs.VirtualDentry) error {
	st, err := vd.Inode().Stat(t)
	if err != nil {
		return err
	}
	if !st.IsDir() {
		return unix.ENOTDIR
	}
	if err := vfs.Permission(t.Creds(), &st, vfs.MayExec); err != nil {
		return err
	}
	t.FS().SetCwd(vd)
	return nil
}

// Chdir implements chdir(2).
func Chdir(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	path, err := copyInPath(t, a[0], false)
	if err != nil {
		return 0, err
	}
	vd, err := resolve(t, unix.AT_FDCWD, path, true)
	if err != nil {
		return 0, err
	}
	return 0, chdirTo(t, vd)
}

// Fchdir implements fchdir(2).
func Fchdir(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	vd, err := dirfdDentry(t, int32(a[0]))
	if err != nil {
		if err == unix.ENOTDIR {
			if _, err2 := getFile(t, a[0]); err2 != nil {
				return 0, err2
			}
		}
		return 0, err
	}
	return 0, chdirTo(t, vd)
}

// Chroot implements chroot(2).
func Chroot(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	if !t.Creds().HasCap(18) { // CAP_SYS_CHROOT
		return 0, unix.EPERM
	}
	path, err := copyInPath(t, a[0], false)
	if err != nil {
		return 0, err
	}
	vd, err := resolve(t, unix.AT_FDCWD, path, true)
	if err != nil {
		return 0, err
	}
	st, err := vd.Inode().Stat(t)
	if err != nil {
		return 0, err
	}
	if !st.IsDir() {
		return 0, unix.ENOTDIR
	}
	if err := vfs.Permission(t.Creds(), &st, vfs.MayExec); err != nil {
		return 0, err
	}
	t.FS().SetRoot(vd)
	return 0, nil
}

// Umask implements umask(2).
func Umask(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	return uintptr(t.FS().SwapUmask(uint32(a[0]))), nil
}
