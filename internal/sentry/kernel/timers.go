package kernel

import (
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/linux"
)

// A Timer is an interval timer of a process: one of setitimer's three, or
// a POSIX timer (timer_create). Wall-clock timers run on Go timers;
// CPU-time timers poll the process's CPU clock.
type Timer struct {
	tg *ThreadGroup
	id int32 // POSIX timer ID, or -1 for setitimer's

	// What firing does.
	notify int // SIGEV_SIGNAL, SIGEV_NONE, SIGEV_THREAD_ID
	signo  linux.Signal
	value  uint64 // sigev_value
	target *Task  // SIGEV_THREAD_ID
	code   int32  // si_code: SI_TIMER, or SI_KERNEL for setitimer

	// The clock it counts on: a wall clock (realtime or monotonic), or a
	// CPU clock of the process (cpuKind).
	clockID int32
	cpu     bool
	cpuKind int

	mu       sync.Mutex
	next     time.Duration // expiry on the timer's clock; 0: disarmed
	interval time.Duration
	gen      uint64 // bumps on every arming: a stale fire is ignored
	wall     *time.Timer
	// overrun counts expirations while the signal was still pending;
	// lastOverrun is what the last delivered signal carried.
	pending     bool
	overrun     int32
	lastOverrun int32
}

// now reads the timer's clock.
func (tm *Timer) now() time.Duration {
	if tm.cpu {
		return tm.tg.CPUTime(tm.cpuKind)
	}
	var ts unix.Timespec
	unix.ClockGettime(tm.clockID, &ts)
	return time.Duration(ts.Nano())
}

// Get returns the time to the next expiry (0 when disarmed) and the
// interval.
func (tm *Timer) Get() (remaining, interval time.Duration) {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	if tm.next == 0 {
		return 0, tm.interval
	}
	remaining = tm.next - tm.now()
	if remaining <= 0 {
		remaining = time.Nanosecond // due: never report disarmed
	}
	return remaining, tm.interval
}

// Set arms the timer to expire at value (absolute on its clock when abs,
// else from now) and every interval after; a zero value disarms it. It
// returns the old setting.
func (tm *Timer) Set(value, interval time.Duration, abs bool) (oldValue, oldInterval time.Duration) {
	oldValue, oldInterval = tm.Get()
	tm.mu.Lock()
	defer tm.mu.Unlock()
	tm.gen++
	if tm.wall != nil {
		tm.wall.Stop()
		tm.wall = nil
	}
	tm.interval = interval
	tm.overrun = 0
	if value == 0 {
		tm.next = 0
		return
	}
	now := tm.now()
	if abs {
		tm.next = value
	} else {
		tm.next = now + value
	}
	if tm.next <= 0 {
		tm.next = 1
	}
	tm.scheduleLocked(now)
	return
}

// scheduleLocked arranges the next check of the timer; tm.mu is held.
func (tm *Timer) scheduleLocked(now time.Duration) {
	gen := tm.gen
	wait := tm.next - now
	if tm.cpu {
		// CPU time runs no faster than the wall clock on each CPU: check
		// again well before it could be due.
		wait = min(max(wait/2, time.Millisecond), 100*time.Millisecond)
	}
	if wait < 0 {
		wait = 0
	}
	tm.wall = time.AfterFunc(wait, func() { tm.check(gen) })
}

// check fires the timer if it is due, and schedules the next check.
func (tm *Timer) check(gen uint64) {
	tm.mu.Lock()
	if gen != tm.gen || tm.next == 0 {
		tm.mu.Unlock()
		return
	}
	now := tm.now()
	if now < tm.next {
		tm.scheduleLocked(now)
		tm.mu.Unlock()
		return
	}
	// Expirations beyond the first count as overruns.
	extra := int32(0)
	if tm.interval > 0 {
		missed := (now - tm.next) / tm.interval
		extra = int32(min(missed, 1<<30))
		tm.next += (time.Duration(missed) + 1) * tm.interval
		tm.scheduleLocked(now)
	} else {
		tm.next = 0
	}
	send := !tm.pending
	if tm.pending {
		tm.overrun += 1 + extra
	} else {
		tm.overrun += extra
		tm.pending = tm.notify != sigevNone
	}
	tm.mu.Unlock()
	if send && tm.notify != sigevNone {
		tm.fire()
	}
}

// fire queues the timer's signal.
func (tm *Timer) fire() {
	info := &linux.SignalInfo{Signo: int32(tm.signo), Code: tm.code}
	if tm.code == linux.SI_TIMER {
		info.SetTimer(tm.id, 0)
		info.SetValue(tm.value)
	}
	var target *Task
	if tm.notify == sigevThreadID {
		target = tm.target
	}
	if !tm.tg.sendQueued(info, target) {
		// Dropped (ignored): nothing is pending.
		tm.mu.Lock()
		tm.pending = false
		tm.mu.Unlock()
	}
}

// delivered is called as the timer's signal is taken: the overrun count
// goes into the siginfo and starts again.
func (tm *Timer) delivered(info *linux.SignalInfo) {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	tm.pending = false
	tm.lastOverrun = tm.overrun
	tm.overrun = 0
	if info.Code == linux.SI_TIMER {
		info.SetTimer(tm.id, tm.lastOverrun)
	}
}

// Overrun is timer_getoverrun(2)'s answer.
func (tm *Timer) Overrun() int32 {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	return tm.lastOverrun
}

