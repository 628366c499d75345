package kernel

import (
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/platform"
	"github.com/moat-sandbox/moat/internal/sentry/linux"
	"github.com/moat-sandbox/moat/internal/sentry/vfs"
	"github.com/moat-sandbox/moat/internal/sentry/waiter"
)

// ThreadGroup is a process: the tasks that share a PID, signal handlers,
// shared pending signals, limits and one host process.
type ThreadGroup struct {
	k    *Kernel
	tgid int32

	// mu is the signal lock: it guards the fields below and every task's
	// signal state (mask, pending, altstack).
	mu       sync.Mutex
	leader   *Task
	tasks    []*Task
	actions  [linux.NumSignals]linux.SigAction
	pending  sigQueue
	exiting  bool
	exitStat ExitStatus
	proc     platform.Process
	// Group stop (SIGSTOP and friends): stopped is set while the group is
	// stopped; cont is closed by SIGCONT or SIGKILL.
	stopped bool
	cont    chan struct{}

	exe vfs.VirtualDentry
	// execed: the group has called execve since fork (setpgid's EACCES).
	execed bool
	// sharedProc: the group runs in another group's host process (a
	// CLONE_VM child before its exec): its exit must not kill the process.
	sharedProc bool
	// tasksChanged is closed (and replaced) whenever a task leaves.
	tasksChanged chan struct{}
	// finalUsage is the CPU use read as the group began to exit.
	finalUsage Usage
	// reportCont: SIGCONT resumed the group; the parent hears of it once
	// the signal lock is released.
	reportCont bool
	// tree is the group's place among processes, guarded by Kernel.mu.
	tree   processTree
	limits *Limits
	timers timers
	// done is closed when the last task has exited.
	done chan struct{}
	// exitQueue is notified (readable) when done is closed: pidfds poll it.
	exitQueue waiter.Queue
	// reaped is set once the parent has reaped the zombie.
	reaped atomic.Bool
}

// ExitQueue is notified with waiter.ReadableEvents when the group's last
// task has exited (pidfd poll).
func (tg *ThreadGroup) ExitQueue() *waiter.Queue { return &tg.exitQueue }

// Exited reports whether every task of the group has exited.
func (tg *ThreadGroup) Exited() bool {
	select {
	case <-tg.done:
		return true
	default:
		return false
	}
}

// Reaped reports whether the group's parent has reaped it (its PID is
// free again).
func (tg *ThreadGroup) Reaped() bool { return tg.reaped.Load() }

// TGID is the process ID as the sandbox sees it.
func (tg *ThreadGroup) TGID() int32 { return tg.tgid }

// Limits are the process's resource limits.
func (tg *ThreadGroup) Limits() *Limits { return tg.limits }

// Leader is the thread group leader.
func (tg *ThreadGroup) Leader() *Task {
	tg.mu.Lock()
	defer tg.mu.Unlock()
	return tg.leader
}

// Tasks returns the group's live tasks.
func (tg *ThreadGroup) Tasks() []*Task {
	tg.mu.Lock()
	defer tg.mu.Unlock()
	return append([]*Task(nil), tg.tasks...)
}

// Exiting reports whether the group is exiting.
func (tg *ThreadGroup) Exiting() bool {
	tg.mu.Lock()
	defer tg.mu.Unlock()
	return tg.exiting
}

// ExitGroup makes every task of the group exit with status (exit_group(2),
// or a fatal signal).
func (tg *ThreadGroup) ExitGroup(status ExitStatus) {
	tg.mu.Lock()
	tg.startExitLocked(status)
	tg.mu.Unlock()
}

// startExitLocked begins a group exit; tg.mu must be held. The host process
// is killed at once, so tasks running application code stop at once too.
func (tg *ThreadGroup) startExitLocked(status ExitStatus) {
	if tg.exiting {
		return
	}
	tg.exiting = true
	tg.exitStat = status
	if tg.stopped {
		tg.stopped = false
		close(tg.cont)
	}
	for _, t := range tg.tasks {
		t.interrupt()
	}
	if tg.proc != nil && !tg.sharedProc {
		// What the process used, read before it goes (getrusage of its
		// parent's children).
		tg.finalUsage = hostUsage(tg.proc.HostPID())
		// Robust mutexes its threads hold may live in memory other
		// processes share: mark them before the memory goes.
		for _, t := range tg.tasks {
			t.exitRobustList(false)
		}
		tg.proc.Kill()
	}
	tg.timers.stopAll()
}

// Limits holds a process's resource limits (getrlimit(2)).
type Limits struct {
	mu sync.Mutex
	l  [rlimNLimits]unix.Rlimit
}

// HostLimits returns the limits the Sentry itself runs with: a sandbox
// starts with its caller's limits.
func HostLimits() *Limits {
	l := &Limits{}
	for r := 0; r < rlimNLimits; r++ {
		var lim unix.Rlimit
		if unix.Getrlimit(r, &lim) == nil {
			l.l[r] = lim
		} else {
			l.l[r] = unix.Rlimit{Cur: unix.RLIM_INFINITY, Max: unix.RLIM_INFINITY}
		}
	}
	return l
}

// Get returns resource r's limit.
func (l *Limits) Get(r int) unix.Rlimit {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.l[r]
}

// Cur returns resource r's soft limit.
func (l *Limits) Cur(r int) uint64 { return l.Get(r).Cur }

// Set changes resource r's limit; raising the hard limit needs
// CAP_SYS_RESOURCE (privileged).
func (l *Limits) Set(r int, lim unix.Rlimit, privileged bool) (unix.Rlimit, error) {
	if lim.Cur > lim.Max {
		return unix.Rlimit{}, unix.EINVAL
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	old := l.l[r]
	if lim.Max > old.Max && !privileged {
		return old, unix.EPERM
	}
	if r == unix.RLIMIT_NOFILE && lim.Max > nrOpen {
		return old, unix.EPERM
	}
	l.l[r] = lim
	return old, nil
}

// Copy returns an independent copy (fork).
func (l *Limits) Copy() *Limits {
	l.mu.Lock()
	defer l.mu.Unlock()
	return &Limits{l: l.l}
}

// nrOpen is /proc/sys/fs/nr_open, the ceiling of RLIMIT_NOFILE.
const nrOpen = 1 << 20

// rlimNLimits is the number of resource limits (RLIMIT_RTTIME is the last).
const rlimNLimits = 16

// Exe is the running executable (/proc/PID/exe).
func (tg *ThreadGroup) Exe() vfs.VirtualDentry {
	tg.mu.Lock()
	defer tg.mu.Unlock()
	return tg.exe
}
