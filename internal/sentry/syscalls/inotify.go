package syscalls

import (
	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/fs/inotify"
	"github.com/moat-sandbox/moat/internal/sentry/kernel"
	"github.com/moat-sandbox/moat/internal/sentry/vfs"
)

// inotifyNote says where moat's inotify differs from Linux's.
const inotifyNote = "events come from the Sentry's own operations only (not from host changes to host-backed files); " +
	"IN_DELETE_SELF comes at the last unlink even while the file is open; no IN_UNMOUNT; " +
	"hard links reached through different names of a host directory may be watched as different files"

func init() {
	register(map[uintptr]Syscall{
		unix.SYS_INOTIFY_INIT:      {Handler: InotifyInit},
		unix.SYS_INOTIFY_INIT1:     {Handler: InotifyInit1, Args: []Arg{AHex}},
		unix.SYS_INOTIFY_ADD_WATCH: {Handler: InotifyAddWatch, Status: Partial, Note: inotifyNote, Args: []Arg{AFD, APath, AHex}},
		unix.SYS_INOTIFY_RM_WATCH:  {Handler: InotifyRmWatch, Args: []Arg{AFD, AInt}},
	})
}

// InotifyInit implements inotify_init(2).
func InotifyInit(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	return newInotify(t, 0)
}

// InotifyInit1 implements inotify_init1(2): IN_NONBLOCK and IN_CLOEXEC.
func InotifyInit1(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	return newInotify(t, uint32(a[0]))
}

func newInotify(t *kernel.Task, flags uint32) (uintptr, error) {
	if flags&^uint32(unix.IN_NONBLOCK|unix.IN_CLOEXEC) != 0 {
		return 0, unix.EINVAL
	}
	nonblock := flags&unix.IN_NONBLOCK != 0
	return installAnon(t, inotify.New(nonblock), unix.O_RDONLY, nonblock, flags&unix.IN_CLOEXEC != 0)
}

// inotifyOf returns the inotify instance at fd: EBADF if fd is not open,
// EINVAL if it is another kind of file.
func inotifyOf(t *kernel.Task, fd uintptr) (*vfs.File, *inotify.Inotify, error) {
	f, err := getFile(t, fd)
	if err != nil {
		return nil, nil, err
	}
	in, ok := f.Impl().(*inotify.Inotify)
	if !ok {
		f.DecRef()
		return nil, nil, unix.EINVAL
	}
	return f, in, nil
}

// InotifyAddWatch implements inotify_add_watch(2).
func InotifyAddWatch(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	mask := uint32(a[2])
	if mask&inotify.AllBits == 0 || mask&inotify.InMaskAdd != 0 && mask&inotify.InMaskCreate != 0 {
		return 0, unix.EINVAL
	}
	f, in, err := inotifyOf(t, a[0])
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	atFlags := 0
	if mask&inotify.InDontFollow != 0 {
		atFlags = unix.AT_SYMLINK_NOFOLLOW
	}
	vd, err := resolveAtFlags(t, unix.AT_FDCWD, a[1], atFlags)
	if err != nil {
		return 0, err
	}
	st, err := vd.Inode().Stat(t)
	if err != nil {
		return 0, err
	}
	if mask&inotify.InOnlyDir != 0 && !st.IsDir() {
		return 0, unix.ENOTDIR
	}
	if err := vfs.Permission(t.Creds(), &st, vfs.MayRead); err != nil {
		return 0, err
	}
	wd, err := in.AddWatch(vd.Inode(), mask)
	return uintptr(wd), err
}

// InotifyRmWatch implements inotify_rm_watch(2).
func InotifyRmWatch(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	f, in, err := inotifyOf(t, a[0])
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	return 0, in.RemoveWatch(int32(a[1]))
}
