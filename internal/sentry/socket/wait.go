package socket

import (
	"time"

	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/vfs"
	"github.com/moat-sandbox/moat/internal/sentry/waiter"
)

// NoWait is the SO_RCVTIMEO/SO_SNDTIMEO value, in nanoseconds, that makes
// every call on a socket non-blocking; 0 waits forever.
const NoWait = -1

// WaitPolicy is how one socket call may block: not at all, forever, or
// until a deadline (SO_RCVTIMEO, SO_SNDTIMEO).
type WaitPolicy struct {
	Nonblock bool
	Deadline time.Time
	// Bounded says a timeout applies: an interrupted wait is then EINTR,
	// never restarted, as on Linux.
	Bounded bool
}

// Policy returns how a call may wait: nonblock is O_NONBLOCK or
// MSG_DONTWAIT, timeout the applicable socket timeout in nanoseconds.
func Policy(nonblock bool, timeout int64) WaitPolicy {
	switch {
	case nonblock || timeout == NoWait:
		return WaitPolicy{Nonblock: true}
	case timeout > 0:
		return WaitPolicy{Deadline: time.Now().Add(time.Duration(timeout)), Bounded: true}
	}
	return WaitPolicy{}
}

// WaitError maps a failed Block to the system call's error: timeoutErr
// for a timeout, EINTR for an interrupted bounded wait, else err
// (vfs.ErrInterrupted, restarted with SA_RESTART).
func (p WaitPolicy) WaitError(err, timeoutErr error) error {
	switch {
	case err == unix.ETIMEDOUT:
		return timeoutErr
	case err == vfs.ErrInterrupted && p.Bounded:
		return unix.EINTR
	}
	return err
}

// Retry runs op until it returns something other than EAGAIN, waiting
// for events on q between tries as p allows.
func Retry(t vfs.Task, q *waiter.Queue, events waiter.EventMask, p WaitPolicy, timeoutErr error, op func() error) error {
	err := op()
	if err != unix.EAGAIN || p.Nonblock {
		return err
	}
	e := waiter.NewEntry()
	q.Register(e, events|waiter.EventErr|waiter.EventHup)
	defer q.Unregister(e)
	for {
		// Registered before the retry: a notification in between leaves
		// a wake-up on the channel.
		if err := op(); err != unix.EAGAIN {
			return err
		}
		if err := t.Block(e.C(), p.Deadline); err != nil {
			return p.WaitError(err, timeoutErr)
		}
	}
}
