// Package kernel is the heart of the Sentry: tasks (application threads),
// thread groups (processes), signals, timers and the run loop that drives
// each task on its platform thread.
//
// Lock order: Kernel.mu, then ThreadGroup.mu (the signal lock), then
// Task-private state. The platform thread of a task is touched only by the
// task's own goroutine, except Interrupt.
package kernel

import (
	"log/slog"
	"runtime/debug"
	"sync"
	"time"

	"github.com/moat-sandbox/moat/internal/platform"
	"github.com/moat-sandbox/moat/internal/sentry/ipc/shm"
	"github.com/moat-sandbox/moat/internal/sentry/linux"
	"github.com/moat-sandbox/moat/internal/sentry/vfs"
)

// SyscallArgs are the six argument registers of a system call.
type SyscallArgs [6]uintptr

// SyscallTable runs system calls. The sandbox hands one to the kernel at boot
// (the kernel never imports the table).
type SyscallTable interface {
	// Call runs system call nr for t; the result or a Linux errno.
	Call(t *Task, nr uintptr, args SyscallArgs) (uintptr, error)
}

// Config is what a kernel is built from.
type Config struct {
	Platform platform.Platform
	Syscalls SyscallTable
	// Log takes diagnostics (never the application's output).
	Log *slog.Logger
	// MaxTasks bounds the number of tasks in the sandbox.
	MaxTasks int
	// Mounts is the sandbox's mount namespace.
	Mounts *vfs.MountNamespace
}

// Kernel is one sandbox's kernel.
type Kernel struct {
	Config
	bootTime time.Time

	mu       sync.Mutex
	tasks    map[int32]*Task
	groups   map[int32]*ThreadGroup
	lastTID  int32
	initTG   *ThreadGroup
	initDone chan struct{}
	initExit ExitStatus

	futexes futexTable
	// shm is the System V shared memory of the sandbox's one IPC
	// namespace.
	shm *shm.Registry
	// foreground is each session's foreground process group on the
	// inherited terminal (guarded by mu).
	foreground map[int32]int32
}

// DefaultMaxTasks is the sandbox's default task limit.
const DefaultMaxTasks = 4096

// maxTID is the largest thread ID handed out (/proc/sys/kernel/pid_max).
const maxTID = 4194304

// New returns a kernel with no tasks.
func New(cfg Config) *Kernel {
	if cfg.MaxTasks <= 0 {
		cfg.MaxTasks = DefaultMaxTasks
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	// Each task uses two OS threads at most (its tracer and one in a
	// blocking host call); leave Go room beyond the task limit.
	debug.SetMaxThreads(2*cfg.MaxTasks + 1000)
	return &Kernel{
		Config:   cfg,
		bootTime: time.Now(),
		tasks:    map[int32]*Task{},
		groups:   map[int32]*ThreadGroup{},
		initDone: make(chan struct{}),
		shm:      shm.NewRegistry(),
	}
}

// SHM is the System V shared memory of the sandbox's IPC namespace.
func (k *Kernel) SHM() *shm.Registry { return k.shm }

// allocTIDLocked returns a free thread ID; k.mu must be held.
func (k *Kernel) allocTIDLocked() (int32, bool) {
	if len(k.tasks) >= k.MaxTasks {
		return 0, false
	}
	for i := 0; i < maxTID; i++ {
		k.lastTID++
		if k.lastTID >= maxTID {
			k.lastTID = 1
		}
		if _, used := k.tasks[k.lastTID]; !used {
			if _, used := k.groups[k.lastTID]; !used {
				return k.lastTID, true
			}
		}
	}
	return 0, false
}

// TaskByTID returns the live task with thread ID tid.
func (k *Kernel) TaskByTID(tid int32) *Task {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.tasks[tid]
}

// GroupByTGID returns the thread group with ID tgid.
func (k *Kernel) GroupByTGID(tgid int32) *ThreadGroup {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.groups[tgid]
}

// Groups returns every thread group.
func (k *Kernel) Groups() []*ThreadGroup {
	k.mu.Lock()
	defer k.mu.Unlock()
	out := make([]*ThreadGroup, 0, len(k.groups))
	for _, tg := range k.groups {
		out = append(out, tg)
	}
	return out
}

// NumTasks is the number of live tasks.
func (k *Kernel) NumTasks() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return len(k.tasks)
}

// BootTime is when the kernel started.
func (k *Kernel) BootTime() time.Time { return k.bootTime }

// Wait blocks until the init process has exited and every other process is
// gone, and returns init's exit status.
func (k *Kernel) Wait() ExitStatus {
	<-k.initDone
	return k.initExit
}

// SignalInit sends sig to the init process, as the terminal or a container
// runtime forwards signals to a container.
func (k *Kernel) SignalInit(sig linux.Signal) {
	k.mu.Lock()
	tg := k.initTG
	k.mu.Unlock()
	if tg == nil {
		return
	}
	info := &linux.SignalInfo{Signo: int32(sig), Code: linux.SI_USER}
	tg.SendSignal(info)
}

// ExitStatus is how a process ended.
type ExitStatus struct {
	Code   int          // exit code, when Signal is 0
	Signal linux.Signal // the signal that killed it, or 0
	Core   bool         // it dumped core (the status's 0x80 bit)
}

// WaitStatus encodes s as wait(2) reports it.
func (s ExitStatus) WaitStatus() uint32 {
	if s.Signal != 0 {
		w := uint32(s.Signal) & 0x7f
		if s.Core {
			w |= 0x80
		}
		return w
	}
	return uint32(s.Code&0xff) << 8
}

// ShellCode is the status a shell reports: the exit code, or 128+N for a
// death by signal N.
func (s ExitStatus) ShellCode() int {
	if s.Signal != 0 {
		return 128 + int(s.Signal)
	}
	return s.Code & 0xff
}

var loggedOnce sync.Map

// logOnce writes a diagnostic the first time key is seen.
func (k *Kernel) logOnce(key, msg string, args ...any) {
	if _, seen := loggedOnce.LoadOrStore(key, true); !seen {
		k.Log.Warn(msg, args...)
	}
}

// LogOnce writes a diagnostic to the debug log the first time key is seen
// in this Sentry.
func (k *Kernel) LogOnce(key, msg string, args ...any) { k.logOnce(key, msg, args...) }
