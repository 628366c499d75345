// Package timerfd is the timerfd_create(2) file: a timer on a clock whose
// expirations are read as a count instead of delivered as signals.
//
// The timer runs on a Go timer. Like Linux's, it stops after each
// expiration until someone looks (read, timerfd_gettime, timerfd_settime):
// the intervals missed meanwhile are then counted and the timer moved past
// the present, so that a periodic timer nobody reads costs nothing.
package timerfd

import (
	"encoding/binary"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/fs/anon"
	"github.com/moat-sandbox/moat/internal/sentry/vfs"
	"github.com/moat-sandbox/moat/internal/sentry/waiter"
)

// maxDuration is the latest expiry a timer can hold.
const maxDuration = time.Duration(1<<63 - 1)

// TimerFD is a timerfd's file.
type TimerFD struct {
	anon.NoSeek // lseek succeeds and does nothing

	// clock is the host clock the timer reads: CLOCK_REALTIME,
	// CLOCK_MONOTONIC or CLOCK_BOOTTIME (the _ALARM clocks count as their
	// plain ones; nothing suspends here).
	clock int32

	queue waiter.Queue

	mu sync.Mutex // guards the fields below; taken before the queue's lock
	// next is the expiry on the clock (since its epoch), zero when the
	// timer was never armed; armed says it is still to come. After a
	// one-shot expiry next stays, in the past.
	next     time.Duration
	armed    bool
	interval time.Duration
	// ticks counts expirations not yet read; expired says the timer
	// fired and has not been rearmed (a periodic timer's further
	// expirations are counted when someone looks).
	ticks   uint64
	expired bool
	// gen bumps at every (re)arming, so a stale Go timer does nothing.
	gen  uint64
	wall *time.Timer

	nonblock atomic.Bool
}

var _ interface {
	vfs.StreamFile
	vfs.Seeker
	waiter.Waitable
} = (*TimerFD)(nil)

// New returns a disarmed timer on clock (a host clock ID).
func New(clock int32, nonblock bool) *TimerFD {
	tf := &TimerFD{clock: clock}
	tf.nonblock.Store(nonblock)
	return tf
}

// now reads the timer's clock.
func (tf *TimerFD) now() time.Duration {
	var ts unix.Timespec
	unix.ClockGettime(tf.clock, &ts)
	return time.Duration(ts.Nano())
}

// Stat implements vfs.FileImpl: the anonymous inode.
func (tf *TimerFD) Stat(vfs.Context) (vfs.Stat, error) { return anon.Stat(), nil }

// Release implements vfs.FileImpl: the timer stops.
func (tf *TimerFD) Release() {
	tf.mu.Lock()
	defer tf.mu.Unlock()
	tf.stopLocked()
	tf.armed = false
}

// LinkName is what /proc/PID/fd shows.
func (tf *TimerFD) LinkName() string { return anon.LinkName("[timerfd]") }

// SetStatusFlags follows the description's O_NONBLOCK (F_SETFL, FIONBIO).
func (tf *TimerFD) SetStatusFlags(flags int) { tf.nonblock.Store(flags&unix.O_NONBLOCK != 0) }

func (tf *TimerFD) stopLocked() {
	tf.gen++
	if tf.wall != nil {
		tf.wall.Stop()
		tf.wall = nil
	}
}

// scheduleLocked starts a Go timer for tf.next.
func (tf *TimerFD) scheduleLocked(now time.Duration) {
	tf.stopLocked()
	gen := tf.gen
	tf.wall = time.AfterFunc(max(tf.next-now, 0), func() { tf.fire(gen) })
}

// fire runs when the Go timer expires: one more expiration, unless the
// clock has not reached the expiry yet (Go's timers count on the monotonic
// clock; a realtime clock may lag), in which case it waits again.
func (tf *TimerFD) fire(gen uint64) {
	tf.mu.Lock()
	defer tf.mu.Unlock()
	if gen != tf.gen || !tf.armed {
		return
	}
	if now := tf.now(); now < tf.next {
		tf.scheduleLocked(now)
		return
	}
	tf.expireLocked()
}

// expireLocked counts the expiration at next and stops the timer until
// someone looks.
func (tf *TimerFD) expireLocked() {
	tf.stopLocked()
	tf.armed = false
	tf.expired = true
	tf.ticks++
	tf.queue.Notify(waiter.EventIn)
}

