package syscalls

import (
	"time"

	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/kernel"
	"github.com/moat-sandbox/moat/internal/sentry/linux"
	"github.com/moat-sandbox/moat/internal/sentry/vfs"
	"github.com/moat-sandbox/moat/internal/sentry/waiter"
)

func init() {
	register(map[uintptr]Syscall{
		unix.SYS_RT_SIGTIMEDWAIT:   {Handler: RtSigtimedwait, Args: []Arg{APtr, APtr, APtr, AUint}},
		unix.SYS_RT_SIGQUEUEINFO:   {Handler: RtSigqueueinfo, Args: []Arg{AInt, ASignal, APtr}},
		unix.SYS_RT_TGSIGQUEUEINFO: {Handler: RtTgsigqueueinfo, Args: []Arg{AInt, AInt, ASignal, APtr}},
		unix.SYS_PIDFD_OPEN:        {Handler: PidfdOpen, Status: Partial, Note: "no PIDFD_THREAD", Args: []Arg{AInt, AHex}},
		unix.SYS_PIDFD_SEND_SIGNAL: {Handler: PidfdSendSignal, Args: []Arg{AFD, ASignal, APtr, AHex}},
	})
}

// RtSigtimedwait implements rt_sigtimedwait(2).
func RtSigtimedwait(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	if a[3] != sizeofSigset {
		return 0, unix.EINVAL
	}
	v, err := copyInUint64(t, a[0])
	if err != nil {
		return 0, err
	}
	var deadline time.Time
	if a[2] != 0 {
		ts, err := copyInTimespec(t, a[2])
		if err != nil {
			return 0, err
		}
		deadline = time.Now().Add(timespecToDuration(ts))
		if ts.Sec == 0 && ts.Nsec == 0 {
			deadline = time.Now() // poll
		}
	}
	info, err := t.SigTimedWait(linux.SignalSet(v), deadline)
	if err != nil {
		return 0, err
	}
	if a[1] != 0 {
		b := make([]byte, linux.SizeofSignalInfo)
		info.Marshal(b)
		if err := t.CopyOut(a[1], b); err != nil {
			return 0, err
		}
	}
	return uintptr(info.Signo), nil
}

// queuedInfo reads the siginfo of rt_sigqueueinfo: a process may not
// pretend to be the kernel or kill(2) when signalling another process.
func queuedInfo(t *kernel.Task, sig linux.Signal, addr uintptr, self bool) (*linux.SignalInfo, error) {
	b := make([]byte, linux.SizeofSignalInfo)
	if err := t.CopyIn(addr, b); err != nil {
		return nil, err
	}
	info := &linux.SignalInfo{}
	info.Unmarshal(b)
	if (info.Code >= 0 || info.Code == linux.SI_TKILL) && !self {
		return nil, unix.EPERM
	}
	info.Signo = int32(sig)
	return info, nil
}

// RtSigqueueinfo implements rt_sigqueueinfo(2).
func RtSigqueueinfo(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	pid, sig := int32(a[0]), linux.Signal(a[1])
	if !sig.Valid() {
		return 0, unix.EINVAL
	}
	tg := t.Kernel().GroupByTGID(pid)
	if tg == nil || tg.Leader() == nil {
		return 0, unix.ESRCH
	}
	info, err := queuedInfo(t, sig, a[2], tg == t.ThreadGroup())
	if err != nil {
		return 0, err
	}
	if !mayKill(t, tg.Leader()) {
		return 0, unix.EPERM
	}
	return 0, tg.SendSignal(info)
}

// RtTgsigqueueinfo implements rt_tgsigqueueinfo(2).
func RtTgsigqueueinfo(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	tgid, tid, sig := int32(a[0]), int32(a[1]), linux.Signal(a[2])
	if tgid <= 0 || tid <= 0 || !sig.Valid() {
		return 0, unix.EINVAL
	}
	target := t.Kernel().TaskByTID(tid)
	if target == nil || target.TGID() != tgid {
		return 0, unix.ESRCH
	}
	info, err := queuedInfo(t, sig, a[3], target.ThreadGroup() == t.ThreadGroup())
	if err != nil {
		return 0, err
	}
	if !mayKill(t, target) {
		return 0, unix.EPERM
	}
	return 0, target.SendSignal(info)
}

// pidFile is a pidfd: an fd that names a process.
type pidFile struct {
	tg *kernel.ThreadGroup
}

func (p *pidFile) Stat(ctx vfs.Context) (vfs.Stat, error) {
	return vfs.Stat{Mode: 0o600, Nlink: 1, Blksize: 4096}, nil
}
func (p *pidFile) Release() {}

// Readiness implements waiter.Waitable as Linux's pidfd_poll: readable once
// every thread of the process has exited, and hung up too once it has
// been reaped.
func (p *pidFile) Readiness(mask waiter.EventMask) waiter.EventMask {
	var r waiter.EventMask
	switch {
	case p.tg.Reaped():
		r = waiter.ReadableEvents | waiter.EventHup
	case p.tg.Exited():
		r = waiter.ReadableEvents
	}
	return r & (mask | waiter.AlwaysReported)
}

func (p *pidFile) EventRegister(e *waiter.Entry, mask waiter.EventMask) {
	p.tg.ExitQueue().Register(e, mask)
}

func (p *pidFile) EventUnregister(e *waiter.Entry) { p.tg.ExitQueue().Unregister(e) }

// PidfdOpen implements pidfd_open(2).
func PidfdOpen(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	pid, flags := int32(a[0]), a[1]
	if flags&^unix.O_NONBLOCK != 0 || pid <= 0 {
		return 0, unix.EINVAL
	}
	tg := t.Kernel().GroupByTGID(pid)
	if tg == nil {
		return 0, unix.ESRCH
	}
	f := vfs.NewFile(&pidFile{tg}, vfs.VirtualDentry{}, unix.O_RDWR|int(flags))
	defer f.DecRef()
	fd, err := t.FDTable().NewFD(f, 0, true, nofile(t))
	return uintptr(fd), err
}

// PidfdSendSignal implements pidfd_send_signal(2).
func PidfdSendSignal(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	if a[3] != 0 {
		return 0, unix.EINVAL
	}
	f, err := getFile(t, a[0])
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	pf, ok := f.Impl().(*pidFile)
	if !ok {
		return 0, unix.EBADF
	}
	sig := linux.Signal(a[1])
	if sig != 0 && !sig.Valid() {
		return 0, unix.EINVAL
	}
	// A zombie still has its PID (kill(2) finds it too): only a reaped
	// process is gone.
	if t.Kernel().GroupByTGID(pf.tg.TGID()) != pf.tg || pf.tg.Leader() == nil {
		return 0, unix.ESRCH
	}
	if !mayKill(t, pf.tg.Leader()) {
		return 0, unix.EPERM
	}
	if sig == 0 {
		return 0, nil
	}
	info := userInfo(t, sig, linux.SI_USER)
	if a[2] != 0 {
		if info, err = queuedInfo(t, sig, a[2], pf.tg == t.ThreadGroup()); err != nil {
			return 0, err
		}
	}
	return 0, pf.tg.SendSignal(info)
}
