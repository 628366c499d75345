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
		unix.SYS_POLL:     {Handler: Poll, Args: []Arg{APtr, AUint, AInt}},
		unix.SYS_PPOLL:    {Handler: Ppoll, Args: []Arg{APtr, AUint, APtr, APtr, AUint}},
		unix.SYS_SELECT:   {Handler: Select, Args: []Arg{AInt, APtr, APtr, APtr, APtr}},
		unix.SYS_PSELECT6: {Handler: Pselect6, Args: []Arg{AInt, APtr, APtr, APtr, APtr, APtr}},
	})
}

// pollItem is one fd being polled.
type pollItem struct {
	fd      int32
	events  waiter.EventMask
	revents waiter.EventMask
	file    *vfs.File
	entry   *waiter.Entry
}

// doPoll waits until one of the items is ready, the deadline passes, or
// the task is interrupted (vfs.ErrInterrupted). zero means "do not wait";
// a zero deadline otherwise means forever. It returns how many are ready.
func doPoll(t *kernel.Task, items []pollItem, deadline time.Time, zero bool) (int, error) {
	wake := make(chan struct{}, 1)
	for i := range items {
		if items[i].fd < 0 {
			continue
		}
		f, err := getFile(t, uintptr(items[i].fd))
		if err == nil {
			items[i].file = f
		}
	}
	defer func() {
		for i := range items {
			it := &items[i]
			if it.entry != nil {
				it.file.Impl().(waiter.Waitable).EventUnregister(it.entry)
			}
			if it.file != nil {
				it.file.DecRef()
			}
		}
	}()
	registered := false
	for {
		n := 0
		for i := range items {
			it := &items[i]
			it.revents = 0
			switch {
			case it.fd < 0:
			case it.file == nil:
				it.revents = waiter.EventNVal
			default:
				it.revents = it.file.ReadinessFor(t, it.events|waiter.AlwaysReported) &
					(it.events | waiter.AlwaysReported)
			}
			if it.revents != 0 {
				n++
			}
		}
		if n > 0 || zero {
			return n, nil
		}
		if !registered {
			// Register, then check again: an event between the check
			// and the registration must not be lost.
			registered = true
			for i := range items {
				it := &items[i]
				if it.file == nil {
					continue
				}
				if w, ok := it.file.Impl().(waiter.Waitable); ok {
					it.entry = waiter.NewCallbackEntry(func(waiter.EventMask) {
						select {
						case wake <- struct{}{}:
						default:
						}
					})
					w.EventRegister(it.entry, it.events|waiter.AlwaysReported)
				}
			}
			continue
		}
		if err := t.Block(wake, deadline); err != nil {
			if err == unix.ETIMEDOUT {
				return 0, nil
			}
			return 0, err
		}
	}
}

const sizeofPollFD = 8

// copyInPollFDs reads an array of struct pollfd.
func copyInPollFDs(t *kernel.Task, addr uintptr, nfds uintptr) ([]pollItem, []byte, error) {
	if nfds > uintptr(nofile(t)) || nfds > 1<<20 {
		return nil, nil, unix.EINVAL
	}
	raw := make([]byte, nfds*sizeofPollFD)
	if err := t.CopyIn(addr, raw); err != nil {
		return nil, nil, err
	}
	items := make([]pollItem, nfds)
	for i := range items {
		items[i].fd = int32(le.Uint32(raw[8*i:]))
		items[i].events = waiter.EventMask(le.Uint16(raw[8*i+4:]))
	}
	return items, raw, nil
}

func copyOutRevents(t *kernel.Task, addr uintptr, items []pollItem, raw []byte) error {
	for i, it := range items {
		le.PutUint16(raw[8*i+6:], uint16(it.revents))
	}
	return t.CopyOut(addr, raw)
}

