// Package eventfd is the eventfd(2) file: a 64-bit counter that writes add
// to and reads take, as a wait/notify mechanism between threads and
// processes.
package eventfd

import (
	"encoding/binary"
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/fs/anon"
	"github.com/moat-sandbox/moat/internal/sentry/vfs"
	"github.com/moat-sandbox/moat/internal/sentry/waiter"
)

// Max is the largest value the counter holds: a write that would take it
// beyond waits (or fails with EAGAIN).
const Max = ^uint64(0) - 1

// EventFD is an eventfd's file.
type EventFD struct {
	anon.NoSeek // lseek succeeds and does nothing

	queue waiter.Queue

	mu        sync.Mutex // guards count; taken before the queue's lock
	count     uint64
	semaphore bool

	nonblock atomic.Bool
}

var _ interface {
	vfs.StreamFile
	vfs.Seeker
	waiter.Waitable
} = (*EventFD)(nil)

// New returns an eventfd whose counter starts at initval. semaphore is
// EFD_SEMAPHORE: each read takes 1 instead of the whole count; nonblock is
// EFD_NONBLOCK.
func New(initval uint64, semaphore, nonblock bool) *EventFD {
	e := &EventFD{count: initval, semaphore: semaphore}
	e.nonblock.Store(nonblock)
	return e
}

// Stat implements vfs.FileImpl: the anonymous inode.
func (e *EventFD) Stat(vfs.Context) (vfs.Stat, error) { return anon.Stat(), nil }

// Release implements vfs.FileImpl.
func (e *EventFD) Release() {}

// LinkName is what /proc/PID/fd shows.
func (e *EventFD) LinkName() string { return anon.LinkName("[eventfd]") }

// SetStatusFlags follows the description's O_NONBLOCK (F_SETFL, FIONBIO).
func (e *EventFD) SetStatusFlags(flags int) { e.nonblock.Store(flags&unix.O_NONBLOCK != 0) }

// Read implements vfs.StreamFile: the counter (or 1 in semaphore mode) as 8
// bytes, waiting while it is zero. A buffer under 8 bytes is EINVAL.
func (e *EventFD) Read(t vfs.Task, dst []byte) (int, error) {
	if len(dst) < 8 {
		return 0, unix.EINVAL
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.count == 0 {
		if e.nonblock.Load() {
			return 0, unix.EAGAIN
		}
		if err := anon.Wait(t, &e.mu, &e.queue, waiter.EventIn, func() bool { return e.count > 0 }); err != nil {
			return 0, err
		}
	}
	v := e.count
	if e.semaphore {
		v = 1
	}
	e.count -= v
	e.queue.Notify(waiter.EventOut)
	binary.LittleEndian.PutUint64(dst, v)
	return 8, nil
}

// Write implements vfs.StreamFile: adds the 8-byte value to the counter,
// waiting while the sum would pass Max. A buffer under 8 bytes and the
// value 2^64-1 are EINVAL.
func (e *EventFD) Write(t vfs.Task, src []byte) (int, error) {
	if len(src) < 8 {
		return 0, unix.EINVAL
	}
	v := binary.LittleEndian.Uint64(src)
	if v == ^uint64(0) {
		return 0, unix.EINVAL
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	fits := func() bool { return Max-e.count >= v }
	if !fits() {
		if e.nonblock.Load() {
			return 0, unix.EAGAIN
		}
		if err := anon.Wait(t, &e.mu, &e.queue, waiter.EventOut, fits); err != nil {
			return 0, err
		}
	}
	e.count += v
	e.queue.Notify(waiter.EventIn)
	return 8, nil
}

// Count returns the counter (tests, diagnostics).
func (e *EventFD) Count() uint64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.count
}

// Readiness implements waiter.Waitable as Linux's eventfd_poll does:
// EPOLLIN while the count is positive, EPOLLOUT while a write of 1 fits,
// EPOLLERR if the count has overflowed (which writes cannot do).
func (e *EventFD) Readiness(mask waiter.EventMask) waiter.EventMask {
	e.mu.Lock()
	defer e.mu.Unlock()
	var m waiter.EventMask
	if e.count > 0 {
		m |= waiter.EventIn
	}
	if e.count == ^uint64(0) {
		m |= waiter.EventErr
	}
	if e.count < Max {
		m |= waiter.EventOut
	}
	return m & (mask | waiter.AlwaysReported)
}

// EventRegister implements waiter.Waitable.
func (e *EventFD) EventRegister(w *waiter.Entry, mask waiter.EventMask) { e.queue.Register(w, mask) }

// EventUnregister implements waiter.Waitable.
func (e *EventFD) EventUnregister(w *waiter.Entry) { e.queue.Unregister(w) }

// RecordSize implements vfs.RecordFile: reads take an 8-byte counter.
func (e *EventFD) RecordSize() int { return 8 }
