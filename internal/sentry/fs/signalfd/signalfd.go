// Package signalfd is the signalfd(2) file: pending signals of a set, read
// as struct signalfd_siginfo records instead of delivered to handlers.
//
// A signalfd has no signals of its own. Reading takes them from the
// pending queues of the reading thread (its own queue, then its
// process's), and the file is readable when such a signal is pending for
// the thread that looks: what a signalfd shows depends on who reads it.
package signalfd

import (
	"encoding/binary"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/fs/anon"
	"github.com/moat-sandbox/moat/internal/sentry/linux"
	"github.com/moat-sandbox/moat/internal/sentry/vfs"
	"github.com/moat-sandbox/moat/internal/sentry/waiter"
)

// SizeofSiginfo is sizeof(struct signalfd_siginfo): each read record.
const SizeofSiginfo = 128

// Task is what a signalfd needs of the thread that reads or polls it (the
// kernel's Task).
type Task interface {
	vfs.Task
	// DequeueSignal takes the first pending signal of set: the thread's
	// own, then its process's.
	DequeueSignal(set linux.SignalSet) (*linux.SignalInfo, bool)
	// Pending is the set of signals pending for the thread or its process.
	Pending() linux.SignalSet
}

// pendingSource is a thread whose pending signals readiness looks at.
type pendingSource interface {
	Pending() linux.SignalSet
}

type sourceBox struct{ p pendingSource }

// SignalFD is a signalfd's file.
type SignalFD struct {
	anon.NoSeek // lseek succeeds and does nothing

	// queue hears of every signal queued in the sandbox (the kernel's).
	queue *waiter.Queue

	mu   sync.Mutex
	mask linux.SignalSet

	// viewer is the thread that last read the file, created it or
	// changed its mask: readiness asked without a thread (Readiness) is
	// answered for it. ReadinessFor answers for the caller.
	viewer atomic.Pointer[sourceBox]

	nonblock atomic.Bool
}

var _ interface {
	vfs.StreamFile
	vfs.Seeker
	waiter.Waitable
} = (*SignalFD)(nil)

// New returns a signalfd for the signals of mask (SIGKILL and SIGSTOP
// never), made by t. queue is notified whenever a signal is queued.
func New(t Task, queue *waiter.Queue, mask linux.SignalSet, nonblock bool) *SignalFD {
	s := &SignalFD{queue: queue, mask: mask &^ linux.Unblockable}
	s.nonblock.Store(nonblock)
	s.seenBy(t)
	return s
}

func (s *SignalFD) seenBy(t pendingSource) {
	if t != nil {
		s.viewer.Store(&sourceBox{t})
	}
}

// Mask is the set of signals the file reads.
func (s *SignalFD) Mask() linux.SignalSet {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.mask
}

// SetMask replaces the set (signalfd4 on an existing signalfd), and wakes
// waiters to look again.
func (s *SignalFD) SetMask(t Task, mask linux.SignalSet) {
	s.mu.Lock()
	s.mask = mask &^ linux.Unblockable
	s.mu.Unlock()
	s.seenBy(t)
	s.queue.Notify(waiter.EventIn)
}

// Stat implements vfs.FileImpl: the anonymous inode.
func (s *SignalFD) Stat(vfs.Context) (vfs.Stat, error) { return anon.Stat(), nil }

// Release implements vfs.FileImpl.
func (s *SignalFD) Release() { s.viewer.Store(nil) }

// LinkName is what /proc/PID/fd shows.
func (s *SignalFD) LinkName() string { return anon.LinkName("[signalfd]") }

// SetStatusFlags follows the description's O_NONBLOCK (F_SETFL, FIONBIO).
func (s *SignalFD) SetStatusFlags(flags int) { s.nonblock.Store(flags&unix.O_NONBLOCK != 0) }