func (tm *Timer) stop() {
	tm.mu.Lock()
	tm.gen++
	tm.next = 0
	if tm.wall != nil {
		tm.wall.Stop()
	}
	tm.mu.Unlock()
}

// sigevent notify values.
const (
	sigevSignal   = 0
	sigevNone     = 1
	sigevThread   = 2
	sigevThreadID = 4
)

// Interval timer kinds (setitimer(2)).
const (
	ITimerReal    = 0
	ITimerVirtual = 1
	ITimerProf    = 2
)

// timers are a process's timers.
type timers struct {
	mu     sync.Mutex
	itimer [3]*Timer
	posix  map[int32]*Timer
	nextID int32
}

func (ts *timers) stopAll() {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	for _, tm := range ts.itimer {
		if tm != nil {
			tm.stop()
		}
	}
	for _, tm := range ts.posix {
		tm.stop()
	}
}

// ITimer returns the process's setitimer timer of the given kind.
func (tg *ThreadGroup) ITimer(which int) *Timer {
	ts := &tg.timers
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.itimer[which] == nil {
		tm := &Timer{tg: tg, id: -1, notify: sigevSignal, code: linux.SI_KERNEL}
		switch which {
		case ITimerReal:
			tm.signo, tm.clockID = linux.SIGALRM, unix.CLOCK_MONOTONIC
		case ITimerVirtual:
			tm.signo, tm.cpu, tm.cpuKind = linux.SIGVTALRM, true, CPUClockVirt
		case ITimerProf:
			tm.signo, tm.cpu, tm.cpuKind = linux.SIGPROF, true, CPUClockProf
		}
		ts.itimer[which] = tm
	}
	return ts.itimer[which]
}

// RealTimer returns ITIMER_REAL's time to expiry and interval.
func (tg *ThreadGroup) RealTimer() (remaining, interval time.Duration) {
	return tg.ITimer(ITimerReal).Get()
}

// SetRealTimer arms ITIMER_REAL (alarm(2)).
func (tg *ThreadGroup) SetRealTimer(value, interval time.Duration) (time.Duration, time.Duration) {
	return tg.ITimer(ITimerReal).Set(value, interval, false)
}

// TimerSpec is what timer_create asks for.
type TimerSpec struct {
	ClockID int32
	Notify  int
	Signo   linux.Signal
	Value   uint64
	Target  *Task // SIGEV_THREAD_ID
	// For CPU clocks: the kind (CPUClock*) of the process's clock.
	CPU     bool
	CPUKind int
	// ValueIsID: no sigevent was given; si_value carries the timer's ID.
	ValueIsID bool
}

// maxTimers bounds timer_create per process.
const maxTimers = 1 << 14

// CreateTimer implements timer_create(2).
func (tg *ThreadGroup) CreateTimer(s TimerSpec) (int32, error) {
	switch s.Notify {
	case sigevSignal, sigevThreadID:
		if !s.Signo.Valid() {
			return 0, unix.EINVAL
		}
	case sigevNone:
	default:
		return 0, unix.EINVAL
	}
	ts := &tg.timers
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.posix == nil {
		ts.posix = map[int32]*Timer{}
	}
	if len(ts.posix) >= maxTimers {
		return 0, unix.EAGAIN
	}
	id := ts.nextID
	for ts.posix[id] != nil {
		id++
	}
	ts.nextID = id + 1
	if s.ValueIsID {
		s.Value = uint64(id)
	}
	ts.posix[id] = &Timer{tg: tg, id: id, notify: s.Notify, signo: s.Signo, value: s.Value,
		target: s.Target, code: linux.SI_TIMER, clockID: s.ClockID, cpu: s.CPU, cpuKind: s.CPUKind}
	return id, nil
}

// Timer returns POSIX timer id.
func (tg *ThreadGroup) Timer(id int32) (*Timer, error) {
	ts := &tg.timers
	ts.mu.Lock()
	defer ts.mu.Unlock()
	tm := ts.posix[id]
	if tm == nil {
		return nil, unix.EINVAL
	}
	return tm, nil
}

// DeleteTimer implements timer_delete(2).
func (tg *ThreadGroup) DeleteTimer(id int32) error {
	ts := &tg.timers
	ts.mu.Lock()
	tm := ts.posix[id]
	delete(ts.posix, id)
	ts.mu.Unlock()
	if tm == nil {
		return unix.EINVAL
	}
	tm.stop()
	return nil
}

// DeleteTimers removes every POSIX timer (exec).
func (tg *ThreadGroup) DeleteTimers() {
	ts := &tg.timers
	ts.mu.Lock()
	old := ts.posix
	ts.posix = nil
	ts.mu.Unlock()
	for _, tm := range old {
		tm.stop()
	}
}

// timerDelivered finds the timer behind a signal being delivered.
func (tg *ThreadGroup) timerDelivered(info *linux.SignalInfo) {
	ts := &tg.timers
	ts.mu.Lock()
	var tm *Timer
	if info.Code == linux.SI_TIMER {
		tm = ts.posix[int32(le32(info.Data[0:]))]
	} else if info.Code == linux.SI_KERNEL {
		switch linux.Signal(info.Signo) {
		case linux.SIGALRM:
			tm = ts.itimer[ITimerReal]
		case linux.SIGVTALRM:
			tm = ts.itimer[ITimerVirtual]
		case linux.SIGPROF:
			tm = ts.itimer[ITimerProf]
		}
	}
	ts.mu.Unlock()
	if tm != nil {
		tm.delivered(info)
	}
}

func le32(b []byte) uint32 {
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
}
