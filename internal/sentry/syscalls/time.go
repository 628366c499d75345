package syscalls

import (
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/kernel"
	"github.com/moat-sandbox/moat/internal/sentry/linux"
	"github.com/moat-sandbox/moat/internal/sentry/vfs"
)

func init() {
	register(map[uintptr]Syscall{
		unix.SYS_CLOCK_GETTIME:   {Handler: ClockGettime, Status: Partial, Note: "no clocks of fds (dynamic POSIX clocks)", Args: []Arg{AClock, APtr}},
		unix.SYS_CLOCK_GETRES:    {Handler: ClockGetres, Args: []Arg{AClock, APtr}},
		unix.SYS_GETTIMEOFDAY:    {Handler: Gettimeofday, Args: []Arg{APtr, APtr}},
		unix.SYS_TIME:            {Handler: Time, Args: []Arg{APtr}},
		unix.SYS_NANOSLEEP:       {Handler: Nanosleep, Args: []Arg{APtr, APtr}},
		unix.SYS_CLOCK_NANOSLEEP: {Handler: ClockNanosleep, Status: Partial, Note: "CPU-time clocks are not supported", Args: []Arg{AClock, AHex, APtr, APtr}},
		unix.SYS_RESTART_SYSCALL: {Handler: RestartSyscall},
		unix.SYS_ALARM:           {Handler: Alarm, Args: []Arg{AUint}},
		unix.SYS_SETITIMER:       {Handler: Setitimer, Status: Partial, Note: "ITIMER_REAL only; ITIMER_VIRTUAL and ITIMER_PROF give EINVAL", Args: []Arg{AInt, APtr, APtr}},
		unix.SYS_GETITIMER:       {Handler: Getitimer, Status: Partial, Note: "ITIMER_REAL only", Args: []Arg{AInt, APtr}},
	})
}

var zeroTime time.Time

const (
	clockRealtime        = 0
	clockMonotonic       = 1
	clockProcessCPUTime  = 2
	clockThreadCPUTime   = 3
	clockMonotonicRaw    = 4
	clockRealtimeCoarse  = 5
	clockMonotonicCoarse = 6
	clockBoottime        = 7
	clockRealtimeAlarm   = 8
	clockBoottimeAlarm   = 9
	clockTAI             = 11
)

// CPU-time clock IDs encode a process or thread and a kind (clock_getcpuclockid(3)).
const (
	cpuClockProf  = 0
	cpuClockVirt  = 1
	cpuClockSched = 2
	cpuClockFD    = 3
)

// cpuClock is a CPU-time clock resolved to host IDs.
type cpuClock struct {
	kind      int
	perThread bool
	pid, tid  int // host IDs
}

// resolveClock turns an application clock ID into a host wall clock ID, or
// a CPU clock of the stub process or thread behind a sandbox one.
func resolveClock(t *kernel.Task, id int32) (int32, *cpuClock, error) {
	switch id {
	case clockRealtime, clockMonotonic, clockMonotonicRaw, clockRealtimeCoarse,
		clockMonotonicCoarse, clockBoottime, clockTAI:
		return id, nil, nil
	case clockRealtimeAlarm:
		return clockRealtime, nil, nil
	case clockBoottimeAlarm:
		return clockBoottime, nil, nil
	case clockProcessCPUTime:
		pid, tid := t.HostIDs()
		return 0, &cpuClock{kind: cpuClockSched, pid: pid, tid: tid}, nil
	case clockThreadCPUTime:
		pid, tid := t.HostIDs()
		return 0, &cpuClock{kind: cpuClockSched, perThread: true, pid: pid, tid: tid}, nil
	}
	if id >= 0 {
		return 0, nil, unix.EINVAL
	}
	kind := int(id & 3)
	perThread := id&4 != 0
	target := int32(^(id >> 3))
	if kind == cpuClockFD {
		return 0, nil, unix.EINVAL
	}
	var task *kernel.Task
	switch {
	case target == 0:
		task = t
	case perThread:
		task = t.Kernel().TaskByTID(target)
		if task == nil || task.ThreadGroup() != t.ThreadGroup() {
			return 0, nil, unix.EINVAL
		}
	default:
		tg := t.Kernel().GroupByTGID(target)
		if tg == nil {
			return 0, nil, unix.EINVAL
		}
		task = tg.Leader()
		if task == nil {
			return 0, nil, unix.EINVAL
		}
	}
	pid, tid := task.HostIDs()
	return 0, &cpuClock{kind: kind, perThread: perThread, pid: pid, tid: tid}, nil
}