// Read implements vfs.StreamFile: as many pending signals of the mask as
// whole records fit in dst, taken from t's queues; it waits for the first
// one. A buffer smaller than one record is EINVAL.
func (s *SignalFD) Read(vt vfs.Task, dst []byte) (int, error) {
	if len(dst) < SizeofSiginfo {
		return 0, unix.EINVAL
	}
	t, ok := vt.(Task)
	if !ok {
		return 0, unix.EINVAL
	}
	s.seenBy(t)
	n := 0
	for len(dst)-n >= SizeofSiginfo {
		info, ok := t.DequeueSignal(s.Mask())
		if !ok {
			if n > 0 {
				break
			}
			if s.nonblock.Load() {
				return 0, unix.EAGAIN
			}
			var err error
			if info, err = s.wait(t); err != nil {
				return 0, err
			}
		}
		Marshal(info, dst[n:n+SizeofSiginfo])
		n += SizeofSiginfo
	}
	return n, nil
}

// wait blocks until a signal of the mask is pending for t and takes it, or
// t is interrupted (vfs.ErrInterrupted).
func (s *SignalFD) wait(t Task) (*linux.SignalInfo, error) {
	e := waiter.NewEntry()
	s.queue.Register(e, waiter.EventIn)
	defer s.queue.Unregister(e)
	for {
		if info, ok := t.DequeueSignal(s.Mask()); ok {
			return info, nil
		}
		if err := t.Block(e.C(), time.Time{}); err != nil {
			// A signal of the mask that came with the interruption
			// is read first, as Linux looks before it gives up.
			if info, ok := t.DequeueSignal(s.Mask()); ok {
				return info, nil
			}
			return nil, err
		}
	}
}

// Write implements vfs.StreamFile: a signalfd cannot be written.
func (s *SignalFD) Write(vfs.Task, []byte) (int, error) { return 0, unix.EINVAL }

// ReadinessFor reports the file's events as thread t sees them: readable
// while a signal of the mask is pending for t or its process. poll and
// epoll_wait should ask this way, naming the caller.
func (s *SignalFD) ReadinessFor(t vfs.Task, mask waiter.EventMask) waiter.EventMask {
	p, ok := t.(pendingSource)
	if !ok {
		return s.Readiness(mask)
	}
	return s.readinessOf(p, mask)
}

// Readiness implements waiter.Waitable, for callers that cannot say which
// thread asks: it answers for the thread that last read the file, made it
// or changed its mask.
func (s *SignalFD) Readiness(mask waiter.EventMask) waiter.EventMask {
	b := s.viewer.Load()
	if b == nil {
		return 0
	}
	return s.readinessOf(b.p, mask)
}

func (s *SignalFD) readinessOf(p pendingSource, mask waiter.EventMask) waiter.EventMask {
	if p.Pending()&s.Mask() != 0 {
		return mask & waiter.EventIn
	}
	return 0
}

// EventRegister implements waiter.Waitable: waiters hear of every queued
// signal and look again.
func (s *SignalFD) EventRegister(w *waiter.Entry, mask waiter.EventMask) { s.queue.Register(w, mask) }

// EventUnregister implements waiter.Waitable.
func (s *SignalFD) EventUnregister(w *waiter.Entry) { s.queue.Unregister(w) }

// siginfo layouts: which union members of siginfo_t a signal carries,
// decided from its number and si_code as Linux's siginfo_layout does.
type layout int

const (
	layoutKill  layout = iota // si_pid, si_uid
	layoutTimer               // si_tid, si_overrun, si_value
	layoutPoll                // si_band, si_fd
	layoutFault               // si_addr
	layoutMCE                 // si_addr, si_addr_lsb
	layoutChld                // si_pid, si_uid, si_status, si_utime, si_stime
	layoutRT                  // si_pid, si_uid, si_value
	layoutSys                 // si_call_addr, si_syscall, si_arch
)

