package ptrace

import (
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/platform"
)

// Passing a stub thread between tracer threads. ptrace binds a tracee to one
// tracer thread, so a thread created by one task (a fork child, a new
// thread) must change hands before its own task can run it: the old tracer
// parks it in the stub's pause loop and detaches; the new one seizes it and
// interrupts the pause. A parked thread runs nothing but stub code.

// handoff is a parked, untraced stub thread.
type handoff struct {
	proc *process
	tid  int
}

var _ platform.Handoff = (*handoff)(nil)

// Adopt implements platform.Handoff.
func (h *handoff) Adopt() (platform.Thread, error) {
	if e := ptrace(ptraceSeize, h.tid, 0, ptraceOptions); e != 0 {
		return nil, e
	}
	if e := ptrace(ptraceInterrupt, h.tid, 0, 0); e != 0 {
		return nil, e
	}
	t := &thread{proc: h.proc, tid: h.tid, cpu: -1}
	for {
		status, e := wait4(h.tid)
		if e != 0 || status.Exited() || status.Signaled() {
			return nil, unix.ESRCH
		}
		if !status.Stopped() {
			continue
		}
		if ptraceEvent(status) == ptraceEventStop {
			break
		}
		// A signal stop raced with the interrupt: drop the signal and wait
		// for the interrupt's stop.
		ptrace(unix.PTRACE_CONT, h.tid, 0, 0)
	}
	if e := getRegs(t.tid, &t.regs); e != 0 {
		return nil, e
	}
	// The interrupt stopped the thread inside pause(): orig_rax = -1 keeps
	// the kernel from restarting that call (rewinding rip) on resume.
	t.regs.Orig_rax = ^uint64(0)
	t.dirty = true
	t.cpu = h.proc.plat.cpus.pin(h.tid)
	return t, nil
}

// detach parks the thread in the stub's pause loop and lets it go.
func (t *thread) detach() error {
	r := t.regs
	r.Rip = sitePark
	r.Orig_rax = ^uint64(0)
	if e := setRegs(t.tid, &r); e != 0 {
		return e
	}
	if e := ptrace(unix.PTRACE_DETACH, t.tid, 0, 0); e != 0 {
		return e
	}
	t.markGone()
	return nil
}

// Fork implements platform.Thread: an injected clone(CLONE_PARENT|SIGCHLD)
// at the stub's clone site. The child, copy-on-write, is auto-attached to
// this tracer (PTRACE_O_TRACEFORK); it is given a parent-death signal (its
// parent is the factory thread, through CLONE_PARENT), parked and released.
// While traced it dies with its tracer (EXITKILL); once released, with the
// Sentry (PDEATHSIG): no window leaves it behind.
func (t *thread) Fork() (platform.Process, platform.Handoff, error) {
	if t.gone {
		return nil, nil, unix.ESRCH
	}
	r := t.regs
	r.Rax = unix.SYS_CLONE
	r.Orig_rax = ^uint64(0)
	r.Rdi, r.Rsi, r.Rdx, r.R10, r.R8 = uint64(cloneForkFlags), 0, 0, 0, 0
	r.Rip = siteClone
	t.dirty = true
	if e := setRegs(t.tid, &r); e != 0 {
		t.markGone()
		return nil, nil, unix.ESRCH
	}
	child := -1
	var ret uint64
	for done := false; !done; {
		if e := ptrace(unix.PTRACE_CONT, t.tid, 0, 0); e != 0 {
			t.markGone()
			return nil, nil, unix.ESRCH
		}
		for {
			status, e := wait4(t.tid)
			if e != 0 || status.Exited() || status.Signaled() {
				t.reaped = true
				t.markGone()
				return nil, nil, unix.ESRCH
			}
			if !status.Stopped() {
				continue
			}
			if ptraceEvent(status) == unix.PTRACE_EVENT_FORK {
				var msg uint64
				ptrace(unix.PTRACE_GETEVENTMSG, t.tid, 0, uintptr(unsafe.Pointer(&msg)))
				child = int(msg)
				break // continue the parent to its int3
			}
			var out unix.PtraceRegs
			if getRegs(t.tid, &out) != 0 {
				t.markGone()
				return nil, nil, unix.ESRCH
			}
			if status.StopSignal() == unix.SIGTRAP && out.Rip == siteClone+8 {
				ret = out.Rax
				done = true
			}
			break
		}
	}
	if int64(ret) < 0 {
		return nil, nil, unix.Errno(-int64(ret))
	}
	if child < 0 {
		child = int(ret)
	}
	t.proc.sock.refs.Add(1)
	proc := &process{plat: t.proc.plat, pid: child, sock: t.proc.sock,
		vdso: t.proc.vdso, reserved: t.proc.reserved}
	proc.noFaultFrames.Store(t.proc.noFaultFrames.Load()) // the handlers are inherited
	ct := &thread{proc: proc, tid: child, cpu: -1}
	// The child's first stop (its SIGSTOP, as an auto-attached tracee).
	for {
		status, e := wait4(child)
		if e != 0 || status.Exited() || status.Signaled() {
			proc.Release()
			return nil, nil, unix.ESRCH
		}
		if status.Stopped() {
			break
		}
	}
	if e := getRegs(child, &ct.regs); e != 0 {
		proc.Kill()
		proc.Release()
		return nil, nil, unix.ESRCH
	}
	if _, err := ct.Syscall(unix.SYS_PRCTL, unix.PR_SET_PDEATHSIG, uintptr(unix.SIGKILL)); err != nil {
		proc.Kill()
		wait4(child)
		proc.Release()
		return nil, nil, err
	}
	if err := ct.detach(); err != nil {
		proc.Kill()
		proc.Release()
		return nil, nil, err
	}
	return proc, &handoff{proc: proc, tid: child}, nil
}

// NewThread implements platform.Thread: an injected clone of a thread at
// the stub's clone site. The new thread parks at once, untraced (no
// PTRACE_O_TRACECLONE); killing the process (the traced threads' EXITKILL)
// takes it too.
func (t *thread) NewThread() (platform.Handoff, error) {
	r := t.regs
	r.Rax = unix.SYS_CLONE
	r.Orig_rax = ^uint64(0)
	r.Rdi, r.Rsi, r.Rdx, r.R10, r.R8 = uint64(cloneThreadFlags), 0, 0, 0, 0
	r.Rip = siteClone
	ret, err := t.runAt(&r, siteClone+8)
	if err != nil {
		return nil, err
	}
	if int64(ret) < 0 {
		return nil, unix.Errno(-int64(ret))
	}
	return &handoff{proc: t.proc, tid: int(ret)}, nil
}
