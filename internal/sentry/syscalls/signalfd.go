package syscalls

import (
	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/fs/signalfd"
	"github.com/moat-sandbox/moat/internal/sentry/kernel"
	"github.com/moat-sandbox/moat/internal/sentry/linux"
)

// signalfdNote says where moat's signalfd differs from Linux's.
const signalfdNote = "poll, select and epoll report a signalfd readable for the thread that last read it, " +
	"created it or changed its mask, not for the polling thread (Linux: the poller)"

func init() {
	register(map[uintptr]Syscall{
		unix.SYS_SIGNALFD:  {Handler: Signalfd, Status: Partial, Note: signalfdNote, Args: []Arg{AFD, APtr, AUint}},
		unix.SYS_SIGNALFD4: {Handler: Signalfd4, Status: Partial, Note: signalfdNote, Args: []Arg{AFD, APtr, AUint, AHex}},
	})
}

// Signalfd implements signalfd(2) without flags.
func Signalfd(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	return doSignalfd(t, int32(a[0]), a[1], a[2], 0)
}

// Signalfd4 implements signalfd4: signalfd(2) with SFD_NONBLOCK and
// SFD_CLOEXEC.
func Signalfd4(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	return doSignalfd(t, int32(a[0]), a[1], a[2], uint32(a[3]))
}

// doSignalfd makes a signalfd for the set at maskAddr, or, when fd is not
// -1, changes the set of the signalfd at fd.
func doSignalfd(t *kernel.Task, fd int32, maskAddr, size uintptr, flags uint32) (uintptr, error) {
	if size != sizeofSigset {
		return 0, unix.EINVAL
	}
	v, err := copyInUint64(t, maskAddr)
	if err != nil {
		return 0, err
	}
	if flags&^uint32(unix.SFD_CLOEXEC|unix.SFD_NONBLOCK) != 0 {
		return 0, unix.EINVAL
	}
	mask := linux.SignalSet(v)
	if fd == -1 {
		nonblock := flags&unix.SFD_NONBLOCK != 0
		s := signalfd.New(t, kernel.SignalQueue(), mask, nonblock)
		return installAnon(t, s, unix.O_RDWR, nonblock, flags&unix.SFD_CLOEXEC != 0)
	}
	f, err := getFile(t, uintptr(fd))
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	s, ok := f.Impl().(*signalfd.SignalFD)
	if !ok {
		return 0, unix.EINVAL
	}
	s.SetMask(t, mask)
	return uintptr(fd), nil
}
