package proc

import (
	"github.com/moat-sandbox/moat/internal/sentry/auth"
	"github.com/moat-sandbox/moat/internal/sentry/vfs"
)

// Sandbox is the kernel as /proc sees it: its processes and mounts. The
// sandbox package adapts the kernel to it (filesystems do not import the
// kernel). Every method is safe from any goroutine.
type Sandbox interface {
	// Processes lists the processes, live and zombie.
	Processes() []Process
	// Process returns the process pid, or nil.
	Process(pid int32) Process
	// Thread returns the thread tid of any process, or nil.
	Thread(tid int32) Thread
	// Mounts is the mount namespace the processes live in.
	Mounts() *vfs.MountNamespace
	// LastPID is the ID handed out last.
	LastPID() int32
}

// Process is one process (thread group).
type Process interface {
	PID() int32
	// PPID is the parent's PID, 0 for init.
	PPID() int32
	// PGID and SID are the process group and session.
	PGID() int32
	SID() int32
	// Alive reports whether the process still exists, as a live process
	// or a zombie: a PID once reused names another Process.
	Alive() bool
	// Zombie reports whether it has exited and awaits its parent.
	Zombie() bool
	// Stopped reports whether it is stopped by a job-control signal.
	Stopped() bool
	// Leader is the thread whose TID is the PID (also once it has exited
	// while others run).
	Leader() Thread
	// Threads lists the live threads.
	Threads() []Thread
	// Exe is the executable the process runs.
	Exe() vfs.VirtualDentry
	// Limit returns resource limit r (RLIMIT_*).
	Limit(r int) (cur, max uint64)
	// Mappings lists the address space, in address order.
	Mappings() []Mapping
	// ReadMemory copies from the process's memory; a short count and an
	// error mean a fault.
	ReadMemory(addr uintptr, dst []byte) (int, error)
	// Layout is where the loader put argv, envp and the auxiliary vector.
	Layout() Layout
	// HostPID is the host process behind it (0 when there is none): the
	// host knows its memory use and CPU times.
	HostPID() int
	// Dispositions are the signals the process ignores and catches.
	Dispositions() (ignored, caught uint64)
	// SharedPending are the process-directed signals pending.
	SharedPending() uint64
}

// Thread is one thread (task).
type Thread interface {
	TID() int32
	Process() Process
	// Alive reports whether the thread still runs.
	Alive() bool
	// Name is comm; SetName changes it.
	Name() string
	SetName(name string)
	// InApplication reports whether the thread is running application
	// code (rather than inside the Sentry).
	InApplication() bool
	// Exited reports whether the thread has exited while others of its
	// process run on.
	Exited() bool
	Creds() *auth.Credentials
	// FDTable is the thread's fd table (nil once it has exited).
	FDTable() *vfs.FDTable
	// Root and Cwd are the thread's root and working directories.
	Root() vfs.VirtualDentry
	Cwd() vfs.VirtualDentry
	Umask() uint32
	// HostTID is the host thread behind it (0 when there is none).
	HostTID() int
	// Pending and Blocked are the thread's pending and blocked signals.
	Pending() uint64
	Blocked() uint64
}

// Mapping is one mapping of an address space, as /proc/PID/maps shows it.
type Mapping struct {
	Start, End uint64
	Prot       int // PROT_READ|PROT_WRITE|PROT_EXEC
	Shared     bool
	Offset     uint64
	// Dev and Ino identify a mapped file; when the Sandbox leaves them
	// zero, /proc takes them from the host's mapping at the same address.
	Dev, Ino uint64
	// Name is the mapped file's path, or [heap], [stack], [vdso], [vvar].
	Name string
}

// AuxEntry is one entry of the auxiliary vector.
type AuxEntry struct {
	Key, Value uint64
}

// Layout is where a process's initial stack put its strings.
type Layout struct {
	ArgStart, ArgEnd uintptr
	EnvStart, EnvEnd uintptr
	// StackStart is the initial stack pointer.
	StackStart uintptr
	Auxv       []AuxEntry
}

// caller is the task a filesystem operation runs for: the vfs.Context of
// every call is the calling task.
type caller interface {
	TGID() int32
	TID() int32
}
