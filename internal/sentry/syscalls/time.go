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
		unix.SYS_CLOCK_GETTIME:    {Handler: ClockGettime, Status: Partial, Note: "no clocks of fds (dynamic POSIX clocks)", Args: []Arg{AClock, APtr}},
		unix.SYS_CLOCK_GETRES:     {Handler: ClockGetres, Args: []Arg{AClock, APtr}},
		unix.SYS_GETTIMEOFDAY:     {Handler: Gettimeofday, Args: []Arg{APtr, APtr}},
		unix.SYS_TIME:             {Handler: Time, Args: []Arg{APtr}},
		unix.SYS_NANOSLEEP:        {Handler: Nanosleep, Args: []Arg{APtr, APtr}},
		unix.SYS_CLOCK_NANOSLEEP:  {Handler: ClockNanosleep, Status: Partial, Note: "CPU-time clocks are not supported", Args: []Arg{AClock, AHex, APtr, APtr}},
		unix.SYS_RESTART_SYSCALL:  {Handler: RestartSyscall},
		unix.SYS_ALARM:            {Handler: Alarm, Args: []Arg{AUint}},
		unix.SYS_SETITIMER:        {Handler: Setitimer, Args: []Arg{AInt, APtr, APtr}},
		unix.SYS_GETITIMER:        {Handler: Getitimer, Args: []Arg{AInt, APtr}},
		unix.SYS_TIMER_CREATE:     {Handler: TimerCreate, Status: Partial, Note: "no timers on a thread's CPU clock", Args: []Arg{AClock, APtr, APtr}},
		unix.SYS_TIMER_SETTIME:    {Handler: TimerSettime, Args: []Arg{AInt, AHex, APtr, APtr}},
		unix.SYS_TIMER_GETTIME:    {Handler: TimerGettime, Args: []Arg{AInt, APtr}},
		unix.SYS_TIMER_GETOVERRUN: {Handler: TimerGetoverrun, Args: []Arg{AInt}},
		unix.SYS_TIMER_DELETE:     {Handler: TimerDelete, Args: []Arg{AInt}},
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

// copyInItimerval reads a struct itimerval: interval, then value.
func copyInItimerval(t *kernel.Task, addr uintptr) (value, interval time.Duration, err error) {
	iv, err1 := copyInTimeval(t, addr)
	v, err2 := copyInTimeval(t, addr+16)
	if err1 != nil || err2 != nil {
		return 0, 0, unix.EFAULT
	}
	if iv.Usec < 0 || iv.Usec >= 1e6 || v.Usec < 0 || v.Usec >= 1e6 || iv.Sec < 0 || v.Sec < 0 {
		return 0, 0, unix.EINVAL
	}
	interval = time.Duration(iv.Sec)*time.Second + time.Duration(iv.Usec)*time.Microsecond
	value = time.Duration(v.Sec)*time.Second + time.Duration(v.Usec)*time.Microsecond
	return value, interval, nil
}

func copyOutItimerval(t *kernel.Task, addr uintptr, value, interval time.Duration) error {
	// Round up to whole microseconds: an armed timer never reads as 0.
	up := func(d time.Duration) time.Duration {
		return (d + time.Microsecond - 1) / time.Microsecond * time.Microsecond
	}
	if err := copyOutTimeval(t, addr, durationToTimeval(up(interval))); err != nil {
		return err
	}
	return copyOutTimeval(t, addr+16, durationToTimeval(up(value)))
}

// Setitimer implements setitimer(2).
func Setitimer(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	which := int(a[0])
	if which < 0 || which > kernel.ITimerProf {
		return 0, unix.EINVAL
	}
	var value, interval time.Duration
	if a[1] != 0 {
		var err error
		if value, interval, err = copyInItimerval(t, a[1]); err != nil {
			return 0, err
		}
	}
	oldV, oldI := t.ThreadGroup().ITimer(which).Set(value, interval, false)
	if a[2] != 0 {
		return 0, copyOutItimerval(t, a[2], oldV, oldI)
	}
	return 0, nil
}

