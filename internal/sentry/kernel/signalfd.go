package kernel

import (
	"github.com/moat-sandbox/moat/internal/sentry/linux"
	"github.com/moat-sandbox/moat/internal/sentry/waiter"
)

// What signalfd(2) needs of the signal machinery: a way to take a pending
// signal of a set as the reading thread, and a wake-up whenever a signal is
// queued.
//
// Linux wakes a process's signalfd readers through its sighand. Here one
// queue serves the whole Sentry: a signalfd can outlive its creator and be
// read or polled by another process (one that inherited it), and an entry
// registered through a waiter.Waitable cannot say which task it waits for.
// Signals are rare enough that waking every signalfd waiter on each one,
// each rechecking its own task's pending set, costs nothing that matters.
//
// Lock order: ThreadGroup.mu, then the queue's lock (queueLocked notifies
// with the signal lock held); entries must not take a signal lock.

// signalfdQueue is notified (EventIn) whenever a signal is queued.
var signalfdQueue waiter.Queue

// SignalQueue returns the queue that hears of every queued signal, for
// signalfds to wait on.
func SignalQueue() *waiter.Queue { return &signalfdQueue }

// notifySignalfds is called by queueLocked, tg.mu held, after a signal has
// been queued.
func notifySignalfds() {
	signalfdQueue.Notify(waiter.EventIn)
}

// DequeueSignal takes the first pending signal of set for t, from the
// thread's own queue first and then the process's (the order Linux's
// dequeue_signal follows, synchronous signals first), as a signalfd read
// does. A timer's signal gets its overrun count, as on delivery.
func (t *Task) DequeueSignal(set linux.SignalSet) (*linux.SignalInfo, bool) {
	set &^= linux.Unblockable
	tg := t.tg
	tg.mu.Lock()
	info, ok := t.pending.dequeue(^set)
	if !ok {
		info, ok = tg.pending.dequeue(^set)
	}
	tg.mu.Unlock()
	if !ok {
		return nil, false
	}
	tg.timerDelivered(&info)
	return &info, true
}
