package ptrace

import (
	"encoding/binary"
	"fmt"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/platform"
)

// interruptSignal kicks a stub thread out of application code. The stub has
// no children of its own, so a SIGCHLD sent by the Sentry is unambiguous.
const interruptSignal = unix.SIGCHLD

// siTKill is si_code for a signal sent by tkill or tgkill.
const siTKill = -6

// thread is one stub thread, traced by the OS thread that owns it.
type thread struct {
	proc   *process
	tid    int
	regs   unix.PtraceRegs
	dirty  bool // regs differ from the host thread's registers
	gone   bool
	reaped bool // wait4 has collected the thread's exit
	cpu    int  // the CPU this thread and its tracer are pinned to, or -1
	si     siginfo
	fault  platform.Fault
}

var _ platform.Thread = (*thread)(nil)

func (t *thread) Process() platform.Process { return t.proc }
func (t *thread) HostTID() int              { return t.tid }
func (t *thread) Regs() *platform.Registers { return &t.regs }
func (t *thread) SetRegsDirty()             { t.dirty = true }

// Interrupt implements platform.Thread.
func (t *thread) Interrupt() {
	unix.Tgkill(t.proc.pid, t.tid, interruptSignal)
}

// Switch implements platform.Thread.
func (t *thread) Switch() (platform.Stop, *platform.Fault) {
	if t.gone {
		return platform.StopGone, nil
	}
	if t.dirty {
		if e := setRegs(t.tid, &t.regs); e != 0 {
			return t.lost()
		}
		t.dirty = false
	}
	for {
		if e := ptrace(ptraceSysemu, t.tid, 0, 0); e != 0 {
			return t.lost()
		}
		status, e := wait4(t.tid)
		if e != 0 || status.Exited() || status.Signaled() {
			t.reaped = true
			return t.lost()
		}
		if !status.Stopped() {
			continue
		}
		sig := int(status.StopSignal())
		if sig == syscallStopSig {
			if e := getRegs(t.tid, &t.regs); e != 0 {
				return t.lost()
			}
			// The syscall instruction leaves the return address in rcx;
			// int 0x80 and sysenter leave rcx alone. Only when they differ
			// is it worth reading the instruction.
			if t.regs.Rcx != t.regs.Rip && t.entered32() {
				return platform.StopSyscall32, nil
			}
			return platform.StopSyscall, nil
		}
		if ptraceEvent(status) != 0 {
			continue // a ptrace event stop; nothing to report
		}
		if e := getSigInfo(t.tid, &t.si); e != 0 {
			return t.lost()
		}
		switch {
		case isFaultSignal(sig) && t.si.Code > 0:
			if e := getRegs(t.tid, &t.regs); e != 0 {
				return t.lost()
			}
			t.fault = platform.Fault{Signo: sig, Code: t.si.Code, Addr: t.si.Addr}
			if sig == int(unix.SIGSEGV) || sig == int(unix.SIGBUS) {
				t.faultFrame(sig, &t.fault)
				if t.gone {
					return t.lost()
				}
			}
			return platform.StopFault, &t.fault
		case sig == int(interruptSignal) && t.si.Code == siTKill && t.si.pid() == t.proc.plat.sentryPID:
			if e := getRegs(t.tid, &t.regs); e != 0 {
				return t.lost()
			}
			return platform.StopInterrupt, nil
		}
		// Any other signal (sent from outside the sandbox, or a stop
		// signal) is dropped: resuming with signal 0 discards it.
	}
}

// sigaction flags (asm-generic/signal-defs.h, x86's SA_RESTORER).
const (
	saSiginfo  = 0x4
	saRestorer = 0x04000000
	saNodefer  = 0x40000000
)

