package kernel

import (
	"errors"

	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/platform"
	"github.com/moat-sandbox/moat/internal/sentry/linux"
	"github.com/moat-sandbox/moat/internal/sentry/vfs"
)

// ErrKeepRegisters is returned by a system call that has set the task's
// registers itself (rt_sigreturn, execve): rax is left as it is.
var ErrKeepRegisters = errors.New("registers set by the system call")

// ErrNoReturn is returned by system calls that never return to the
// application (exit, exit_group, a fatal execve).
var ErrNoReturn = errors.New("no return")

const sysRestartSyscall = 219

// run is the task's life: run application code, serve its system calls and
// faults, deliver its signals, until it exits. It runs on the task's locked
// OS thread and never returns while the task owns a live host thread.
func (t *Task) run() {
	for {
		t.interrupted.Store(false)
		if t.shouldExit() {
			break
		}
		t.deliverSignals()
		t.checkGroupStop()
		if t.shouldExit() {
			break
		}
		t.inApp.Store(true)
		if t.interrupted.Load() {
			t.inApp.Store(false)
			continue
		}
		stop, fault := t.th.Switch()
		t.inApp.Store(false)
		switch stop {
		case platform.StopSyscall:
			t.syscall()
		case platform.StopSyscall32:
			// 32-bit system calls are not supported: never give them a
			// 64-bit meaning.
			t.k.logOnce("syscall32", "32-bit system call entry (int 0x80 or sysenter) is not supported")
			t.th.Regs().Rax = negErrno(unix.ENOSYS)
			t.th.SetRegsDirty()
		case platform.StopFault:
			t.fault(fault)
		case platform.StopInterrupt:
		case platform.StopGone:
			// Killed from outside the Sentry, unless the task was already
			// on its way out (a group exit, an exec in another thread).
			if !t.shouldExit() {
				t.tg.ExitGroup(ExitStatus{Signal: linux.SIGKILL})
			}
		}
	}
	t.exit()
}

// shouldExit reports whether the task must leave its run loop.
func (t *Task) shouldExit() bool {
	t.tg.mu.Lock()
	defer t.tg.mu.Unlock()
	return t.tg.exiting || t.exiting
}

// syscall serves the system call the task stopped at.
func (t *Task) syscall() {
	regs := t.th.Regs()
	nr := uintptr(regs.Orig_rax)
	args := SyscallArgs{uintptr(regs.Rdi), uintptr(regs.Rsi), uintptr(regs.Rdx),
		uintptr(regs.R10), uintptr(regs.R8), uintptr(regs.R9)}
	ret, err := t.k.Syscalls.Call(t, nr, args)
	t.setSyscallResult(ret, err)
}

// setSyscallResult stores a system call's result in rax.
func (t *Task) setSyscallResult(ret uintptr, err error) {
	regs := t.th.Regs()
	switch {
	case err == nil:
		regs.Rax = uint64(ret)
	case err == ErrKeepRegisters || err == ErrNoReturn:
		return
	case err == vfs.ErrInterrupted:
		t.restartErr = linux.ERESTARTSYS
		regs.Rax = negErrno(linux.ERESTARTSYS)
	default:
		var e unix.Errno
		if !errors.As(err, &e) {
			t.k.Log.Warn("system call failed without an errno", "nr", regs.Orig_rax, "err", err)
			e = unix.EIO
		}
		if linux.IsRestart(e) {
			t.restartErr = e
		}
		regs.Rax = negErrno(e)
	}
	t.th.SetRegsDirty()
}

// fault turns a CPU fault into the signal Linux sends for it.
func (t *Task) fault(f *platform.Fault) {
	info := &linux.SignalInfo{Signo: int32(f.Signo), Code: f.Code}
	info.SetAddr(f.Addr)
	t.lastFault = *f
	t.forceSignal(info)
}

// deliverSignals takes every deliverable signal: default actions, or a
// handler frame per signal. It then settles an interrupted system call.
func (t *Task) deliverSignals() {
	tg := t.tg
	for {
		tg.mu.Lock()
		if tg.exiting {
			tg.mu.Unlock()
			return
		}
		info, ok := t.pending.dequeue(t.mask)
		if !ok {
			info, ok = tg.pending.dequeue(t.mask)
		}
		if !ok {
			tg.mu.Unlock()
			break
		}
		sig := linux.Signal(info.Signo)
		act := tg.actions[sig-1]
		if info.Code == linux.SI_TIMER || info.Code == linux.SI_KERNEL {
			tg.mu.Unlock()
			tg.timerDelivered(&info)
			tg.mu.Lock()
		}
		switch act.Handler {
		case linux.SIG_IGN:
			tg.mu.Unlock()
			continue
		case linux.SIG_DFL:
			switch sig.Default() {
			case linux.ActIgnore, linux.ActContinue:
				tg.mu.Unlock()
				continue
			case linux.ActStop:
				t.stopSig = sig
				t.groupStopLocked()
				continue
			default:
				tg.startExitLocked(ExitStatus{Signal: sig, Core: sig.Default() == linux.ActCore})
				tg.mu.Unlock()
				return
			}
		}
		// A handler.
		if act.Flags&linux.SA_RESETHAND != 0 {
			tg.actions[sig-1].Handler = linux.SIG_DFL
			tg.actions[sig-1].Flags &^= linux.SA_SIGINFO
		}
		oldMask := t.mask
		if t.haveSavedMask {
			oldMask = t.savedMask
			t.haveSavedMask = false
		}
		newMask := t.mask | act.Mask
		if act.Flags&linux.SA_NODEFER == 0 {
			newMask |= linux.SignalSetOf(sig)
		}
		t.mask = newMask &^ linux.Unblockable
		st := t.altStack
		tg.mu.Unlock()

		t.settleRestart(&act)
		if err := t.setupFrame(&info, &act, oldMask, st); err != nil {
			// No room for the frame: the task dies of SIGSEGV.
			t.forceSignal(&linux.SignalInfo{Signo: int32(linux.SIGSEGV), Code: linux.SI_KERNEL})
		}
	}
	// No handler ran: an interrupted call is restarted, and a mask set for
	// the call (sigsuspend, ppoll) is restored.
	if t.restartErr != nil {
		t.restartSyscall(t.restartErr == linux.ERESTART_RESTARTBLOCK)
		t.restartErr = nil
	}
	tg.mu.Lock()
	if t.haveSavedMask {
		t.haveSavedMask = false
		t.setMaskLocked(t.savedMask)
	}
	tg.mu.Unlock()
}

