package ptrace

import (
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Raw ptrace requests. The per-stop requests go through RawSyscall6: they
// never block, and the run loop must not allocate or enter the scheduler more
// than it has to (see measured-here.md).

const (
	ptraceSysemu     = 31 // PTRACE_SYSEMU
	ptraceGetSigInfo = 0x4202
	ptraceSeize      = 0x4206
	ptraceInterrupt  = 0x4207
	ptraceGetRegSet  = 0x4204
	ptraceSetRegSet  = 0x4205
	ntX86XState      = 0x202 // NT_X86_XSTATE
	ptraceEventStop  = 128   // PTRACE_EVENT_STOP
	syscallStopSig   = int(unix.SIGTRAP) | 0x80
	ptraceOptions    = unix.PTRACE_O_TRACESYSGOOD | unix.PTRACE_O_EXITKILL | unix.PTRACE_O_TRACEFORK
	waitAll          = 0x40000000 // __WALL
	waitNoThread     = 0x20000000 // __WNOTHREAD
)

func ptrace(req int, tid int, addr, data uintptr) syscall.Errno {
	_, _, e := syscall.RawSyscall6(syscall.SYS_PTRACE, uintptr(req), uintptr(tid), addr, data, 0, 0)
	return e
}

func getRegs(tid int, regs *unix.PtraceRegs) syscall.Errno {
	return ptrace(syscall.PTRACE_GETREGS, tid, 0, uintptr(unsafe.Pointer(regs)))
}

func setRegs(tid int, regs *unix.PtraceRegs) syscall.Errno {
	return ptrace(syscall.PTRACE_SETREGS, tid, 0, uintptr(unsafe.Pointer(regs)))
}

// siginfo is the part of the kernel's siginfo_t moat reads.
type siginfo struct {
	Signo int32
	Errno int32
	Code  int32
	_     int32
	// For SIGSEGV etc. the fault address; for kill/tkill, pid and uid.
	Addr uint64
	_    [112]byte
}

func (si *siginfo) pid() int32 { return int32(uint32(si.Addr)) }

func getSigInfo(tid int, si *siginfo) syscall.Errno {
	return ptrace(ptraceGetSigInfo, tid, 0, uintptr(unsafe.Pointer(si)))
}

// wait4 waits for a state change of tid, which this OS thread traces. It may
// block, so it goes through the scheduler-aware Syscall6.
func wait4(tid int) (unix.WaitStatus, syscall.Errno) {
	var status unix.WaitStatus
	for {
		_, _, e := syscall.Syscall6(syscall.SYS_WAIT4, uintptr(tid), uintptr(unsafe.Pointer(&status)),
			waitAll|waitNoThread, 0, 0, 0)
		if e == syscall.EINTR {
			continue
		}
		return status, e
	}
}

// ptraceEvent is the PTRACE_EVENT_* of an event stop, or 0. (x/sys's
// TrapCause answers -1 for any stop but SIGTRAP.)
func ptraceEvent(status unix.WaitStatus) int {
	return int(status>>16) & 0xff
}