// faultFrame learns the CPU's trap number and error code of the fault the
// thread is stopped for, which ptrace does not report but Linux puts in
// the signal frame (uc_mcontext's err and trapno): it lets the host kernel
// deliver the pending signal to the stub's handler (siteFaultFrame), reads
// the sigcontext of the frame the kernel built, and puts the registers and
// FP state back. The frame goes on the application's stack below the red
// zone, where any signal frame goes; if that memory cannot be written (a
// stack overflow), the kernel would kill the stub for the frame it cannot
// build, so the code stays unknown then.
func (t *thread) faultFrame(sig int, f *platform.Fault) {
	if t.proc.noFaultFrames.Load() {
		return
	}
	const (
		redZone = 128
		room    = 16384 // an rt_sigframe with the largest XSAVE area fits
	)
	sp := uintptr(t.regs.Rsp)
	if sp < redZone+room+0x10000 {
		return
	}
	probe := make([]byte, room)
	lo := sp - redZone - room
	if n, err := t.proc.ReadMemory(lo, probe); err != nil || n != room {
		return
	}
	// process_vm_writev honours the mappings' protection: this checks the
	// frame can be written, and writes back what was there.
	if n, err := t.proc.WriteMemory(lo, probe); err != nil || n != room {
		return
	}
	saved := t.regs
	fp, err := t.FPState()
	if err != nil {
		return
	}
	defer func() {
		if t.gone {
			return
		}
		t.regs = saved
		if setRegs(t.tid, &t.regs) != 0 || t.SetFPState(fp) != nil {
			t.markGone()
		}
	}()
	if e := ptrace(unix.PTRACE_CONT, t.tid, 0, uintptr(sig)); e != 0 {
		t.markGone()
		return
	}
	status, e := wait4(t.tid)
	if e != 0 || status.Exited() || status.Signaled() {
		t.reaped = true
		t.markGone()
		return
	}
	var out unix.PtraceRegs
	if !status.Stopped() || getRegs(t.tid, &out) != 0 {
		return
	}
	if status.StopSignal() != unix.SIGTRAP || out.Rip != siteFaultFrame+1 {
		// Not the handler: another signal came first, or the kernel could
		// not write the frame (it then resets the handler and forces
		// SIGSEGV). The stop is left as it is: the next resume discards
		// its signal. Do not try again in this process.
		t.proc.noFaultFrames.Store(true)
		return
	}
	// rdx is the handler's third argument, the ucontext: uc_mcontext at
	// 40, in it err at 152 and trapno at 160.
	var mc [16]byte
	if n, err := t.proc.ReadMemory(uintptr(out.Rdx)+40+152, mc[:]); err != nil || n != len(mc) {
		return
	}
	f.ErrorCode = binary.LittleEndian.Uint64(mc[0:])
	f.Trapno = binary.LittleEndian.Uint64(mc[8:])
	f.HasTrap = true
}

func isFaultSignal(sig int) bool {
	switch syscall.Signal(sig) {
	case unix.SIGSEGV, unix.SIGBUS, unix.SIGILL, unix.SIGFPE, unix.SIGTRAP:
		return true
	}
	return false
}

// entered32 reports whether the instruction before rip is int 0x80 (cd 80)
// or sysenter (0f 34).
func (t *thread) entered32() bool {
	var word uint64
	if ptrace(unix.PTRACE_PEEKTEXT, t.tid, uintptr(t.regs.Rip-2), uintptr(unsafe.Pointer(&word))) != 0 {
		return false
	}
	b0, b1 := byte(word), byte(word>>8)
	return (b0 == 0xcd && b1 == 0x80) || (b0 == 0x0f && b1 == 0x34)
}

func (t *thread) lost() (platform.Stop, *platform.Fault) {
	t.markGone()
	return platform.StopGone, nil
}

// Syscall implements platform.Thread: set the registers for the call, point
// rip at the stub's "syscall; int3", continue, and wait for the trap. The
// application's registers are written back before the thread next runs.
func (t *thread) Syscall(nr uintptr, args ...uintptr) (uintptr, error) {
	var a [6]uintptr
	copy(a[:], args)
	r := t.regs
	r.Rax = uint64(nr)
	// orig_rax = -1: no syscall restart logic may rewind rip on the way out
	// of the stop the thread is in.
	r.Orig_rax = ^uint64(0)
	r.Rdi, r.Rsi, r.Rdx, r.R10, r.R8, r.R9 = uint64(a[0]), uint64(a[1]), uint64(a[2]), uint64(a[3]), uint64(a[4]), uint64(a[5])
	r.Rip = siteSyscall
	ret, err := t.runAt(&r, siteSyscall+3)
	if err != nil {
		return 0, err
	}
	if int64(ret) < 0 && int64(ret) > -4096 {
		return 0, syscall.Errno(-int64(ret))
	}
	return uintptr(ret), nil
}

// runAt runs the stub from r until it traps at stopRip, and returns rax.
func (t *thread) runAt(r *unix.PtraceRegs, stopRip uint64) (uint64, error) {
	if t.gone {
		return 0, unix.ESRCH
	}
	t.dirty = true
	if e := setRegs(t.tid, r); e != 0 {
		t.markGone()
		return 0, unix.ESRCH
	}
	for {
		if e := ptrace(unix.PTRACE_CONT, t.tid, 0, 0); e != 0 {
			t.markGone()
			return 0, unix.ESRCH
		}
		status, e := wait4(t.tid)
		if e != 0 || status.Exited() || status.Signaled() {
			t.reaped = true
			t.markGone()
			return 0, unix.ESRCH
		}
		if !status.Stopped() || ptraceEvent(status) != 0 {
			continue
		}
		var out unix.PtraceRegs
		if e := getRegs(t.tid, &out); e != 0 {
			t.markGone()
			return 0, unix.ESRCH
		}
		sig := status.StopSignal()
		if sig == unix.SIGTRAP && out.Rip == stopRip {
			return out.Rax, nil
		}
		if (sig == unix.SIGSEGV || sig == unix.SIGBUS) && out.Rip >= stubCode && out.Rip < stubCode+0x1000 {
			// The compare-and-swap helper touched a bad address. The
			// pending signal is discarded when the thread next resumes.
			return 0, unix.EFAULT
		}
		// Anything else (an interrupt, a signal from outside) is dropped.
	}
}

