package syscalls

import (
	"time"

	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/kernel"
	"github.com/moat-sandbox/moat/internal/sentry/linux"
	"github.com/moat-sandbox/moat/internal/sentry/vfs"
)

func init() {
	register(map[uintptr]Syscall{
		unix.SYS_FUTEX: {Handler: Futex, Status: Partial,
			Note: "no *_REQUEUE_PI, LOCK_PI2 or FUTEX_FD; PI futexes keep ownership but inherit no priority",
			Args: []Arg{APtr, AInt, AInt, APtr, APtr, AInt}},
	})
}

// futex(2) operations.
const (
	futexWait          = 0
	futexWake          = 1
	futexRequeue       = 3
	futexCmpRequeue    = 4
	futexWakeOp        = 5
	futexLockPI        = 6
	futexUnlockPI      = 7
	futexTrylockPI     = 8
	futexWaitBitset    = 9
	futexWakeBitset    = 10
	futexPrivateFlag   = 128
	futexClockRealtime = 256
	futexBitsetAll     = ^uint32(0)
)

// Futex implements futex(2).
func Futex(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	addr, op, val, timeout, addr2, val3 := a[0], int(a[1]), uint32(a[2]), a[3], a[4], uint32(a[5])
	cmd := op &^ (futexPrivateFlag | futexClockRealtime)
	private := op&futexPrivateFlag != 0
	realtime := op&futexClockRealtime != 0
	if realtime && cmd != futexWait && cmd != futexWaitBitset {
		return 0, unix.ENOSYS
	}
	switch cmd {
	case futexWait, futexWaitBitset:
		bitset := futexBitsetAll
		if cmd == futexWaitBitset {
			bitset = val3
		}
		var deadline time.Time
		if timeout != 0 {
			ts, err := copyInTimespec(t, timeout)
			if err != nil {
				return 0, err
			}
			if cmd == futexWait {
				deadline = time.Now().Add(timespecToDuration(ts))
			} else {
				clock := int32(unix.CLOCK_MONOTONIC)
				if realtime {
					clock = unix.CLOCK_REALTIME
				}
				var now unix.Timespec
				unix.ClockGettime(clock, &now)
				deadline = time.Now().Add(timespecToDuration(ts) - timespecToDuration(now))
			}
		}
		return futexWaitUntil(t, addr, private, val, bitset, deadline, timeout != 0)
	case futexWake, futexWakeBitset:
		bitset := futexBitsetAll
		if cmd == futexWakeBitset {
			bitset = val3
		}
		n, err := t.FutexWake(addr, private, int(int32(val)), bitset)
		return uintptr(n), err
	case futexRequeue, futexCmpRequeue:
		if int32(val) < 0 || int32(timeout) < 0 {
			return 0, unix.EINVAL
		}
		n, err := t.FutexRequeue(addr, addr2, private, int(int32(val)), int(int32(timeout)), cmd == futexCmpRequeue, val3)
		return uintptr(n), err
	case futexWakeOp:
		n, err := t.FutexWakeOp(addr, addr2, private, int(int32(val)), int(int32(timeout)), val3)
		return uintptr(n), err
	case futexLockPI, futexTrylockPI:
		var deadline time.Time
		if cmd == futexLockPI && timeout != 0 {
			// An absolute CLOCK_REALTIME deadline.
			ts, err := copyInTimespec(t, timeout)
			if err != nil {
				return 0, err
			}
			var now unix.Timespec
			unix.ClockGettime(unix.CLOCK_REALTIME, &now)
			deadline = time.Now().Add(timespecToDuration(ts) - timespecToDuration(now))
		}
		err := t.FutexLockPI(addr, deadline, cmd == futexTrylockPI)
		if err == vfs.ErrInterrupted {
			return 0, linux.ERESTARTNOINTR
		}
		return 0, err
	case futexUnlockPI:
		return 0, t.FutexUnlockPI(addr)
	}
	t.Kernel().LogOnce("futex-op", "futex operation not implemented", "op", cmd)
	return 0, unix.ENOSYS
}

// futexWaitUntil waits, restarting through restart_syscall when a timed
// wait is interrupted by a signal that runs no handler.
func futexWaitUntil(t *kernel.Task, addr uintptr, private bool, val, bitset uint32, deadline time.Time, timed bool) (uintptr, error) {
	err := t.FutexWait(addr, private, val, bitset, deadline)
	if err != vfs.ErrInterrupted {
		return 0, err
	}
	if !timed {
		return 0, linux.ERESTARTSYS
	}
	t.SetRestartBlock(func(t *kernel.Task) (uintptr, error) {
		return futexWaitUntil(t, addr, private, val, bitset, deadline, true)
	})
	return 0, linux.ERESTART_RESTARTBLOCK
}