// Getitimer implements getitimer(2).
func Getitimer(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	which := int(a[0])
	if which < 0 || which > kernel.ITimerProf {
		return 0, unix.EINVAL
	}
	v, i := t.ThreadGroup().ITimer(which).Get()
	return 0, copyOutItimerval(t, a[1], v, i)
}

// TimerCreate implements timer_create(2).
func TimerCreate(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	clockID, sevAddr, idAddr := int32(a[0]), a[1], a[2]
	hostID, cpu, err := resolveClock(t, clockID)
	if err != nil {
		return 0, err
	}
	spec := kernel.TimerSpec{ClockID: hostID, Notify: 0, Signo: linux.SIGALRM}
	if cpu != nil {
		if cpu.perThread {
			return 0, unix.EINVAL // thread CPU-time timers are not supported
		}
		spec.CPU, spec.CPUKind = true, cpu.kind
	}
	if sevAddr != 0 {
		b := make([]byte, 64)
		if err := t.CopyIn(sevAddr, b); err != nil {
			return 0, err
		}
		spec.Value = le.Uint64(b[0:])
		spec.Signo = linux.Signal(int32(le.Uint32(b[8:])))
		spec.Notify = int(int32(le.Uint32(b[12:])))
		if spec.Notify == 4 { // SIGEV_THREAD_ID
			target := t.Kernel().TaskByTID(int32(le.Uint32(b[16:])))
			if target == nil || target.ThreadGroup() != t.ThreadGroup() {
				return 0, unix.EINVAL
			}
			spec.Target = target
		}
	} else {
		spec.ValueIsID = true
	}
	id, err := t.ThreadGroup().CreateTimer(spec)
	if err != nil {
		return 0, err
	}
	if err := copyOutInt32(t, idAddr, id); err != nil {
		t.ThreadGroup().DeleteTimer(id)
		return 0, err
	}
	return 0, nil
}

func copyInItimerspec(t *kernel.Task, addr uintptr) (value, interval time.Duration, err error) {
	iv, err := copyInTimespec(t, addr)
	if err != nil {
		return 0, 0, err
	}
	v, err := copyInTimespec(t, addr+16)
	if err != nil {
		return 0, 0, err
	}
	return timespecToDuration(v), timespecToDuration(iv), nil
}

func copyOutItimerspec(t *kernel.Task, addr uintptr, value, interval time.Duration) error {
	if err := copyOutTimespec(t, addr, durationToTimespec(interval)); err != nil {
		return err
	}
	return copyOutTimespec(t, addr+16, durationToTimespec(value))
}

// TimerSettime implements timer_settime(2).
func TimerSettime(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	tm, err := t.ThreadGroup().Timer(int32(a[0]))
	if err != nil {
		return 0, err
	}
	if a[1]&^unix.TIMER_ABSTIME != 0 {
		return 0, unix.EINVAL
	}
	value, interval, err := copyInItimerspec(t, a[2])
	if err != nil {
		return 0, err
	}
	oldV, oldI := tm.Set(value, interval, a[1]&unix.TIMER_ABSTIME != 0)
	if a[3] != 0 {
		return 0, copyOutItimerspec(t, a[3], oldV, oldI)
	}
	return 0, nil
}

// TimerGettime implements timer_gettime(2).
func TimerGettime(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	tm, err := t.ThreadGroup().Timer(int32(a[0]))
	if err != nil {
		return 0, err
	}
	v, i := tm.Get()
	return 0, copyOutItimerspec(t, a[1], v, i)
}

// TimerGetoverrun implements timer_getoverrun(2).
func TimerGetoverrun(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	tm, err := t.ThreadGroup().Timer(int32(a[0]))
	if err != nil {
		return 0, err
	}
	return uintptr(tm.Overrun()), nil
}

// TimerDelete implements timer_delete(2).
func TimerDelete(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	return 0, t.ThreadGroup().DeleteTimer(int32(a[0]))
}