// read returns the clock's CPU time. A process clock is the host's; a
// thread clock the host keeps for its own thread group only, so it is read
// from /proc: schedstat (nanoseconds) or stat (clock ticks).
func (c *cpuClock) read() (unix.Timespec, error) {
	var ts unix.Timespec
	if !c.perThread {
		err := unix.ClockGettime((^int32(c.pid))<<3|int32(c.kind), &ts)
		return ts, err
	}
	base := "/proc/" + strconv.Itoa(c.pid) + "/task/" + strconv.Itoa(c.tid)
	if c.kind == cpuClockSched {
		b, err := os.ReadFile(base + "/schedstat")
		if err != nil {
			return ts, unix.EINVAL
		}
		f := strings.Fields(string(b))
		if len(f) < 1 {
			return ts, unix.EINVAL
		}
		ns, _ := strconv.ParseInt(f[0], 10, 64)
		return unix.NsecToTimespec(ns), nil
	}
	b, err := os.ReadFile(base + "/stat")
	if err != nil {
		return ts, unix.EINVAL
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return ts, unix.EINVAL
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	ticks := utime
	if c.kind == cpuClockProf {
		ticks += stime
	}
	return unix.NsecToTimespec(ticks * 1e9 / 100), nil
}

// ClockGettime implements clock_gettime(2).
func ClockGettime(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	id, cpu, err := resolveClock(t, int32(a[0]))
	if err != nil {
		return 0, err
	}
	var ts unix.Timespec
	if cpu != nil {
		if ts, err = cpu.read(); err != nil {
			return 0, unix.EINVAL
		}
	} else if err := unix.ClockGettime(id, &ts); err != nil {
		return 0, unix.EINVAL
	}
	return 0, copyOutTimespec(t, a[1], ts)
}

// ClockGetres implements clock_getres(2).
func ClockGetres(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	id, cpu, err := resolveClock(t, int32(a[0]))
	if err != nil {
		return 0, err
	}
	var ts unix.Timespec
	if cpu != nil {
		// The scheduler clock counts nanoseconds; the others tick.
		hostID := -8 | int32(cpu.kind) // MAKE_PROCESS_CPUCLOCK(0, kind): this process
		if err := unix.ClockGetres(hostID, &ts); err != nil {
			return 0, unix.EINVAL
		}
	} else if err := unix.ClockGetres(id, &ts); err != nil {
		return 0, unix.EINVAL
	}
	if a[1] == 0 {
		return 0, nil
	}
	return 0, copyOutTimespec(t, a[1], ts)
}

// Gettimeofday implements gettimeofday(2). The timezone is always UTC with
// no DST, as Linux reports unless settimeofday set one.
func Gettimeofday(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	if a[0] != 0 {
		var tv unix.Timeval
		if err := unix.Gettimeofday(&tv); err != nil {
			return 0, err
		}
		if err := copyOutTimeval(t, a[0], tv); err != nil {
			return 0, err
		}
	}
	if a[1] != 0 {
		if err := t.CopyOut(a[1], make([]byte, 8)); err != nil {
			return 0, err
		}
	}
	return 0, nil
}

// Time implements time(2).
func Time(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	now := time.Now().Unix()
	if a[0] != 0 {
		if err := copyOutUint64(t, a[0], uint64(now)); err != nil {
			return 0, err
		}
	}
	return uintptr(now), nil
}

// sleepUntil sleeps to deadline (monotonic). Interrupted, it writes the
// remaining time to rem (if set) and arranges for restart_syscall to finish
// the sleep, as nanosleep does.
func sleepUntil(t *kernel.Task, deadline time.Time, rem uintptr) (uintptr, error) {
	if err := t.Sleep(deadline); err != vfs.ErrInterrupted {
		return 0, err
	}
	if rem != 0 {
		if err := copyOutTimespec(t, rem, durationToTimespec(time.Until(deadline))); err != nil {
			return 0, err
		}
	}
	t.SetRestartBlock(func(t *kernel.Task) (uintptr, error) { return sleepUntil(t, deadline, rem) })
	return 0, linux.ERESTART_RESTARTBLOCK
}

// Nanosleep implements nanosleep(2).
func Nanosleep(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	ts, err := copyInTimespec(t, a[0])
	if err != nil {
		return 0, err
	}
	return sleepUntil(t, time.Now().Add(timespecToDuration(ts)), a[1])
}

// ClockNanosleep implements clock_nanosleep(2).
func ClockNanosleep(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	id, flags := int32(a[0]), a[1]
	switch id {
	case clockRealtime, clockMonotonic, clockBoottime, clockTAI, clockRealtimeAlarm, clockBoottimeAlarm:
	case clockThreadCPUTime:
		return 0, unix.EINVAL
	case clockProcessCPUTime:
		return 0, unix.ENOTSUP
	default:
		return 0, unix.EINVAL
	}
	ts, err := copyInTimespec(t, a[2])
	if err != nil {
		return 0, err
	}
	if flags&unix.TIMER_ABSTIME == 0 {
		return sleepUntil(t, time.Now().Add(timespecToDuration(ts)), a[3])
	}
	// An absolute deadline on the named clock, turned into a monotonic one.
	hid, _, _ := resolveClock(t, id)
	var now unix.Timespec
	unix.ClockGettime(hid, &now)
	deadline := time.Now().Add(timespecToDuration(ts) - timespecToDuration(now))
	if err := t.Sleep(deadline); err == vfs.ErrInterrupted {
		return 0, linux.ERESTARTNOHAND
	}
	return 0, nil
}

// RestartSyscall implements restart_syscall(2).
func RestartSyscall(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	f := t.TakeRestartBlock()
	if f == nil {
		return 0, unix.EINTR
	}
	return f(t)
}

// Alarm implements alarm(2).
func Alarm(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	old, _ := t.ThreadGroup().SetRealTimer(time.Duration(uint32(a[0]))*time.Second, 0)
	secs := uintptr((old + time.Second/2) / time.Second)
	if old > 0 && secs == 0 {
		secs = 1
	}
	return secs, nil
}

const itimerReal = 0

// Setitimer implements setitimer(2) for ITIMER_REAL.
func Setitimer(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	if a[0] != itimerReal {
		return 0, unix.EINVAL
	}
	var value, interval time.Duration
	if a[1] != 0 {
		iv, err1 := copyInTimeval(t, a[1])
		v, err2 := copyInTimeval(t, a[1]+16)
		if err1 != nil || err2 != nil {
			return 0, unix.EFAULT
		}
		if iv.Usec < 0 || iv.Usec >= 1e6 || v.Usec < 0 || v.Usec >= 1e6 || iv.Sec < 0 || v.Sec < 0 {
			return 0, unix.EINVAL
		}
		interval = time.Duration(iv.Sec)*time.Second + time.Duration(iv.Usec)*time.Microsecond
		value = time.Duration(v.Sec)*time.Second + time.Duration(v.Usec)*time.Microsecond
	}
	oldV, oldI := t.ThreadGroup().SetRealTimer(value, interval)
	if a[2] != 0 {
		if err := copyOutTimeval(t, a[2], durationToTimeval(oldI)); err != nil {
			return 0, err
		}
		if err := copyOutTimeval(t, a[2]+16, durationToTimeval(oldV)); err != nil {
			return 0, err
		}
	}
	return 0, nil
}

// Getitimer implements getitimer(2) for ITIMER_REAL.
func Getitimer(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	if a[0] != itimerReal {
		return 0, unix.EINVAL
	}
	v, i := t.ThreadGroup().RealTimer()
	if err := copyOutTimeval(t, a[1], durationToTimeval(i)); err != nil {
		return 0, err
	}
	return 0, copyOutTimeval(t, a[1]+16, durationToTimeval(v))
}
