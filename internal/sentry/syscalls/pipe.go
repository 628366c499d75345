package syscalls

import (
	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/fs/pipe"
	"github.com/moat-sandbox/moat/internal/sentry/kernel"
	"github.com/moat-sandbox/moat/internal/sentry/vfs"
)

func init() {
	register(map[uintptr]Syscall{
		unix.SYS_PIPE:  {Handler: Pipe, Args: []Arg{APtr}},
		unix.SYS_PIPE2: {Handler: Pipe2, Status: Partial, Note: "O_NOTIFICATION_PIPE gives ENOPKG", Args: []Arg{APtr, AOpenFlags}},
	})
}

// fionread is FIONREAD (ioctl_list(2)): the bytes waiting to be read.
const fionread = 0x541b

// oNotificationPipe is O_NOTIFICATION_PIPE (watch_queue(7)), O_EXCL's bit.
const oNotificationPipe = unix.O_EXCL

// Pipe implements pipe(2).
func Pipe(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	return 0, pipe2(t, a[0], 0)
}

// Pipe2 implements pipe2(2).
func Pipe2(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	return 0, pipe2(t, a[0], int(int32(a[1])))
}

func pipe2(t *kernel.Task, addr uintptr, flags int) error {
	if uint(flags)&^uint(unix.O_CLOEXEC|unix.O_NONBLOCK|unix.O_DIRECT|oNotificationPipe) != 0 {
		return unix.EINVAL
	}
	if flags&oNotificationPipe != 0 {
		return unix.ENOPKG // a kernel without CONFIG_WATCH_QUEUE
	}
	r, w := pipe.NewPair(t, flags)
	defer r.DecRef()
	defer w.DecRef()
	cloexec := flags&unix.O_CLOEXEC != 0
	fds := t.FDTable()
	rfd, err := fds.NewFD(r, 0, cloexec, nofile(t))
	if err != nil {
		return err
	}
	wfd, err := fds.NewFD(w, 0, cloexec, nofile(t))
	if err != nil {
		fds.Remove(rfd)
		return err
	}
	var b [8]byte
	le.PutUint32(b[0:], uint32(rfd))
	le.PutUint32(b[4:], uint32(wfd))
	if err := t.CopyOut(addr, b[:]); err != nil {
		fds.Remove(rfd)
		fds.Remove(wfd)
		return err
	}
	return nil
}

// statusFlagsFollower is a file that keeps its own copy of its
// description's status flags (a pipe end): F_SETFL and FIONBIO tell it.
type statusFlagsFollower interface {
	SetStatusFlags(flags int)
}

// setStatusFlags changes f's status flags (F_SETFL, FIONBIO).
func setStatusFlags(f *vfs.File, flags int) {
	f.SetFlags(flags)
	if s, ok := f.Impl().(statusFlagsFollower); ok {
		s.SetStatusFlags(f.Flags())
	}
}

// hostPipeSize implements F_GETPIPE_SZ and F_SETPIPE_SZ on a host pipe
// the sandbox was given (stdio on a pipe): the host pipe answers. Any
// other file is EBADF, as it is no pipe.
func hostPipeSize(t *kernel.Task, f *vfs.File, cmd int, size uint32) (uintptr, error) {
	h, ok := f.Impl().(interface{ HostFD() int })
	if !ok || f.VirtualDentry().Ok() {
		return 0, unix.EBADF
	}
	if st, err := f.Stat(t); err != nil || st.Type() != unix.S_IFIFO {
		return 0, unix.EBADF
	}
	n, err := unix.FcntlInt(uintptr(h.HostFD()), cmd, int(size))
	return uintptr(n), err
}

// pipeOf returns the pipe behind f, a pipe's or a FIFO's end, or nil.
func pipeOf(f *vfs.File) *pipe.Pipe {
	if e, ok := f.Impl().(*pipe.End); ok {
		return e.Pipe()
	}
	return nil
}
