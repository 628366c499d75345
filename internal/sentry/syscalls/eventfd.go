package syscalls

import (
	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/fs/eventfd"
	"github.com/moat-sandbox/moat/internal/sentry/kernel"
	"github.com/moat-sandbox/moat/internal/sentry/vfs"
)

func init() {
	register(map[uintptr]Syscall{
		unix.SYS_EVENTFD:  {Handler: Eventfd, Args: []Arg{AUint}},
		unix.SYS_EVENTFD2: {Handler: Eventfd2, Args: []Arg{AUint, AHex}},
	})
}

// Eventfd implements eventfd(2) without flags.
func Eventfd(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	return newEventfd(t, uint32(a[0]), 0)
}

// Eventfd2 implements eventfd2: eventfd(2) with EFD_SEMAPHORE,
// EFD_NONBLOCK and EFD_CLOEXEC.
func Eventfd2(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	return newEventfd(t, uint32(a[0]), uint32(a[1]))
}

func newEventfd(t *kernel.Task, initval, flags uint32) (uintptr, error) {
	if flags&^(unix.EFD_SEMAPHORE|unix.EFD_NONBLOCK|unix.EFD_CLOEXEC) != 0 {
		return 0, unix.EINVAL
	}
	nonblock := flags&unix.EFD_NONBLOCK != 0
	e := eventfd.New(uint64(initval), flags&unix.EFD_SEMAPHORE != 0, nonblock)
	return installAnon(t, e, unix.O_RDWR, nonblock, flags&unix.EFD_CLOEXEC != 0)
}

// installAnon gives an anonymous-inode file (eventfd, timerfd, signalfd,
// inotify) a new fd. Its description holds the access mode and
// O_NONBLOCK, as Linux's anon_inode_getfd keeps.
func installAnon(t *kernel.Task, impl vfs.FileImpl, access int, nonblock, cloexec bool) (uintptr, error) {
	flags := access
	if nonblock {
		flags |= unix.O_NONBLOCK
	}
	f := vfs.NewFile(impl, vfs.VirtualDentry{}, flags)
	defer f.DecRef()
	fd, err := t.FDTable().NewFD(f, 0, cloexec, nofile(t))
	return uintptr(fd), err
}
