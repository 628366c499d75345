package vfs

import "github.com/moat-sandbox/moat/internal/sentry/waiter"

// Readiness reports the events of mask that hold for the file now. Files
// that never block (regular files, directories, most devices) are always
// ready to read and write, as Linux's DEFAULT_POLLMASK says.
func (f *File) Readiness(mask waiter.EventMask) waiter.EventMask {
	if w, ok := f.impl.(waiter.Waitable); ok {
		return w.Readiness(mask)
	}
	return mask & (waiter.ReadableEvents | waiter.WritableEvents)
}

// ThreadReadiness is a file whose readiness depends on the thread that asks
// (a signalfd is readable while a signal of its mask is pending for the
// caller), as Linux's poll callbacks look at current.
type ThreadReadiness interface {
	ReadinessFor(t Task, mask waiter.EventMask) waiter.EventMask
}

// ReadinessFor is Readiness as thread t sees it: poll, select and
// epoll_wait ask this way, naming the caller.
func (f *File) ReadinessFor(t Task, mask waiter.EventMask) waiter.EventMask {
	if r, ok := f.impl.(ThreadReadiness); ok && t != nil {
		return r.ReadinessFor(t, mask)
	}
	return f.Readiness(mask)
}

// Waitable returns the file as a waiter.Waitable, or nil for files that
// never block.
func (f *File) Waitable() waiter.Waitable {
	w, _ := f.impl.(waiter.Waitable)
	return w
}

// Released reports whether the last reference to the description is gone
// (epoll drops such files from its interest list).
func (f *File) Released() bool { return f.refs.Load() <= 0 }
