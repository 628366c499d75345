// Package linux holds facts of the Linux x86-64 ABI that several parts of the
// Sentry share: errno values the kernel uses internally, signal numbers and
// structures, resource limits, auxiliary vector keys. It imports nothing of
// the Sentry.
package linux

import "golang.org/x/sys/unix"

// Errno is a Linux errno. Handlers return these, never strings.
type Errno = unix.Errno

// The restart errnos never reach an application: the Sentry turns them into
// EINTR or a restarted call when it delivers a signal (see signal(7)).
const (
	ERESTARTSYS           = Errno(512) // restart if the handler has SA_RESTART
	ERESTARTNOINTR        = Errno(513) // always restart
	ERESTARTNOHAND        = Errno(514) // restart only if no handler runs
	ERESTART_RESTARTBLOCK = Errno(516) // restart through restart_syscall
)

// IsRestart reports whether e is one of the restart errnos.
func IsRestart(e error) bool {
	switch e {
	case ERESTARTSYS, ERESTARTNOINTR, ERESTARTNOHAND, ERESTART_RESTARTBLOCK:
		return true
	}
	return false
}

// ErrnoName is the symbolic name of an errno ("ENOENT"), for --strace.
func ErrnoName(e Errno) string {
	switch e {
	case ERESTARTSYS:
		return "ERESTARTSYS"
	case ERESTARTNOINTR:
		return "ERESTARTNOINTR"
	case ERESTARTNOHAND:
		return "ERESTARTNOHAND"
	case ERESTART_RESTARTBLOCK:
		return "ERESTART_RESTARTBLOCK"
	}
	if n := unix.ErrnoName(e); n != "" {
		return n
	}
	return "E?"
}

// O_LARGEFILE as the x86-64 kernel reports it in F_GETFL. x/sys defines
// unix.O_LARGEFILE as 0 on amd64, where the flag is implicit in open(2); the
// kernel still sets and reports the bit.
const O_LARGEFILE = 0x8000
