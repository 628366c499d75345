package kernel

import (
	"log/slog"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/platform"
	"github.com/moat-sandbox/moat/internal/sentry/auth"
	"github.com/moat-sandbox/moat/internal/sentry/linux"
	"github.com/moat-sandbox/moat/internal/sentry/loader"
	"github.com/moat-sandbox/moat/internal/sentry/mm"
	"github.com/moat-sandbox/moat/internal/sentry/vfs"
)

// Task is one application thread. Its goroutine is locked to the OS thread
// that traces the task's host thread, for the task's whole life.
type Task struct {
	k   *Kernel
	tg  *ThreadGroup
	tid int32

	// Owned by the task goroutine.
	th platform.Thread
	// mm, fds, fs and prog change only on the task's goroutine (clone,
	// exec, unshare) but are read from others (/proc, futex keys): atomic.
	mm    atomic.Pointer[mm.MM]
	fds   atomic.Pointer[vfs.FDTable]
	fs    atomic.Pointer[FSContext]
	prog  atomic.Pointer[loader.Program]
	creds atomic.Pointer[auth.Credentials]
	name  atomic.Pointer[string]

	// Signal state, guarded by tg.mu.
	mask          linux.SignalSet
	savedMask     linux.SignalSet
	haveSavedMask bool
	pending       sigQueue
	altStack      linux.SignalStack
	// sigWaiting are blocked signals rt_sigtimedwait is waiting for: they
	// wake the task like unblocked ones.
	sigWaiting linux.SignalSet

	// Interruption: interrupted is set (then the others poked) whenever the
	// task must come back to its run loop: a signal, an exit, a stop.
	interrupted atomic.Bool
	inApp       atomic.Bool
	interruptCh chan struct{}
	wakeFD      atomic.Int32 // host eventfd for HostWait, or -1

	// The errno of the last system call when it asked for a restart; the
	// run loop settles it when it next delivers signals.
	restartErr error
	// restartBlock reruns an interrupted call through restart_syscall.
	restartBlock func(t *Task) (uintptr, error)

	clearChildTID uintptr
	robustList    atomic.Uintptr
	exitCode      int // exit(2)'s status for a lone thread exit
	stopSig       linux.Signal
	exiting       bool
	// lastFault is the last fault the platform reported, for the trap
	// number and error code of the signal frame it leads to (the task's
	// goroutine alone uses it).
	lastFault platform.Fault
}

func newTask(k *Kernel, tg *ThreadGroup, tid int32) *Task {
	t := &Task{k: k, tg: tg, tid: tid, interruptCh: make(chan struct{}, 1)}
	t.wakeFD.Store(-1)
	t.altStack.Flags = linux.SS_DISABLE
	return t
}

// Kernel is the task's kernel.
func (t *Task) Kernel() *Kernel { return t.k }

// ThreadGroup is the task's process.
func (t *Task) ThreadGroup() *ThreadGroup { return t.tg }

// TID is the thread ID as the sandbox sees it.
func (t *Task) TID() int32 { return t.tid }

// TGID is the process ID.
func (t *Task) TGID() int32 { return t.tg.tgid }

// MM is the task's address space.
func (t *Task) MM() *mm.MM { return t.mm.Load() }

// Injector runs memory system calls in the task's host address space.
func (t *Task) Injector() mm.Injector { return t.th }

// Platform is the task's platform thread (its own goroutine only).
func (t *Task) Platform() platform.Thread { return t.th }

// FDTable is the task's fd table.
func (t *Task) FDTable() *vfs.FDTable { return t.fds.Load() }

// FS is the task's root, working directory and umask.
func (t *Task) FS() *FSContext { return t.fs.Load() }

// Mounts is the task's mount namespace.
func (t *Task) Mounts() *vfs.MountNamespace { return t.k.Mounts }

// Creds are the task's credentials.
func (t *Task) Creds() *auth.Credentials { return t.creds.Load() }

// SetCreds replaces the task's credentials.
func (t *Task) SetCreds(c *auth.Credentials) { t.creds.Store(c) }

// Name is the task's command name (comm).
func (t *Task) Name() string {
	if p := t.name.Load(); p != nil {
		return *p
	}
	return ""
}

// SetName sets comm, cut to 15 bytes as Linux does.
func (t *Task) SetName(n string) {
	if len(n) > 15 {
		n = n[:15]
	}
	t.name.Store(&n)
}

// Program describes the running executable's initial stack.
func (t *Task) Program() *loader.Program { return t.prog.Load() }

// Log is the kernel's diagnostic log.
func (t *Task) Log() *slog.Logger { return t.k.Log }

// Regs are the task's registers as of its last stop.
func (t *Task) Regs() *platform.Registers { return t.th.Regs() }

// SetRestartBlock records how restart_syscall resumes the current call
// after ERESTART_RESTARTBLOCK.
func (t *Task) SetRestartBlock(f func(t *Task) (uintptr, error)) { t.restartBlock = f }

