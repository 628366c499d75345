// Package syscalls is the Sentry's system call table: one handler per
// x86-64 system call number, grouped one file per family (file.go, mm.go,
// process.go, signal.go, time.go, ...). Every handler has the same shape: it
// takes the task and the six argument registers and returns the result or
// a Linux errno. It rejects unknown flags first, copies each argument in
// exactly once, does the work through the kernel, and copies results out
// last.
//
// A number with no handler returns ENOSYS and is logged once by name.
package syscalls

import (
	"io"
	"log/slog"
	"runtime/debug"
	"sync"

	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/kernel"
	"github.com/moat-sandbox/moat/internal/sentry/linux"
)

// Handler implements one system call.
type Handler func(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error)

// Status says how completely a system call is implemented.
type Status int

const (
	// Full: implemented as Linux documents it.
	Full Status = iota
	// Partial: implemented with the gaps Note names.
	Partial
)

// Syscall is one entry of the table.
type Syscall struct {
	Name    string
	Handler Handler
	Status  Status
	// Note says what is missing from a partial implementation.
	Note string
	// Args say how --strace prints the arguments; Ret how it prints the
	// result.
	Args []Arg
	Ret  Ret
}

// maxSyscall bounds the table; numbers at or above it are ENOSYS.
const maxSyscall = 512

// Table implements kernel.SyscallTable.
type Table struct {
	entries [maxSyscall]*Syscall
	log     *slog.Logger
	strace  *straceWriter
	missing sync.Map // numbers already logged as missing
}

// Options configure a table.
type Options struct {
	// Strace, when set, receives a line per system call.
	Strace io.Writer
	// Log receives diagnostics.
	Log *slog.Logger
}

// New builds the table.
func New(opts Options) *Table {
	tb := &Table{log: opts.Log}
	if tb.log == nil {
		tb.log = slog.New(slog.DiscardHandler)
	}
	if opts.Strace != nil {
		tb.strace = &straceWriter{w: opts.Strace}
	}
	for nr, s := range registry {
		s := s
		tb.entries[nr] = &s
	}
	return tb
}

// registry collects every family's handlers by number (see register).
var registry = map[uintptr]Syscall{}

// register adds a family's handlers; each family file calls it from init.
func register(family map[uintptr]Syscall) {
	for nr, s := range family {
		if _, dup := registry[nr]; dup {
			panic("syscall registered twice: " + s.Name)
		}
		if s.Name == "" {
			s.Name = Name(nr)
		}
		registry[nr] = s
	}
}

// Implemented returns the table's entries by number, for the
// compatibility document.
func Implemented() map[uintptr]Syscall {
	out := make(map[uintptr]Syscall, len(registry))
	for nr, s := range registry {
		out[nr] = s
	}
	return out
}

// Names returns every known system call name by number.
func Names() map[uintptr]string {
	out := make(map[uintptr]string, len(names))
	for nr, n := range names {
		out[nr] = n
	}
	return out
}

// Call implements kernel.SyscallTable.
func (tb *Table) Call(t *kernel.Task, nr uintptr, a kernel.SyscallArgs) (uintptr, error) {
	var s *Syscall
	if nr < maxSyscall {
		s = tb.entries[nr]
	}
	if s == nil {
		if _, seen := tb.missing.LoadOrStore(nr, true); !seen {
			tb.log.Warn("unimplemented system call", "name", Name(nr), "nr", nr)
		}
		if tb.strace != nil {
			tb.strace.missing(t, nr, a)
		}
		return 0, unix.ENOSYS
	}
	var pre []string
	if tb.strace != nil {
		pre = tb.strace.before(t, s, a)
	}
	ret, err := tb.run(t, s, a)
	if tb.strace != nil {
		tb.strace.after(t, s, a, pre, ret, err)
	}
	return ret, err
}

// run calls the handler. A panic is a bug in the Sentry, never the
// application's doing; it must not take the whole sandbox down with a Go
// crash. It is logged with its stack and the process is killed with SIGSYS.
func (tb *Table) run(t *kernel.Task, s *Syscall, a kernel.SyscallArgs) (ret uintptr, err error) {
	defer func() {
		if r := recover(); r != nil {
			tb.log.Error("Sentry bug: panic in system call", "name", s.Name, "panic", r, "stack", string(debug.Stack()))
			t.ThreadGroup().ExitGroup(kernel.ExitStatus{Signal: linux.SIGSYS, Core: true})
			ret, err = 0, kernel.ErrNoReturn
		}
	}()
	return s.Handler(t, a)
}
