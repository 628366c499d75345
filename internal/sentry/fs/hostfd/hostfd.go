// Package hostfd makes a host file descriptor the Sentry was given (the
// caller's stdin, stdout and stderr) into a file of the sandbox. The Sentry
// holds its own dup of the fd and never changes its status flags (a terminal
// shared with the caller must stay blocking): waits go through poll on the
// host fd and the task's wake-up fd.
package hostfd

import (
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/linux"

	"github.com/moat-sandbox/moat/internal/sentry/hostpoll"
	"github.com/moat-sandbox/moat/internal/sentry/vfs"
	"github.com/moat-sandbox/moat/internal/sentry/waiter"
)

// File is an imported host fd.
type File struct {
	fd int
	// queue is notified by the host poller; alwaysReady files (regular
	// files) cannot be polled on the host and never block.
	queue       waiter.Queue
	alwaysReady bool
	// nonblock returns whether the open file description is non-blocking,
	// as the application set it (F_SETFL, FIONBIO).
	nonblock func() bool
}

// Import dups hostFD and returns a file description over it with the
// given access mode.
func Import(hostFD int) (*vfs.File, error) {
	fd, err := unix.FcntlInt(uintptr(hostFD), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	fl, err := unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0)
	if err != nil {
		unix.Close(fd)
		return nil, err
	}
	hf := &File{fd: fd}
	if err := hostpoll.Add(fd, &hf.queue); err != nil {
		hf.alwaysReady = true
	}
	// The description shows the host's status flags (O_LARGEFILE,
	// O_APPEND, O_NONBLOCK...), as the application would see them natively.
	const status = unix.O_ACCMODE | unix.O_APPEND | unix.O_NONBLOCK | linux.O_LARGEFILE | unix.O_DSYNC |
		unix.O_SYNC | unix.O_DIRECT | unix.O_NOATIME | unix.O_ASYNC
	f := vfs.NewFile(hf, vfs.VirtualDentry{}, fl&status)
	hf.nonblock = func() bool { return f.Flags()&unix.O_NONBLOCK != 0 }
	return f, nil
}

// HostFD returns the Sentry's host fd.
func (f *File) HostFD() int { return f.fd }

// MappingName implements mm.Mappable.
func (f *File) MappingName() string { return "" }

func (f *File) wait(t vfs.Task, events int16) error {
	if f.nonblock() {
		var fds = [1]unix.PollFd{{Fd: int32(f.fd), Events: events}}
		n, err := unix.Poll(fds[:], 0)
		if err != nil {
			return err
		}
		if n == 0 {
			return unix.EAGAIN
		}
		return nil
	}
	_, err := t.HostWait(f.fd, events, time.Time{})
	return err
}

// Read implements vfs.StreamFile.
func (f *File) Read(t vfs.Task, dst []byte) (int, error) {
	if err := f.wait(t, unix.POLLIN); err != nil {
		return 0, err
	}
	for {
		n, err := unix.Read(f.fd, dst)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return 0, err
		}
		return n, nil
	}
}

// Write implements vfs.StreamFile.
func (f *File) Write(t vfs.Task, src []byte) (int, error) {
	done := 0
	for done < len(src) {
		if err := f.wait(t, unix.POLLOUT); err != nil {
			if done > 0 {
				return done, nil
			}
			return 0, err
		}
		n, err := unix.Write(f.fd, src[done:])
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			if done > 0 {
				return done, nil
			}
			return 0, err
		}
		done += n
	}
	return done, nil
}

// Seek implements vfs.Seeker: the host fd keeps its own offset, shared
// with the caller's.
func (f *File) Seek(t vfs.Task, offset int64, whence int) (int64, error) {
	return unix.Seek(f.fd, offset, whence)
}

// Stat implements vfs.FileImpl.
func (f *File) Stat(ctx vfs.Context) (vfs.Stat, error) {
	var st unix.Stat_t
	if err := unix.Fstat(f.fd, &st); err != nil {
		return vfs.Stat{}, err
	}
	return vfs.StatFromHost(&st), nil
}

