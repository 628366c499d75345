// Package platform is the only part of moat that runs application code on the
// CPU. A Platform creates host address spaces (Process) and runs application
// threads (Thread) until they make a system call, fault or are interrupted.
//
// The platform knows nothing of the Sentry: it runs what it is told, injects
// the memory system calls it is asked to, and reports every stop.
package platform

import "golang.org/x/sys/unix"

// Registers are an application thread's general registers, in the layout of
// Linux's struct user_regs_struct on x86-64 (fs_base and gs_base included).
type Registers = unix.PtraceRegs

// Stop says why Switch returned.
type Stop int

const (
	// StopSyscall: the thread made a 64-bit system call. Orig_rax holds its
	// number; the call has not run. Rip already points past the instruction.
	StopSyscall Stop = iota + 1
	// StopSyscall32: the thread entered the kernel through int 0x80 or
	// sysenter, the 32-bit entry points. Orig_rax is a 32-bit number.
	StopSyscall32
	// StopFault: the CPU raised a synchronous signal (SIGSEGV, SIGBUS, SIGILL,
	// SIGFPE, SIGTRAP); Fault describes it.
	StopFault
	// StopInterrupt: Interrupt kicked the thread out of application code.
	StopInterrupt
	// StopGone: the host thread no longer exists (killed from outside).
	StopGone
)

func (s Stop) String() string {
	switch s {
	case StopSyscall:
		return "syscall"
	case StopSyscall32:
		return "syscall32"
	case StopFault:
		return "fault"
	case StopInterrupt:
		return "interrupt"
	case StopGone:
		return "gone"
	}
	return "unknown"
}

// Fault describes a synchronous signal raised by the CPU in application code.
type Fault struct {
	Signo int    // SIGSEGV, SIGBUS, SIGILL, SIGFPE or SIGTRAP
	Code  int32  // si_code as the host kernel set it (SEGV_MAPERR, ...)
	Addr  uint64 // si_addr: the faulting address
	// HasTrap says Trapno and ErrorCode are the CPU's, as Linux puts them
	// in a signal frame's sigcontext (trapno 14 and the page-fault error
	// code for a page fault); without it they are not known.
	HasTrap   bool
	Trapno    uint64
	ErrorCode uint64
}

// Range is a half-open range of addresses [Start, End), with the name the
// host gives the mapping there ("[vdso]").
type Range struct {
	Start, End uintptr
	Name       string
}

// Platform creates processes.
type Platform interface {
	// Name is the platform's name as --platform spells it.
	Name() string
	// NewProcess starts a host process with an address space empty but for
	// the platform's own pages, and returns it with its one thread. The
	// thread is traced by (owned by) the calling OS thread: the caller must
	// have locked its goroutine to its thread and must not unlock it while it
	// owns the thread.
	NewProcess() (Process, Thread, error)
}

// Process is one host address space.
type Process interface {
	// HostPID is the host's process ID (for diagnostics and tests only).
	HostPID() int
	// ReadMemory copies from application memory; a short count and an error
	// mean a fault at dst[n].
	ReadMemory(addr uintptr, dst []byte) (int, error)
	// WriteMemory copies into application memory, respecting page
	// protections; a short count and an error mean a fault.
	WriteMemory(addr uintptr, src []byte) (int, error)
	// UserLimit is the first address the application may not map; the
	// platform's own pages lie at or above it.
	UserLimit() uintptr
	// Reserved lists host mappings below UserLimit that the application must
	// never map over or unmap (the host vDSO and vvar pages).
	Reserved() []Range
	// VDSO is the address of the host vDSO kept in the process, or 0.
	VDSO() uintptr
	// Kill kills every thread of the process. It may be called from any
	// goroutine; the owning threads see StopGone.
	Kill()
	// Release frees what the Sentry holds for the process once its last
	// thread is gone.
	Release()
}

// Handoff is a host thread between owners: created by Fork or NewThread,
// parked in the platform's own code, waiting for a Sentry thread to adopt
// it.
type Handoff interface {
	// Adopt makes the calling OS thread (locked to its goroutine) the
	// thread's owner.
	Adopt() (Thread, error)
}

// Thread is one host thread of a Process, owned by one OS thread of the
// Sentry. Every method but Interrupt must be called from the owning thread.
type Thread interface {
	Process() Process
	// HostTID is the host's thread ID (for CPU clocks and diagnostics).
	HostTID() int
	// Regs are the thread's registers as of the last stop. Changes are written
	// back before the thread next runs only if SetRegsDirty was called.
	Regs() *Registers
	SetRegsDirty()
	// Switch runs application code until the next stop.
	Switch() (Stop, *Fault)
	// Syscall makes the thread run one system call on the Sentry's behalf
	// (mmap, munmap, mprotect, ...); the application's registers are kept.
	Syscall(nr uintptr, args ...uintptr) (uintptr, error)
	// MapFile maps the host file fd into the process with mmap(addr, length,
	// prot, flags, fd, offset). MAP_FIXED is required.
	MapFile(addr, length uintptr, prot, flags int, fd int, offset int64) error
	// CompareAndSwap32 atomically replaces the 32-bit word at addr with new if
	// it holds old, and returns the value it held.
	CompareAndSwap32(addr uintptr, old, new uint32) (uint32, error)
	// FPState reads and SetFPState writes the thread's XSAVE area.
	FPState() ([]byte, error)
	SetFPState([]byte) error
	// Reap waits until the host thread, whose process was killed, is gone.
	Reap()
	// Fork makes a copy-on-write copy of the thread's process with one
	// thread, which the caller hands to its new owner. Its registers are the
	// platform's: the new owner sets the application's.
	Fork() (Process, Handoff, error)
	// NewThread adds a thread to the thread's process.
	NewThread() (Handoff, error)
	// Interrupt makes a running Switch return StopInterrupt soon. It may be
	// called from any goroutine; an Interrupt while the thread is stopped makes
	// the next Switch return StopInterrupt at once.
	Interrupt()
}
