package syscalls

import (
	"time"

	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/fs/epoll"
	"github.com/moat-sandbox/moat/internal/sentry/kernel"
	"github.com/moat-sandbox/moat/internal/sentry/vfs"
	"github.com/moat-sandbox/moat/internal/sentry/waiter"
)

func init() {
	register(map[uintptr]Syscall{
		unix.SYS_EPOLL_CREATE:  {Handler: EpollCreate, Args: []Arg{AInt}},
		unix.SYS_EPOLL_CREATE1: {Handler: EpollCreate1, Args: []Arg{AHex}},
		unix.SYS_EPOLL_CTL:     {Handler: EpollCtl, Args: []Arg{AFD, AInt, AFD, APtr}},
		unix.SYS_EPOLL_WAIT:    {Handler: EpollWait, Args: []Arg{AFD, APtr, AInt, AInt}},
		unix.SYS_EPOLL_PWAIT:   {Handler: EpollPwait, Args: []Arg{AFD, APtr, AInt, AInt, APtr, AUint}},
		unix.SYS_EPOLL_PWAIT2:  {Handler: EpollPwait2, Args: []Arg{AFD, APtr, AInt, APtr, APtr, AUint}},
	})
}

// sizeofEpollEvent is struct epoll_event on x86-64 (packed: u32, u64).
const sizeofEpollEvent = 12

func newEpoll(t *kernel.Task, flags int) (uintptr, error) {
	f := vfs.NewFile(epoll.New(), vfs.VirtualDentry{}, unix.O_RDWR)
	defer f.DecRef()
	fd, err := t.FDTable().NewFD(f, 0, flags&unix.EPOLL_CLOEXEC != 0, nofile(t))
	return uintptr(fd), err
}

// EpollCreate implements epoll_create(2).
func EpollCreate(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	if int32(a[0]) <= 0 {
		return 0, unix.EINVAL
	}
	return newEpoll(t, 0)
}

// EpollCreate1 implements epoll_create1(2).
func EpollCreate1(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	if a[0]&^unix.EPOLL_CLOEXEC != 0 {
		return 0, unix.EINVAL
	}
	return newEpoll(t, int(a[0]))
}

func epollOf(t *kernel.Task, fd uintptr) (*vfs.File, *epoll.EventPoll, error) {
	f, err := getFile(t, fd)
	if err != nil {
		return nil, nil, err
	}
	ep, ok := f.Impl().(*epoll.EventPoll)
	if !ok {
		f.DecRef()
		return nil, nil, unix.EINVAL
	}
	return f, ep, nil
}

// EpollCtl implements epoll_ctl(2).
func EpollCtl(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	op, fd := int(a[1]), int32(a[2])
	var events waiter.EventMask
	var data uint64
	if op != unix.EPOLL_CTL_DEL {
		var b [sizeofEpollEvent]byte
		if err := t.CopyIn(a[3], b[:]); err != nil {
			return 0, err
		}
		events, data = waiter.EventMask(le.Uint32(b[0:])), le.Uint64(b[4:])
	}
	epf, ep, err := epollOf(t, a[0])
	if err != nil {
		return 0, err
	}
	defer epf.DecRef()
	target, err := getFile(t, uintptr(fd))
	if err != nil {
		return 0, err
	}
	defer target.DecRef()
	if target == epf {
		return 0, unix.EINVAL
	}
	if events&epoll.EPOLLEXCLUSIVE != 0 && events&^(epoll.EPOLLEXCLUSIVE|epoll.EPOLLET|epoll.EPOLLWAKEUP|
		waiter.EventIn|waiter.EventOut|waiter.EventErr|waiter.EventHup) != 0 {
		return 0, unix.EINVAL
	}
	switch op {
	case unix.EPOLL_CTL_ADD:
		return 0, ep.Add(fd, target, events, data)
	case unix.EPOLL_CTL_MOD:
		return 0, ep.Modify(fd, target, events, data)
	case unix.EPOLL_CTL_DEL:
		return 0, ep.Delete(fd, target)
	}
	return 0, unix.EINVAL
}

// epollWait waits for events until deadline (zero: forever; zero with
// noWait: do not wait).
func epollWait(t *kernel.Task, epfd, out uintptr, max int, deadline time.Time, noWait bool) (uintptr, error) {
	if max <= 0 || max > (1<<31-1)/sizeofEpollEvent {
		return 0, unix.EINVAL
	}
	f, ep, err := epollOf(t, epfd)
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	entry := waiter.NewEntry()
	registered := false
	defer func() {
		if registered {
			ep.EventUnregister(entry)
		}
	}()
	for {
		events := ep.Collect(t, max)
		if len(events) > 0 {
			b := make([]byte, len(events)*sizeofEpollEvent)
			for i, e := range events {
				le.PutUint32(b[i*sizeofEpollEvent:], uint32(e.Events))
				le.PutUint64(b[i*sizeofEpollEvent+4:], e.Data)
			}
			if err := t.CopyOut(out, b); err != nil {
				return 0, err
			}
			return uintptr(len(events)), nil
		}
		if noWait {
			return 0, nil
		}
		if !registered {
			registered = true
			ep.EventRegister(entry, waiter.ReadableEvents)
			continue // look again: an event may have come meanwhile
		}
		if err := t.Block(entry.C(), deadline); err != nil {
			if err == unix.ETIMEDOUT {
				return 0, nil
			}
			return 0, err
		}
	}
}

// EpollWait implements epoll_wait(2).
func EpollWait(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	timeout := int32(a[3])
	var deadline time.Time
	if timeout > 0 {
		deadline = time.Now().Add(time.Duration(timeout) * time.Millisecond)
	}
	n, err := epollWait(t, a[0], a[1], int(int32(a[2])), deadline, timeout == 0)
	if err == vfs.ErrInterrupted {
		return 0, unix.EINTR // epoll_wait is never restarted
	}
	return n, err
}

// EpollPwait implements epoll_pwait(2).
func EpollPwait(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	masked, err := setMaskFor(t, a[4], a[5])
	if err != nil {
		return 0, err
	}
	timeout := int32(a[3])
	var deadline time.Time
	if timeout > 0 {
		deadline = time.Now().Add(time.Duration(timeout) * time.Millisecond)
	}
	n, err := epollWait(t, a[0], a[1], int(int32(a[2])), deadline, timeout == 0)
	if err == vfs.ErrInterrupted {
		return 0, unix.EINTR
	}
	if masked {
		t.RestoreSavedMask()
	}
	return n, err
}

// EpollPwait2 implements epoll_pwait2(2): a timespec timeout.
func EpollPwait2(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	deadline, zero, err := timeoutFrom(t, a[3])
	if err != nil {
		return 0, err
	}
	masked, err := setMaskFor(t, a[4], a[5])
	if err != nil {
		return 0, err
	}
	n, err := epollWait(t, a[0], a[1], int(int32(a[2])), deadline, zero)
	if err == vfs.ErrInterrupted {
		return 0, unix.EINTR
	}
	if masked {
		t.RestoreSavedMask()
	}
	return n, err
}
