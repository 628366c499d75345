// Package waiter lets a task wait for a file to become ready. A file that
// can block (a pipe now; sockets, eventfds and terminals later) keeps a
// Queue; whoever waits registers an Entry with the events it cares about,
// rechecks the file's Readiness, and blocks on the entry's channel. The
// file calls Notify whenever its readiness may have changed.
//
// The same two pieces serve poll, select and epoll: level-triggered
// interest rechecks Readiness after every wake-up; edge-triggered interest
// uses an entry with a callback, which sees each Notify as it happens.
package waiter

import "sync"

// EventMask is a set of poll(2)/epoll(7) events, with Linux's bit values,
// so that a mask can go to and from the application unchanged.
type EventMask uint32

// The events of poll(2) and epoll_ctl(2).
const (
	EventIn     EventMask = 0x1    // POLLIN, EPOLLIN: data to read
	EventPri    EventMask = 0x2    // POLLPRI, EPOLLPRI: urgent data
	EventOut    EventMask = 0x4    // POLLOUT, EPOLLOUT: room to write
	EventErr    EventMask = 0x8    // POLLERR, EPOLLERR: an error (no readers)
	EventHup    EventMask = 0x10   // POLLHUP, EPOLLHUP: the other end hung up
	EventNVal   EventMask = 0x20   // POLLNVAL: not an open fd (poll only)
	EventRdNorm EventMask = 0x40   // POLLRDNORM
	EventRdBand EventMask = 0x80   // POLLRDBAND
	EventWrNorm EventMask = 0x100  // POLLWRNORM
	EventWrBand EventMask = 0x200  // POLLWRBAND
	EventMsg    EventMask = 0x400  // POLLMSG
	EventRdHup  EventMask = 0x2000 // POLLRDHUP, EPOLLRDHUP: the peer shut down writing
)

// Events every readiness check reports whether or not they were asked
// for, as Linux's poll does.
const AlwaysReported = EventErr | EventHup | EventNVal

// ReadableEvents and WritableEvents are the usual "can read" and "can
// write" sets.
const (
	ReadableEvents = EventIn | EventRdNorm
	WritableEvents = EventOut | EventWrNorm
)

// AllEvents matches every notification.
const AllEvents EventMask = 0xffffffff

// Waitable is a file a task can wait on.
type Waitable interface {
	// Readiness returns the events of mask (and AlwaysReported ones)
	// that hold now.
	Readiness(mask EventMask) EventMask
	// EventRegister adds e to the file's queue for the events of mask;
	// EventUnregister removes it.
	EventRegister(e *Entry, mask EventMask)
	EventUnregister(e *Entry)
}

// Entry is one waiter. It is on at most one Queue at a time.
type Entry struct {
	ch       chan struct{}
	callback func(EventMask)

	// Guarded by the queue's mu while the entry is registered.
	q          *Queue
	mask       EventMask
	prev, next *Entry
}

// NewEntry returns an entry whose channel receives a wake-up (at most one
// pending) whenever an event of its mask is notified: the channel a task
// passes to its Block.
func NewEntry() *Entry {
	return &Entry{ch: make(chan struct{}, 1)}
}

// NewCallbackEntry returns an entry that calls fn with the notified events
// it asked for. fn runs with the queue's lock held, and often the file's
// own lock too: it must be quick, must not register or unregister entries
// of the same queue, and must not call back into the file (Readiness).
// epoll's callback marks its item ready and wakes the epoll waiters.
func NewCallbackEntry(fn func(EventMask)) *Entry {
	return &Entry{callback: fn}
}

// C is the entry's wake-up channel (nil for a callback entry).
func (e *Entry) C() <-chan struct{} { return e.ch }

// Clear drops a pending wake-up, before a fresh check of readiness.
func (e *Entry) Clear() {
	select {
	case <-e.ch:
	default:
	}
}

func (e *Entry) notify(m EventMask) {
	if e.callback != nil {
		e.callback(m)
		return
	}
	select {
	case e.ch <- struct{}{}:
	default:
	}
}

// Queue is the list of entries waiting on one file. The zero value is an
// empty queue.
type Queue struct {
	mu         sync.Mutex
	head, tail *Entry
}

// Register adds e for the events of mask, or changes its mask if it is on
// q already. An entry registered on another queue is moved.
func (q *Queue) Register(e *Entry, mask EventMask) {
	if old := e.queue(); old != nil && old != q {
		old.Unregister(e)
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	e.mask = mask
	if e.q == q {
		return
	}
	e.q = q
	e.prev, e.next = q.tail, nil
	if q.tail != nil {
		q.tail.next = e
	} else {
		q.head = e
	}
	q.tail = e
}

// queue returns the queue e is on. Reading e.q without that queue's lock
// is fine for the owner of e: only Register and Unregister, which the
// owner calls, change it.
func (e *Entry) queue() *Queue { return e.q }

// Unregister removes e; it does nothing if e is not on q.
func (q *Queue) Unregister(e *Entry) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if e.q != q {
		return
	}
	if e.prev != nil {
		e.prev.next = e.next
	} else {
		q.head = e.next
	}
	if e.next != nil {
		e.next.prev = e.prev
	} else {
		q.tail = e.prev
	}
	e.q, e.prev, e.next = nil, nil, nil
}

// Notify wakes every entry whose mask shares an event with mask.
func (q *Queue) Notify(mask EventMask) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for e := q.head; e != nil; e = e.next {
		if m := e.mask & mask; m != 0 {
			e.notify(m)
		}
	}
}

// Interest is the union of the masks of the registered entries: a file
// may skip a Notify nobody waits for.
func (q *Queue) Interest() EventMask {
	q.mu.Lock()
	defer q.mu.Unlock()
	var m EventMask
	for e := q.head; e != nil; e = e.next {
		m |= e.mask
	}
	return m
}

// Len is the number of registered entries (tests, diagnostics).
func (q *Queue) Len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	n := 0
	for e := q.head; e != nil; e = e.next {
		n++
	}
	return n
}