// How many signal-specific si_code values each signal defines (NSIGILL
// and friends in <asm-generic/siginfo.h>), and the layout they use.
var specificCodes = map[linux.Signal]struct {
	limit  int32
	layout layout
}{
	linux.SIGILL:  {11, layoutFault},
	linux.SIGFPE:  {15, layoutFault},
	linux.SIGSEGV: {10, layoutFault},
	linux.SIGBUS:  {5, layoutFault},
	linux.SIGTRAP: {6, layoutFault},
	linux.SIGCHLD: {6, layoutChld},
	linux.SIGIO:   {6, layoutPoll},
	linux.SIGSYS:  {2, layoutSys},
}

const (
	busMCEErrAR = 4 // BUS_MCEERR_AR
	busMCEErrAO = 5 // BUS_MCEERR_AO
	nSigPoll    = 6 // NSIGPOLL
)

func layoutOf(sig linux.Signal, code int32) layout {
	if code > linux.SI_USER && code < linux.SI_KERNEL {
		if sc, ok := specificCodes[sig]; ok && code <= sc.limit {
			if sig == linux.SIGBUS && (code == busMCEErrAR || code == busMCEErrAO) {
				return layoutMCE
			}
			return sc.layout
		}
		if code <= nSigPoll {
			return layoutPoll
		}
		return layoutKill
	}
	switch {
	case code == linux.SI_TIMER:
		return layoutTimer
	case code == linux.SI_SIGIO:
		return layoutPoll
	case code < 0:
		return layoutRT
	}
	return layoutKill
}

// Marshal encodes info as a struct signalfd_siginfo into b (128 bytes):
// the fields its layout carries, the rest zero.
func Marshal(info *linux.SignalInfo, b []byte) {
	le := binary.LittleEndian
	clear(b[:SizeofSiginfo])
	d := info.Data[:] // the union, after signo, errno, code and padding
	le.PutUint32(b[0:], uint32(info.Signo))
	le.PutUint32(b[4:], uint32(info.Errno))
	le.PutUint32(b[8:], uint32(info.Code))
	const (
		offPID, offUID, offFD, offTID, offBand, offOverrun = 12, 16, 20, 24, 28, 32
		offStatus, offInt, offPtr, offUtime, offStime      = 40, 44, 48, 56, 64
		offAddr, offAddrLSB, offSyscall, offCallAddr       = 72, 80, 84, 88
		offArch                                            = 96
	)
	switch layoutOf(linux.Signal(info.Signo), info.Code) {
	case layoutKill:
		copy(b[offPID:offPID+4], d[0:4])
		copy(b[offUID:offUID+4], d[4:8])
	case layoutTimer:
		copy(b[offTID:offTID+4], d[0:4])
		copy(b[offOverrun:offOverrun+4], d[4:8])
		copy(b[offPtr:offPtr+8], d[8:16])
		copy(b[offInt:offInt+4], d[8:12])
	case layoutPoll:
		// si_band is a long; ssi_band keeps its low 32 bits.
		copy(b[offBand:offBand+4], d[0:4])
		copy(b[offFD:offFD+4], d[8:12])
	case layoutFault:
		copy(b[offAddr:offAddr+8], d[0:8])
	case layoutMCE:
		copy(b[offAddr:offAddr+8], d[0:8])
		copy(b[offAddrLSB:offAddrLSB+2], d[8:10])
	case layoutChld:
		copy(b[offPID:offPID+4], d[0:4])
		copy(b[offUID:offUID+4], d[4:8])
		copy(b[offStatus:offStatus+4], d[8:12])
		copy(b[offUtime:offUtime+8], d[16:24])
		copy(b[offStime:offStime+8], d[24:32])
	case layoutRT:
		copy(b[offPID:offPID+4], d[0:4])
		copy(b[offUID:offUID+4], d[4:8])
		copy(b[offPtr:offPtr+8], d[8:16])
		copy(b[offInt:offInt+4], d[8:12])
	case layoutSys:
		copy(b[offCallAddr:offCallAddr+8], d[0:8])
		copy(b[offSyscall:offSyscall+4], d[8:12])
		copy(b[offArch:offArch+4], d[12:16])
	}
}

// RecordSize implements vfs.RecordFile: reads take one 128-byte signalfd_siginfo.
func (s *SignalFD) RecordSize() int { return 128 }