// pollDeadline runs poll until deadline (zero: forever), restarting
// through restart_syscall when a signal that runs no handler interrupts it.
func pollUntil(t *kernel.Task, addr, nfds uintptr, deadline time.Time, zero bool) (uintptr, error) {
	items, raw, err := copyInPollFDs(t, addr, nfds)
	if err != nil {
		return 0, err
	}
	n, err := doPoll(t, items, deadline, zero)
	if err == vfs.ErrInterrupted {
		t.SetRestartBlock(func(t *kernel.Task) (uintptr, error) {
			return pollUntil(t, addr, nfds, deadline, zero)
		})
		return 0, linux.ERESTART_RESTARTBLOCK
	}
	if err != nil {
		return 0, err
	}
	return uintptr(n), copyOutRevents(t, addr, items, raw)
}

// Poll implements poll(2).
func Poll(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	timeout := int32(a[2])
	var deadline time.Time
	if timeout > 0 {
		deadline = time.Now().Add(time.Duration(timeout) * time.Millisecond)
	}
	return pollUntil(t, a[0], a[1], deadline, timeout == 0)
}

// setMaskFor installs a signal mask for the duration of a call (ppoll,
// pselect6): a handler that interrupts it sees the old mask restored by
// its frame; otherwise the old mask comes back when the call returns.
func setMaskFor(t *kernel.Task, maskAddr, size uintptr) (bool, error) {
	if maskAddr == 0 {
		return false, nil
	}
	if size != sizeofSigset {
		return false, unix.EINVAL
	}
	v, err := copyInUint64(t, maskAddr)
	if err != nil {
		return false, err
	}
	t.SetSavedMask(linux.SignalSet(v))
	return true, nil
}

// timeoutFrom reads a timespec timeout: deadline, "do not wait", or
// forever (addr 0).
func timeoutFrom(t *kernel.Task, addr uintptr) (time.Time, bool, error) {
	if addr == 0 {
		return time.Time{}, false, nil
	}
	ts, err := copyInTimespec(t, addr)
	if err != nil {
		return time.Time{}, false, err
	}
	if ts.Sec == 0 && ts.Nsec == 0 {
		return time.Time{}, true, nil
	}
	return time.Now().Add(timespecToDuration(ts)), false, nil
}

// finishTimeout writes the time left back, as ppoll and pselect do.
func finishTimeout(t *kernel.Task, addr uintptr, deadline time.Time) {
	if addr == 0 || deadline.IsZero() {
		return
	}
	copyOutTimespec(t, addr, durationToTimespec(time.Until(deadline)))
}

// Ppoll implements ppoll(2).
func Ppoll(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	deadline, zero, err := timeoutFrom(t, a[2])
	if err != nil {
		return 0, err
	}
	items, raw, err := copyInPollFDs(t, a[0], a[1])
	if err != nil {
		return 0, err
	}
	masked, err := setMaskFor(t, a[3], a[4])
	if err != nil {
		return 0, err
	}
	n, err := doPoll(t, items, deadline, zero)
	finishTimeout(t, a[2], deadline)
	if err == vfs.ErrInterrupted {
		return 0, linux.ERESTARTNOHAND
	}
	if masked {
		t.RestoreSavedMask()
	}
	if err != nil {
		return 0, err
	}
	return uintptr(n), copyOutRevents(t, a[0], items, raw)
}

// The event sets select's three fd sets stand for (fs/select.c).
const (
	selectIn  = waiter.EventIn | waiter.EventRdNorm | waiter.EventRdBand | waiter.EventHup | waiter.EventErr
	selectOut = waiter.EventOut | waiter.EventWrNorm | waiter.EventWrBand | waiter.EventErr
	selectEx  = waiter.EventPri
)

