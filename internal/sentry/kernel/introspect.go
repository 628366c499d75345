package kernel

import (
	"github.com/moat-sandbox/moat/internal/sentry/linux"
)

// Read-only views of kernel state for /proc. Each is safe from any
// goroutine.

// InApplication reports whether the task is running application code
// (rather than serving a system call or a fault in the Sentry).
func (t *Task) InApplication() bool { return t.inApp.Load() }

// Exited reports whether the task has exited while other threads of its
// group run on (a main thread after pthread_exit): Linux shows it as a
// zombie.
func (t *Task) Exited() bool {
	t.tg.mu.Lock()
	defer t.tg.mu.Unlock()
	return t.exiting
}

// GroupStopped reports whether the group is stopped by a job-control
// signal.
func (tg *ThreadGroup) GroupStopped() bool {
	tg.mu.Lock()
	defer tg.mu.Unlock()
	return tg.stopped
}

// ThreadPending returns the signals pending for the task alone
// (thread-directed), without the process-directed ones.
func (t *Task) ThreadPending() linux.SignalSet {
	t.tg.mu.Lock()
	defer t.tg.mu.Unlock()
	return t.pending.set
}

// SharedPending returns the process-directed signals pending.
func (tg *ThreadGroup) SharedPending() linux.SignalSet {
	tg.mu.Lock()
	defer tg.mu.Unlock()
	return tg.pending.set
}

// SignalDispositions returns the signals the group ignores (SIG_IGN) and
// those it catches (a handler).
func (tg *ThreadGroup) SignalDispositions() (ignored, caught linux.SignalSet) {
	tg.mu.Lock()
	defer tg.mu.Unlock()
	for i := range tg.actions {
		s := linux.SignalSetOf(linux.Signal(i + 1))
		switch tg.actions[i].Handler {
		case linux.SIG_DFL:
		case linux.SIG_IGN:
			ignored |= s
		default:
			caught |= s
		}
	}
	return ignored, caught
}

// LastTID is the thread ID handed out last.
func (k *Kernel) LastTID() int32 {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.lastTID
}

// MaxTID is the bound of thread IDs (/proc/sys/kernel/pid_max).
func MaxTID() int32 { return maxTID }

// NrOpen is the ceiling of RLIMIT_NOFILE (/proc/sys/fs/nr_open).
func NrOpen() uint64 { return nrOpen }