// settleRestart decides, as a handler is about to run, whether the
// interrupted system call fails with EINTR or runs again (signal(7)).
func (t *Task) settleRestart(act *linux.SigAction) {
	err := t.restartErr
	if err == nil {
		return
	}
	t.restartErr = nil
	switch err {
	case linux.ERESTARTNOINTR:
		t.restartSyscall(false)
	case linux.ERESTARTSYS:
		if act.Flags&linux.SA_RESTART != 0 {
			t.restartSyscall(false)
			return
		}
		fallthrough
	default:
		t.th.Regs().Rax = negErrno(unix.EINTR)
		t.th.SetRegsDirty()
	}
}

// restartSyscall rewinds the task onto its syscall instruction.
func (t *Task) restartSyscall(viaRestartBlock bool) {
	regs := t.th.Regs()
	if viaRestartBlock {
		regs.Rax = sysRestartSyscall
	} else {
		regs.Rax = regs.Orig_rax
	}
	regs.Rip -= 2
	t.th.SetRegsDirty()
}

// groupStopLocked stops the whole group until SIGCONT or SIGKILL. tg.mu is
// held on entry and released on return.
func (t *Task) groupStopLocked() {
	tg := t.tg
	first := !tg.stopped
	if first {
		tg.stopped = true
		tg.cont = make(chan struct{})
		for _, o := range tg.tasks {
			if o != t {
				o.interrupt()
			}
		}
	}
	cont := tg.cont
	tg.mu.Unlock()
	if first {
		tg.reportStop(true, t.stopSig)
	}
	<-cont
}

// checkGroupStop parks a task whose group is stopped.
func (t *Task) checkGroupStop() {
	t.tg.mu.Lock()
	if t.tg.stopped {
		cont := t.tg.cont
		t.tg.mu.Unlock()
		<-cont
		return
	}
	t.tg.mu.Unlock()
}

// Exit ends the calling task (exit(2)); the last task's exit ends the group.
func (t *Task) Exit(code int) error {
	t.tg.mu.Lock()
	alive := 0
	for _, o := range t.tg.tasks {
		if !o.exiting {
			alive++
		}
	}
	if alive <= 1 {
		t.tg.startExitLocked(ExitStatus{Code: code})
	} else {
		t.exiting = true
		t.exitCode = code
	}
	t.tg.mu.Unlock()
	return ErrNoReturn
}

// exit releases the task after its run loop ends.
func (t *Task) exit() {
	tg := t.tg
	tg.mu.Lock()
	groupExit := tg.exiting
	shared := tg.sharedProc
	tg.mu.Unlock()
	if !groupExit {
		t.exitRobustList(true)
		t.clearTID()
	}
	switch {
	case groupExit && !shared:
		t.th.Reap()
	case t.th.HostTID() == t.th.Process().HostPID():
		// The host process's leader thread leaving alone (pthread_exit in
		// main). Its host thread stays in its ptrace stop, never to run
		// again: the Sentry reaches the process's memory through the
		// leader's pid (process_vm_readv, /proc/PID/mem), which fails
		// once the leader has exited. It dies with the process when the
		// last other thread ends the group (Exit counts only tasks not
		// exiting) or an exec in another thread replaces it; the host
		// reports a leader's death only after its other threads are
		// reaped, so Reap waits for exactly that.
		t.th.Reap()
	default:
		// The thread leaves through the stub; the process lives on.
		t.th.Syscall(unix.SYS_EXIT, 0)
		t.th.Reap()
	}
	t.releaseWakeFD()
	t.FDTable().Release()

	k := t.k
	k.mu.Lock()
	if k.tasks[t.tid] == t {
		delete(k.tasks, t.tid)
	}
	k.mu.Unlock()
	t.wakeDeadOwnerWaiters()

	tg.mu.Lock()
	for i, o := range tg.tasks {
		if o == t {
			tg.tasks = append(tg.tasks[:i], tg.tasks[i+1:]...)
			break
		}
	}
	last := len(tg.tasks) == 0
	sharesMM := tg.sharedProc
	if tg.tasksChanged != nil {
		close(tg.tasksChanged)
		tg.tasksChanged = nil
	}
	tg.mu.Unlock()
	if last {
		if !sharesMM {
			// The process's memory is gone: System V shared memory
			// attachments end before the parent hears of the exit.
			t.MM().Release()
		}
		k.groupExited(tg)
	}
}

// clearTID does CLONE_CHILD_CLEARTID's work as a thread leaves: zero the
// word and wake one futex waiter (pthread_join).
func (t *Task) clearTID() {
	if t.clearChildTID == 0 {
		return
	}
	var zero [4]byte
	if t.MM().CopyOut(t.clearChildTID, zero[:]) == nil {
		t.FutexWake(t.clearChildTID, false, 1, ^uint32(0))
	}
	t.clearChildTID = 0
}

// negErrno is rax for a failed system call.
func negErrno(e unix.Errno) uint64 { return uint64(-int64(e)) }