// catchUpLocked expires the timer now if its time has come and the Go
// timer has not fired yet: what a caller sees does not depend on how late
// Go's timers run (an absolute time in the past is expired at once).
func (tf *TimerFD) catchUpLocked() {
	if tf.armed && tf.now() >= tf.next {
		tf.expireLocked()
	}
}

// forwardLocked counts the expirations of a periodic timer since the one
// that fired, moves next past now and rearms the timer.
func (tf *TimerFD) forwardLocked() {
	if !tf.expired || tf.interval == 0 {
		return
	}
	tf.expired = false
	tf.armed = true
	now := tf.now()
	if now >= tf.next {
		n := (now-tf.next)/tf.interval + 1
		tf.next += (n - 1) * tf.interval // at most now
		if tf.interval > maxDuration-tf.next {
			tf.next = maxDuration
		} else {
			tf.next += tf.interval
		}
		tf.ticks += uint64(n) - 1
	}
	tf.scheduleLocked(now)
}

// remainingLocked is the time to the next expiry: zero when disarmed or
// when a one-shot timer has expired.
func (tf *TimerFD) remainingLocked() time.Duration {
	if !tf.armed {
		return 0
	}
	return max(tf.next-tf.now(), 0)
}

// Get implements timerfd_gettime(2): the time to the next expiry and the
// interval.
func (tf *TimerFD) Get() (value, interval time.Duration) {
	tf.mu.Lock()
	defer tf.mu.Unlock()
	tf.catchUpLocked()
	tf.forwardLocked()
	return tf.remainingLocked(), tf.interval
}

// Set implements timerfd_settime(2): arm the timer to expire at value
// (absolute on the clock when abs, else from now) and every interval
// after, or disarm it when value is zero. Unread expirations are dropped.
// It returns the previous setting.
func (tf *TimerFD) Set(value, interval time.Duration, abs bool) (oldValue, oldInterval time.Duration) {
	tf.mu.Lock()
	defer tf.mu.Unlock()
	tf.catchUpLocked()
	tf.forwardLocked()
	oldValue, oldInterval = tf.remainingLocked(), tf.interval
	tf.stopLocked()
	tf.ticks, tf.expired, tf.armed = 0, false, false
	tf.interval = interval
	if value == 0 {
		return
	}
	now := tf.now()
	switch {
	case abs:
		tf.next = value
	case value > maxDuration-now:
		tf.next = maxDuration // centuries away: never, in practice
	default:
		tf.next = now + value
	}
	tf.armed = true
	tf.scheduleLocked(now)
	tf.catchUpLocked()
	return
}

// Read implements vfs.StreamFile: the number of expirations since the last
// read or settime, as 8 bytes, waiting for at least one. A buffer under 8
// bytes is EINVAL.
func (tf *TimerFD) Read(t vfs.Task, dst []byte) (int, error) {
	if len(dst) < 8 {
		return 0, unix.EINVAL
	}
	tf.mu.Lock()
	defer tf.mu.Unlock()
	tf.catchUpLocked()
	if tf.ticks == 0 {
		if tf.nonblock.Load() {
			return 0, unix.EAGAIN
		}
		if err := anon.Wait(t, &tf.mu, &tf.queue, waiter.EventIn, func() bool { return tf.ticks > 0 }); err != nil {
			return 0, err
		}
	}
	tf.forwardLocked()
	n := tf.ticks
	tf.ticks, tf.expired = 0, false
	binary.LittleEndian.PutUint64(dst, n)
	return 8, nil
}

// Write implements vfs.StreamFile: a timerfd cannot be written.
func (tf *TimerFD) Write(vfs.Task, []byte) (int, error) { return 0, unix.EINVAL }

// Readiness implements waiter.Waitable: readable while an expiration is
// unread.
func (tf *TimerFD) Readiness(mask waiter.EventMask) waiter.EventMask {
	tf.mu.Lock()
	defer tf.mu.Unlock()
	tf.catchUpLocked()
	if tf.ticks > 0 {
		return mask & waiter.EventIn
	}
	return 0
}

// EventRegister implements waiter.Waitable.
func (tf *TimerFD) EventRegister(w *waiter.Entry, mask waiter.EventMask) { tf.queue.Register(w, mask) }

// EventUnregister implements waiter.Waitable.
func (tf *TimerFD) EventUnregister(w *waiter.Entry) { tf.queue.Unregister(w) }

// RecordSize implements vfs.RecordFile: reads take an 8-byte expiry count.
func (tf *TimerFD) RecordSize() int { return 8 }
