// Package vfstest has a vfs.Task for the unit tests of file
// implementations: root's credentials, no application memory, and a Block
// that a test can interrupt as a signal would.
package vfstest

import (
	"time"

	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/auth"
	"github.com/moat-sandbox/moat/internal/sentry/vfs"
)

// Task is a vfs.Task whose Block ends with vfs.ErrInterrupted once
// Interrupt is called (once per call). CopyIn and CopyOut do nothing.
type Task struct{ intr chan struct{} }

// NewTask returns a Task.
func NewTask() *Task { return &Task{intr: make(chan struct{}, 1)} }

// Interrupt makes the next (or current) Block return vfs.ErrInterrupted.
func (t *Task) Interrupt() { t.intr <- struct{}{} }

func (t *Task) Creds() *auth.Credentials                      { return auth.New(0, 0, nil) }
func (t *Task) CopyIn(uintptr, []byte) error                  { return nil }
func (t *Task) CopyOut(uintptr, []byte) error                 { return nil }
func (t *Task) HostWait(int, int16, time.Time) (int16, error) { return 0, unix.ENOSYS }

// Block waits for ch, an interruption, or the deadline (ETIMEDOUT; zero
// waits forever).
func (t *Task) Block(ch <-chan struct{}, deadline time.Time) error {
	var timeout <-chan time.Time
	if !deadline.IsZero() {
		tm := time.NewTimer(time.Until(deadline))
		defer tm.Stop()
		timeout = tm.C
	}
	select {
	case <-ch:
		return nil
	case <-t.intr:
		return vfs.ErrInterrupted
	case <-timeout:
		return unix.ETIMEDOUT
	}
}