// Terminal ioctls (ioctl_tty(2)) with the size of what they copy.
const (
	sizeofTermios = 36 // the kernel's struct termios
	sizeofWinsize = 8
	fionread      = 0x541b // FIONREAD, as TIOCINQ
)

// Ioctl implements vfs.Ioctler: terminal requests go to the host terminal
// with the Sentry's own buffer, copied from and to the application.
func (f *File) Ioctl(t vfs.Task, req, arg uintptr) (uintptr, error) {
	var size int
	var in bool // the request reads the argument
	switch req {
	case unix.TCGETS:
		size = sizeofTermios
	case unix.TCSETS, unix.TCSETSW, unix.TCSETSF:
		size, in = sizeofTermios, true
	case unix.TIOCGWINSZ:
		size = sizeofWinsize
	case unix.TIOCSWINSZ:
		size, in = sizeofWinsize, true
	case fionread:
		size = 4
	case unix.TIOCGPGRP, unix.TIOCSPGRP, unix.TIOCGSID, unix.TIOCSCTTY, unix.TIOCNOTTY:
		return f.jobControl(t, req, arg)
	default:
		return 0, unix.ENOTTY
	}
	buf := make([]byte, size)
	if in {
		if err := t.CopyIn(arg, buf); err != nil {
			return 0, err
		}
	}
	_, _, e := syscall.Syscall(syscall.SYS_IOCTL, uintptr(f.fd), req, uintptr(unsafe.Pointer(&buf[0])))
	if e != 0 {
		return 0, e
	}
	if !in {
		if err := t.CopyOut(arg, buf); err != nil {
			return 0, err
		}
	}
	return 0, nil
}

// Release implements vfs.FileImpl.
func (f *File) Release() {
	if !f.alwaysReady {
		hostpoll.Remove(f.fd)
	}
	unix.Close(f.fd)
}

// Readiness implements waiter.Waitable.
func (f *File) Readiness(mask waiter.EventMask) waiter.EventMask {
	if f.alwaysReady {
		return mask & (waiter.ReadableEvents | waiter.WritableEvents)
	}
	return hostpoll.Readiness(f.fd, mask)
}

// EventRegister implements waiter.Waitable.
func (f *File) EventRegister(e *waiter.Entry, mask waiter.EventMask) { f.queue.Register(e, mask) }

// EventUnregister implements waiter.Waitable.
func (f *File) EventUnregister(e *waiter.Entry) { f.queue.Unregister(e) }

// jobController is the calling task's view of its session's terminal.
type jobController interface {
	ForegroundPGID() int32
	SetForegroundPGID(pgid int32) error
	SessionID() int32
}

// jobControl answers the job-control requests on a terminal from the
// Sentry's sessions, not the host's (whose groups are moat's own).
func (f *File) jobControl(t vfs.Task, req, arg uintptr) (uintptr, error) {
	if _, err := unix.IoctlGetTermios(f.fd, unix.TCGETS); err != nil {
		return 0, unix.ENOTTY // not a terminal
	}
	jc, ok := t.(jobController)
	if !ok {
		return 0, unix.ENOTTY
	}
	var b [4]byte
	switch req {
	case unix.TIOCGPGRP, unix.TIOCGSID:
		v := jc.ForegroundPGID()
		if req == unix.TIOCGSID {
			v = jc.SessionID()
		}
		b[0], b[1], b[2], b[3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
		return 0, t.CopyOut(arg, b[:])
	case unix.TIOCSPGRP:
		if err := t.CopyIn(arg, b[:]); err != nil {
			return 0, err
		}
		return 0, jc.SetForegroundPGID(int32(uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24))
	}
	return 0, nil // TIOCSCTTY, TIOCNOTTY: the sandbox has its one terminal
}
