// Package epoll is the epoll(7) file: an interest list of (fd, file)
// pairs, a ready list fed by callbacks on the watched files' wait queues,
// and the level-triggered, edge-triggered and one-shot rules of Linux.
package epoll

import (
	"sync"

	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/vfs"
	"github.com/moat-sandbox/moat/internal/sentry/waiter"
)

// epoll_ctl flags in the event mask.
const (
	EPOLLEXCLUSIVE waiter.EventMask = 1 << 28
	EPOLLWAKEUP    waiter.EventMask = 1 << 29
	EPOLLONESHOT   waiter.EventMask = 1 << 30
	EPOLLET        waiter.EventMask = 1 << 31

	flagBits = EPOLLEXCLUSIVE | EPOLLWAKEUP | EPOLLONESHOT | EPOLLET
	// maxNests is how deep epolls may watch epolls (EPOLL_MAX_NESTS).
	maxNests = 4
)

// key is an interest list key: Linux keys items by the fd number and the
// open file description together.
type key struct {
	fd   int32
	file *vfs.File
}

type item struct {
	ep     *EventPoll
	key    key
	events waiter.EventMask // requested events and flags
	data   uint64
	entry  *waiter.Entry
	// Guarded by ep.readyMu.
	ready    bool
	disabled bool // a one-shot that fired, until EPOLL_CTL_MOD
	// notified counts the notifications markReady took: Collect keeps an
	// item it found not ready if one came while it looked (the file
	// became ready after the check), instead of losing it.
	notified uint64
}

// EventPoll is an epoll instance.
type EventPoll struct {
	mu    sync.Mutex // guards items
	items map[key]*item

	readyMu sync.Mutex // guards ready and the items' ready flags
	ready   []*item

	queue waiter.Queue // tasks in epoll_wait, and epolls watching this one
}

// New returns an empty epoll instance.
func New() *EventPoll {
	return &EventPoll{items: map[key]*item{}}
}

// Stat implements vfs.FileImpl: an anonymous inode.
func (ep *EventPoll) Stat(ctx vfs.Context) (vfs.Stat, error) {
	return vfs.Stat{Mode: 0o600, Nlink: 1, Blksize: 4096}, nil
}

// Release implements vfs.FileImpl: drop every watch.
func (ep *EventPoll) Release() {
	ep.mu.Lock()
	items := ep.items
	ep.items = map[key]*item{}
	ep.mu.Unlock()
	for _, it := range items {
		if w := it.key.file.Waitable(); w != nil {
			w.EventUnregister(it.entry)
		}
	}
}

// LinkName is what /proc/PID/fd shows.
func (ep *EventPoll) LinkName() string { return "anon_inode:[eventpoll]" }

// Readiness implements waiter.Waitable: readable while an item on the
// ready list still has an event to report (as Linux's ep_eventpoll_poll
// asks each one: a level-triggered item stays on the list after its file
// was drained). The files are asked without readyMu held.
func (ep *EventPoll) Readiness(mask waiter.EventMask) waiter.EventMask {
	ep.readyMu.Lock()
	var candidates []*item
	for _, it := range ep.ready {
		if !it.disabled {
			candidates = append(candidates, it)
		}
	}
	ep.readyMu.Unlock()
	for _, it := range candidates {
		if it.key.file.Released() {
			continue
		}
		events := it.events
		if it.key.file.Readiness(events&^flagBits)&(events|waiter.AlwaysReported)&^flagBits != 0 {
			return mask & waiter.ReadableEvents
		}
	}
	return 0
}

// EventRegister implements waiter.Waitable.
func (ep *EventPoll) EventRegister(e *waiter.Entry, mask waiter.EventMask) {
	ep.queue.Register(e, mask)
}

// EventUnregister implements waiter.Waitable.
func (ep *EventPoll) EventUnregister(e *waiter.Entry) { ep.queue.Unregister(e) }

// markReady puts it on the ready list and wakes waiters. It runs in the
// watched file's notification (its queue lock held): it takes only
// readyMu and this epoll's queue.
func (it *item) markReady(m waiter.EventMask) {
	ep := it.ep
	ep.readyMu.Lock()
	if it.disabled || m&(it.events|waiter.AlwaysReported) == 0 {
		ep.readyMu.Unlock()
		return
	}
	it.notified++
	if !it.ready {
		it.ready = true
		ep.ready = append(ep.ready, it)
	}
	ep.readyMu.Unlock()
	ep.queue.Notify(waiter.ReadableEvents)
}

// Add implements EPOLL_CTL_ADD.
func (ep *EventPoll) Add(fd int32, f *vfs.File, events waiter.EventMask, data uint64) error {
	if err := ep.checkTarget(f, events); err != nil {
		return err
	}
	k := key{fd, f}
	ep.mu.Lock()
	if _, ok := ep.items[k]; ok {
		ep.mu.Unlock()
		return unix.EEXIST
	}
	it := &item{ep: ep, key: k, events: events | waiter.AlwaysReported, data: data}
	it.entry = waiter.NewCallbackEntry(it.markReady)
	ep.items[k] = it
	ep.mu.Unlock()
	if w := f.Waitable(); w != nil {
		w.EventRegister(it.entry, it.events&^flagBits)
	}
	if f.Readiness(it.events&^flagBits) != 0 {
		it.markReady(it.events)
	}
	return nil
}

