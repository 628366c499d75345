// Package vfs holds what every file in the Sentry shares: open file
// descriptions, the per-process fd table, and the interface a task presents
// to file operations.
package vfs

import (
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// Task is the calling task as file operations see it.
type Task interface {
	// CopyIn and CopyOut move bytes between the Sentry and application
	// memory; failures are EFAULT.
	CopyIn(addr uintptr, dst []byte) error
	CopyOut(addr uintptr, src []byte) error
	// HostWait blocks until host fd fd has one of events (POLLIN, POLLOUT),
	// the deadline passes (ETIMEDOUT; zero means none), or the task is
	// interrupted (ErrInterrupted).
	HostWait(fd int, events int16, deadline time.Time) (int16, error)
}

// ErrInterrupted is returned by blocking operations when a signal or an exit
// needs the task; the syscall layer turns it into the right restart errno.
var ErrInterrupted = interruptedError{}

type interruptedError struct{}

func (interruptedError) Error() string { return "interrupted" }

// FileImpl is what a filesystem implements for an open file. Methods a file
// type does not support return the errno Linux gives for them.
type FileImpl interface {
	Read(t Task, dst []byte) (int, error)
	Write(t Task, src []byte) (int, error)
	Seek(offset int64, whence int) (int64, error)
	Stat() (unix.Stat_t, error)
	// Ioctl handles request with argument arg (often an application pointer).
	Ioctl(t Task, request, arg uintptr) (uintptr, error)
	// Release frees the file when the last reference goes.
	Release()
}

// File is an open file description: shared by every fd that dup, fork or
// SCM_RIGHTS made from one open, with one offset and one set of status flags.
type File struct {
	FileImpl
	refs atomic.Int64

	mu    sync.Mutex
	flags int // O_APPEND, O_NONBLOCK, ... and the access mode
}

// NewFile returns a file description with one reference.
func NewFile(impl FileImpl, flags int) *File {
	f := &File{FileImpl: impl, flags: flags}
	f.refs.Store(1)
	return f
}

// IncRef takes a reference.
func (f *File) IncRef() { f.refs.Add(1) }

// DecRef drops a reference, releasing the file with the last.
func (f *File) DecRef() {
	if f.refs.Add(-1) == 0 {
		f.FileImpl.Release()
	}
}

// Flags returns the status flags and access mode (F_GETFL).
func (f *File) Flags() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.flags
}

// SetFlags changes the flags F_SETFL may change.
func (f *File) SetFlags(flags int) {
	const settable = unix.O_APPEND | unix.O_ASYNC | unix.O_DIRECT | unix.O_NOATIME | unix.O_NONBLOCK
	f.mu.Lock()
	f.flags = f.flags&^settable | flags&settable
	f.mu.Unlock()
}

// Readable and Writable check the access mode.
func (f *File) Readable() bool {
	m := f.Flags() & unix.O_ACCMODE
	return m == unix.O_RDONLY || m == unix.O_RDWR
}

func (f *File) Writable() bool {
	m := f.Flags() & unix.O_ACCMODE
	return m == unix.O_WRONLY || m == unix.O_RDWR
}