// TakeRestartBlock returns and clears the restart block.
func (t *Task) TakeRestartBlock() func(t *Task) (uintptr, error) {
	f := t.restartBlock
	t.restartBlock = nil
	return f
}

// CopyIn implements vfs.Task.
func (t *Task) CopyIn(addr uintptr, dst []byte) error { return t.MM().CopyIn(addr, dst) }

// CopyOut implements vfs.Task.
func (t *Task) CopyOut(addr uintptr, src []byte) error { return t.MM().CopyOut(addr, src) }

// CopyInString reads a NUL-terminated string of at most max bytes.
func (t *Task) CopyInString(addr uintptr, max int) (string, error) {
	return t.MM().CopyInString(addr, max)
}

// interrupt brings the task back to its run loop: out of application code,
// out of a blocking wait. Safe from any goroutine.
func (t *Task) interrupt() {
	t.interrupted.Store(true)
	select {
	case t.interruptCh <- struct{}{}:
	default:
	}
	if fd := t.wakeFD.Load(); fd >= 0 {
		var one = [8]byte{1}
		unix.Write(int(fd), one[:])
	}
	// Paired with the run loop's store of inApp before its check of
	// interrupted: one of the two sides always sees the other.
	if t.inApp.Load() {
		t.th.Interrupt()
	}
}

// Interrupted reports whether the task has been asked back to its run loop.
func (t *Task) Interrupted() bool { return t.interrupted.Load() }

// Block waits until ch is ready, the deadline passes (ETIMEDOUT; zero means
// none) or the task is interrupted (vfs.ErrInterrupted).
func (t *Task) Block(ch <-chan struct{}, deadline time.Time) error {
	if t.interrupted.Load() {
		return vfs.ErrInterrupted
	}
	var timeout <-chan time.Time
	if !deadline.IsZero() {
		d := time.Until(deadline)
		if d <= 0 {
			return unix.ETIMEDOUT
		}
		tm := time.NewTimer(d)
		defer tm.Stop()
		timeout = tm.C
	}
	select {
	case <-ch:
		return nil
	case <-t.interruptCh:
		return vfs.ErrInterrupted
	case <-timeout:
		return unix.ETIMEDOUT
	}
}

// Sleep blocks until the deadline or an interruption.
func (t *Task) Sleep(deadline time.Time) error {
	err := t.Block(nil, deadline)
	if err == unix.ETIMEDOUT {
		return nil
	}
	return err
}

// HostWait implements vfs.Task: poll on the host fd and the task's wake-up
// eventfd, so that a signal ends the wait.
func (t *Task) HostWait(fd int, events int16, deadline time.Time) (int16, error) {
	wfd := t.wakeFD.Load()
	if wfd < 0 {
		nfd, err := unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
		if err != nil {
			return 0, err
		}
		wfd = int32(nfd)
		t.wakeFD.Store(wfd)
	}
	var drain [8]byte
	unix.Read(int(wfd), drain[:])
	if t.interrupted.Load() {
		return 0, vfs.ErrInterrupted
	}
	fds := [2]unix.PollFd{{Fd: int32(fd), Events: events}, {Fd: wfd, Events: unix.POLLIN}}
	for {
		var tsp *unix.Timespec
		if !deadline.IsZero() {
			d := time.Until(deadline)
			if d < 0 {
				d = 0
			}
			ts := unix.NsecToTimespec(int64(d))
			tsp = &ts
		}
		_, err := unix.Ppoll(fds[:], tsp, nil)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return 0, err
		}
		if fds[1].Revents != 0 {
			unix.Read(int(wfd), drain[:])
			return 0, vfs.ErrInterrupted
		}
		if fds[0].Revents != 0 {
			return fds[0].Revents, nil
		}
		if !deadline.IsZero() && !time.Now().Before(deadline) {
			return 0, unix.ETIMEDOUT
		}
	}
}

// releaseWakeFD closes the host eventfd at task exit.
func (t *Task) releaseWakeFD() {
	if fd := t.wakeFD.Swap(-1); fd >= 0 {
		unix.Close(int(fd))
	}
}

// SetClearChildTID records where to clear and wake at thread exit
// (set_tid_address(2), CLONE_CHILD_CLEARTID).
func (t *Task) SetClearChildTID(addr uintptr) { t.clearChildTID = addr }

// SetRobustList records the robust futex list head (set_robust_list(2)).
func (t *Task) SetRobustList(addr uintptr) { t.robustList.Store(addr) }

// RobustList is the robust futex list head.
func (t *Task) RobustList() uintptr { return t.robustList.Load() }

// HostIDs returns the host process and thread IDs behind the task (CPU
// clocks, diagnostics). Safe from any goroutine.
func (t *Task) HostIDs() (pid, tid int) {
	t.tg.mu.Lock()
	defer t.tg.mu.Unlock()
	if t.th == nil {
		return 0, 0
	}
	return t.th.Process().HostPID(), t.th.HostTID()
}
