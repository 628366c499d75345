package kernel

import (
	"sync"
	"time"

	"github.com/moat-sandbox/moat/internal/sentry/linux"
)

// timers are a process's interval timers (setitimer(2), alarm(2)).
type timers struct {
	mu       sync.Mutex
	real     *time.Timer
	realNext time.Time     // when real fires next; zero when disarmed
	realIntv time.Duration // its reload interval
	gen      uint64        // bumps on every re-arm, so a stale fire is ignored
}

func (ts *timers) stopAll() {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.real != nil {
		ts.real.Stop()
	}
	ts.realNext = time.Time{}
	ts.gen++
}

// RealTimer returns ITIMER_REAL's time to expiry and interval.
func (tg *ThreadGroup) RealTimer() (remaining, interval time.Duration) {
	ts := &tg.timers
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.realNext.IsZero() {
		return 0, ts.realIntv
	}
	remaining = time.Until(ts.realNext)
	if remaining <= 0 {
		remaining = time.Microsecond // about to fire: never report disarmed
	}
	return remaining, ts.realIntv
}

// SetRealTimer arms ITIMER_REAL to send SIGALRM after value, then every
// interval (zero value disarms), and returns the old setting.
func (tg *ThreadGroup) SetRealTimer(value, interval time.Duration) (oldValue, oldInterval time.Duration) {
	oldValue, oldInterval = tg.RealTimer()
	ts := &tg.timers
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.real != nil {
		ts.real.Stop()
	}
	ts.gen++
	ts.realIntv = interval
	if value <= 0 {
		ts.realNext = time.Time{}
		return
	}
	ts.realNext = time.Now().Add(value)
	gen := ts.gen
	ts.real = time.AfterFunc(value, func() { tg.fireReal(gen) })
	return
}

func (tg *ThreadGroup) fireReal(gen uint64) {
	ts := &tg.timers
	ts.mu.Lock()
	if gen != ts.gen {
		ts.mu.Unlock()
		return
	}
	if ts.realIntv > 0 {
		ts.realNext = ts.realNext.Add(ts.realIntv)
		d := time.Until(ts.realNext)
		if d < 0 {
			d = 0
		}
		ts.real = time.AfterFunc(d, func() { tg.fireReal(gen) })
	} else {
		ts.realNext = time.Time{}
	}
	ts.mu.Unlock()
	tg.SendSignal(&linux.SignalInfo{Signo: int32(linux.SIGALRM), Code: linux.SI_KERNEL})
}