// Modify implements EPOLL_CTL_MOD.
func (ep *EventPoll) Modify(fd int32, f *vfs.File, events waiter.EventMask, data uint64) error {
	if events&EPOLLEXCLUSIVE != 0 {
		return unix.EINVAL
	}
	ep.mu.Lock()
	it, ok := ep.items[key{fd, f}]
	ep.mu.Unlock()
	if !ok {
		return unix.ENOENT
	}
	if it.events&EPOLLEXCLUSIVE != 0 {
		return unix.EINVAL
	}
	ep.readyMu.Lock()
	it.events = events | waiter.AlwaysReported
	it.data = data
	it.disabled = false
	ep.readyMu.Unlock()
	if w := f.Waitable(); w != nil {
		w.EventRegister(it.entry, it.events&^flagBits)
	}
	if f.Readiness(it.events&^flagBits) != 0 {
		it.markReady(it.events)
	}
	return nil
}

// Delete implements EPOLL_CTL_DEL.
func (ep *EventPoll) Delete(fd int32, f *vfs.File) error {
	ep.mu.Lock()
	it, ok := ep.items[key{fd, f}]
	delete(ep.items, key{fd, f})
	ep.mu.Unlock()
	if !ok {
		return unix.ENOENT
	}
	if w := f.Waitable(); w != nil {
		w.EventUnregister(it.entry)
	}
	ep.readyMu.Lock()
	it.disabled = true
	ep.removeReadyLocked(it)
	ep.readyMu.Unlock()
	return nil
}

func (ep *EventPoll) removeReadyLocked(it *item) {
	if !it.ready {
		return
	}
	it.ready = false
	for i, x := range ep.ready {
		if x == it {
			ep.ready = append(ep.ready[:i], ep.ready[i+1:]...)
			return
		}
	}
}

// checkTarget refuses what epoll cannot watch: itself, loops of epolls,
// nests too deep (ELOOP), and files that never block (EPERM), as Linux.
func (ep *EventPoll) checkTarget(f *vfs.File, events waiter.EventMask) error {
	target, isEpoll := f.Impl().(*EventPoll)
	if isEpoll {
		if events&EPOLLEXCLUSIVE != 0 {
			return unix.EINVAL
		}
		if target == ep || target.reaches(ep, 0) {
			return unix.ELOOP
		}
		return nil
	}
	if f.Waitable() == nil {
		return unix.EPERM
	}
	return nil
}

// reaches reports whether ep watches target, directly or through nested
// epolls, or nests deeper than Linux allows.
func (ep *EventPoll) reaches(target *EventPoll, depth int) bool {
	if depth > maxNests {
		return true
	}
	ep.mu.Lock()
	var nested []*EventPoll
	for k := range ep.items {
		if e, ok := k.file.Impl().(*EventPoll); ok {
			nested = append(nested, e)
		}
	}
	ep.mu.Unlock()
	for _, e := range nested {
		if e == target || e.reaches(target, depth+1) {
			return true
		}
	}
	return false
}

// Event is one reported event.
type Event struct {
	Events waiter.EventMask
	Data   uint64
}

// Collect takes up to max ready events, applying the trigger rules:
// level-triggered items stay ready while their file is, edge-triggered
// ones leave the list until the next notification, one-shot ones are
// disabled until EPOLL_CTL_MOD. t is the caller, for files whose readiness
// depends on who asks (signalfd).
func (ep *EventPoll) Collect(t vfs.Task, max int) []Event {
	ep.readyMu.Lock()
	candidates := append([]*item(nil), ep.ready...)
	seen := make([]uint64, len(candidates))
	for i, it := range candidates {
		seen[i] = it.notified
	}
	ep.readyMu.Unlock()
	var out []Event
	type staleItem struct {
		it *item
		// notified is the count before the check; -1 (max) when the item
		// leaves the list whatever came since (disabled, released).
		notified uint64
	}
	var stale []staleItem
	var keep []*item
	const always = ^uint64(0)
	for i, it := range candidates {
		if len(out) >= max {
			break
		}
		ep.readyMu.Lock()
		events, disabled, data := it.events, it.disabled, it.data
		ep.readyMu.Unlock()
		if disabled || it.key.file.Released() {
			stale = append(stale, staleItem{it, always})
			continue
		}
		got := it.key.file.ReadinessFor(t, events&^flagBits) & (events | waiter.AlwaysReported) &^ flagBits
		if got == 0 {
			stale = append(stale, staleItem{it, seen[i]})
			continue
		}
		out = append(out, Event{Events: got, Data: data})
		switch {
		case events&EPOLLONESHOT != 0:
			ep.readyMu.Lock()
			it.disabled = true
			ep.readyMu.Unlock()
			stale = append(stale, staleItem{it, always})
		case events&EPOLLET != 0:
			stale = append(stale, staleItem{it, seen[i]})
		default:
			keep = append(keep, it)
		}
	}
	ep.readyMu.Lock()
	for _, s := range stale {
		// A notification after the check stays: the next Collect looks
		// again.
		if s.notified == always || s.it.notified == s.notified {
			ep.removeReadyLocked(s.it)
		}
	}
	// Level-triggered items reported now go to the back: fairness.
	for _, it := range keep {
		ep.removeReadyLocked(it)
		it.ready = true
		ep.ready = append(ep.ready, it)
	}
	ep.readyMu.Unlock()
	return out
}