// doSelect implements select over fd_sets at the three addresses.
func doSelect(t *kernel.Task, nfds int, rAddr, wAddr, eAddr uintptr, deadline time.Time, zero bool) (int, error) {
	if nfds < 0 || uint64(nfds) > nofile(t) {
		return 0, unix.EINVAL
	}
	size := (nfds + 63) / 64 * 8
	sets := [3][]byte{}
	for i, addr := range []uintptr{rAddr, wAddr, eAddr} {
		if addr == 0 {
			continue
		}
		sets[i] = make([]byte, size)
		if err := t.CopyIn(addr, sets[i]); err != nil {
			return 0, err
		}
	}
	bit := func(set []byte, fd int) bool { return set != nil && set[fd/8]&(1<<(fd%8)) != 0 }
	var items []pollItem
	for fd := 0; fd < nfds; fd++ {
		var ev waiter.EventMask
		if bit(sets[0], fd) {
			ev |= selectIn
		}
		if bit(sets[1], fd) {
			ev |= selectOut
		}
		if bit(sets[2], fd) {
			ev |= selectEx
		}
		if ev == 0 {
			continue
		}
		if _, err := getFileChecked(t, fd); err != nil {
			return 0, err
		}
		items = append(items, pollItem{fd: int32(fd), events: ev})
	}
	if _, err := doPoll(t, items, deadline, zero); err != nil {
		return 0, err
	}
	out := [3][]byte{}
	for i := range out {
		if sets[i] != nil {
			out[i] = make([]byte, size)
		}
	}
	n := 0
	set := func(s []byte, fd int) {
		if s != nil {
			s[fd/8] |= 1 << (fd % 8)
			n++
		}
	}
	for _, it := range items {
		fd := int(it.fd)
		if it.events&selectIn != 0 && it.revents&selectIn != 0 {
			set(out[0], fd)
		}
		if it.events&selectOut != 0 && it.revents&selectOut != 0 {
			set(out[1], fd)
		}
		if it.events&selectEx != 0 && it.revents&selectEx != 0 {
			set(out[2], fd)
		}
	}
	for i, addr := range []uintptr{rAddr, wAddr, eAddr} {
		if addr != 0 {
			if err := t.CopyOut(addr, out[i]); err != nil {
				return 0, err
			}
		}
	}
	return n, nil
}

// getFileChecked checks that fd is open (select's EBADF).
func getFileChecked(t *kernel.Task, fd int) (struct{}, error) {
	f, err := getFile(t, uintptr(fd))
	if err != nil {
		return struct{}{}, err
	}
	f.DecRef()
	return struct{}{}, nil
}

// Select implements select(2); the timeval is updated with the time left.
func Select(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	var deadline time.Time
	zero := false
	if a[4] != 0 {
		tv, err := copyInTimeval(t, a[4])
		if err != nil {
			return 0, err
		}
		if tv.Sec < 0 || tv.Usec < 0 || tv.Usec >= 1e6 {
			return 0, unix.EINVAL
		}
		d := time.Duration(tv.Sec)*time.Second + time.Duration(tv.Usec)*time.Microsecond
		if d == 0 {
			zero = true
		} else {
			deadline = time.Now().Add(d)
		}
	}
	n, err := doSelect(t, int(int32(a[0])), a[1], a[2], a[3], deadline, zero)
	if a[4] != 0 && !deadline.IsZero() {
		copyOutTimeval(t, a[4], durationToTimeval(time.Until(deadline)))
	}
	if err == vfs.ErrInterrupted {
		return 0, linux.ERESTARTNOHAND
	}
	return uintptr(n), err
}

// Pselect6 implements pselect6(2): the sixth argument points at {sigset
// pointer, size}.
func Pselect6(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	deadline, zero, err := timeoutFrom(t, a[4])
	if err != nil {
		return 0, err
	}
	masked := false
	if a[5] != 0 {
		var b [16]byte
		if err := t.CopyIn(a[5], b[:]); err != nil {
			return 0, err
		}
		if masked, err = setMaskFor(t, uintptr(le.Uint64(b[0:])), uintptr(le.Uint64(b[8:]))); err != nil {
			return 0, err
		}
	}
	n, err := doSelect(t, int(int32(a[0])), a[1], a[2], a[3], deadline, zero)
	finishTimeout(t, a[4], deadline)
	if err == vfs.ErrInterrupted {
		return 0, linux.ERESTARTNOHAND
	}
	if masked {
		t.RestoreSavedMask()
	}
	return uintptr(n), err
}
