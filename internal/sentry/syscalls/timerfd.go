package syscalls

import (
	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/fs/timerfd"
	"github.com/moat-sandbox/moat/internal/sentry/kernel"
	"github.com/moat-sandbox/moat/internal/sentry/vfs"
)

func init() {
	register(map[uintptr]Syscall{
		unix.SYS_TIMERFD_CREATE: {Handler: TimerfdCreate, Args: []Arg{AClock, AHex}},
		unix.SYS_TIMERFD_SETTIME: {Handler: TimerfdSettime, Status: Partial,
			Note: "TFD_TIMER_CANCEL_ON_SET is accepted, but a change of the host's realtime clock never cancels the timer (no ECANCELED)",
			Args: []Arg{AFD, AHex, APtr, APtr}},
		unix.SYS_TIMERFD_GETTIME: {Handler: TimerfdGettime, Args: []Arg{AFD, APtr}},
	})
}

// timerfd flags (timerfd_create(2)).
const (
	tfdTimerAbstime     = 1 << 0
	tfdTimerCancelOnSet = 1 << 1
	// capWakeAlarm is CAP_WAKE_ALARM, which the _ALARM clocks need.
	capWakeAlarm = 35
)

// TimerfdCreate implements timerfd_create(2).
func TimerfdCreate(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	clock, flags := int32(a[0]), uint32(a[1])
	if flags&^uint32(unix.TFD_CLOEXEC|unix.TFD_NONBLOCK) != 0 {
		return 0, unix.EINVAL
	}
	var host int32
	alarm := false
	switch clock {
	case clockRealtime, clockMonotonic, clockBoottime:
		host = clock
	case clockRealtimeAlarm:
		host, alarm = clockRealtime, true
	case clockBoottimeAlarm:
		host, alarm = clockBoottime, true
	default:
		return 0, unix.EINVAL
	}
	if alarm && !t.Creds().HasCap(capWakeAlarm) {
		return 0, unix.EPERM
	}
	nonblock := flags&unix.TFD_NONBLOCK != 0
	return installAnon(t, timerfd.New(host, nonblock), unix.O_RDWR, nonblock, flags&unix.TFD_CLOEXEC != 0)
}

// timerfdOf returns the timerfd at fd: EBADF if fd is not open, EINVAL if
// it is another kind of file.
func timerfdOf(t *kernel.Task, fd uintptr) (*vfs.File, *timerfd.TimerFD, error) {
	f, err := getFile(t, fd)
	if err != nil {
		return nil, nil, err
	}
	tf, ok := f.Impl().(*timerfd.TimerFD)
	if !ok {
		f.DecRef()
		return nil, nil, unix.EINVAL
	}
	return f, tf, nil
}

// TimerfdSettime implements timerfd_settime(2).
func TimerfdSettime(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	flags := uint32(a[1])
	var b [32]byte // struct itimerspec: it_interval, it_value
	if err := t.CopyIn(a[2], b[:]); err != nil {
		return 0, err
	}
	interval := unix.Timespec{Sec: int64(le.Uint64(b[0:])), Nsec: int64(le.Uint64(b[8:]))}
	value := unix.Timespec{Sec: int64(le.Uint64(b[16:])), Nsec: int64(le.Uint64(b[24:]))}
	if flags&^uint32(tfdTimerAbstime|tfdTimerCancelOnSet) != 0 || !validTimespec(interval) || !validTimespec(value) {
		return 0, unix.EINVAL
	}
	f, tf, err := timerfdOf(t, a[0])
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	oldV, oldI := tf.Set(timespecToDuration(value), timespecToDuration(interval), flags&tfdTimerAbstime != 0)
	if a[3] != 0 {
		return 0, copyOutItimerspec(t, a[3], oldV, oldI)
	}
	return 0, nil
}

// validTimespec is Linux's timespec64_valid: no negative seconds, and
// nanoseconds below a second.
func validTimespec(ts unix.Timespec) bool {
	return ts.Sec >= 0 && ts.Nsec >= 0 && ts.Nsec < 1e9
}

// TimerfdGettime implements timerfd_gettime(2).
func TimerfdGettime(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	f, tf, err := timerfdOf(t, a[0])
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	v, i := tf.Get()
	return 0, copyOutItimerspec(t, a[1], v, i)
}