// CompareAndSwap32 implements platform.Thread.
func (t *thread) CompareAndSwap32(addr uintptr, old, new uint32) (uint32, error) {
	if addr%4 != 0 {
		return 0, unix.EINVAL
	}
	r := t.regs
	r.Orig_rax = ^uint64(0)
	r.Rdi = uint64(addr)
	r.Rax = uint64(old)
	r.Rsi = uint64(new)
	r.Rip = siteCAS
	ret, err := t.runAt(&r, siteCAS+5)
	return uint32(ret), err
}

// MapFile implements platform.Thread. The fd travels to the stub over its
// socket (SCM_RIGHTS, received by an injected recvmsg as the stub's fd 1), is
// mapped, and is closed again: between calls the stub holds only its socket.
func (t *thread) MapFile(addr, length uintptr, prot, flags int, fd int, offset int64) error {
	if flags&unix.MAP_FIXED == 0 {
		return unix.EINVAL
	}
	p := t.proc
	p.sock.mu.Lock()
	defer p.sock.mu.Unlock()
	p.drain()
	if err := unix.Sendmsg(p.sock.sock, []byte{0}, unix.UnixRights(fd), nil, 0); err != nil {
		return fmt.Errorf("passing fd to stub: %w", err)
	}
	// struct msghdr at scratch+0, its iovec at +64, one data byte at +96, the
	// control buffer (CMSG_SPACE(4) = 24 bytes) at +128. The application can
	// write this page too; nothing read back from it is trusted.
	var m [152]byte
	le := binary.LittleEndian
	le.PutUint64(m[16:], stubScratch+64) // msg_iov
	le.PutUint64(m[24:], 1)              // msg_iovlen
	le.PutUint64(m[32:], stubScratch+128)
	le.PutUint64(m[40:], 24)
	le.PutUint64(m[64:], stubScratch+96)
	le.PutUint64(m[72:], 1)
	if _, err := p.WriteMemory(stubScratch, m[:]); err != nil {
		return err
	}
	n, err := t.Syscall(unix.SYS_RECVMSG, 0, stubScratch, unix.MSG_CMSG_CLOEXEC|unix.MSG_DONTWAIT)
	if err != nil || n != 1 {
		p.drain()
		return fmt.Errorf("stub recvmsg: %v", err)
	}
	// The stub held only fd 0, so the received fd is 1.
	got, merr := t.Syscall(unix.SYS_MMAP, addr, length, uintptr(prot), uintptr(flags), 1, uintptr(offset))
	t.Syscall(unix.SYS_CLOSE, 1)
	if merr != nil {
		return merr
	}
	if got != addr {
		return fmt.Errorf("stub mapped at %#x, not %#x", got, addr)
	}
	return nil
}

// drain discards messages queued to the stub that it never received.
func (p *process) drain() {
	buf := make([]byte, 1)
	oob := make([]byte, unix.CmsgSpace(4*8))
	for {
		_, oobn, _, _, err := unix.Recvmsg(p.sock.stubSock, buf, oob, unix.MSG_DONTWAIT|unix.MSG_CMSG_CLOEXEC)
		if err != nil {
			return
		}
		if msgs, err := unix.ParseSocketControlMessage(oob[:oobn]); err == nil {
			for _, m := range msgs {
				if fds, err := unix.ParseUnixRights(&m); err == nil {
					for _, fd := range fds {
						unix.Close(fd)
					}
				}
			}
		}
	}
}

// xstateSize is large enough for any XSAVE area the host kernel reports.
const xstateSize = 16384

// FPState implements platform.Thread.
func (t *thread) FPState() ([]byte, error) {
	buf := make([]byte, xstateSize)
	iov := unix.Iovec{Base: &buf[0]}
	iov.SetLen(len(buf))
	if e := ptrace(ptraceGetRegSet, t.tid, ntX86XState, uintptr(unsafe.Pointer(&iov))); e != 0 {
		return nil, e
	}
	return buf[:iov.Len], nil
}

// SetFPState implements platform.Thread.
func (t *thread) SetFPState(state []byte) error {
	if len(state) == 0 {
		return unix.EINVAL
	}
	iov := unix.Iovec{Base: &state[0]}
	iov.SetLen(len(state))
	if e := ptrace(ptraceSetRegSet, t.tid, ntX86XState, uintptr(unsafe.Pointer(&iov))); e != 0 {
		return e
	}
	return nil
}

// markGone records that the host thread has died and releases its CPU.
func (t *thread) markGone() {
	if !t.gone {
		t.gone = true
		t.proc.plat.cpus.unpin(t.cpu)
		t.cpu = -1
	}
}

// Reap implements platform.Thread.
func (t *thread) Reap() {
	t.markGone()
	for !t.reaped {
		status, e := wait4(t.tid)
		if e != 0 || status.Exited() || status.Signaled() {
			t.reaped = true
			break
		}
		// A stop that raced with the kill: let the thread go on to die.
		ptrace(unix.PTRACE_CONT, t.tid, 0, 0)
	}
}
