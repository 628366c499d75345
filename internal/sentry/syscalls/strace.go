package syscalls

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/kernel"
	"github.com/moat-sandbox/moat/internal/sentry/linux"
)

// Arg says how --strace prints one argument.
type Arg int

const (
	AInt    Arg = iota // signed decimal
	AUint              // unsigned decimal
	AHex               // hexadecimal
	AFD                // a file descriptor (AT_FDCWD by name)
	APtr               // an address, NULL when zero
	APath              // a NUL-terminated string read before the call
	ABufIn             // bytes the call reads; the next argument is their length
	ABufOut            // bytes the call writes; the result is their length
	AOctal             // a mode
	ASignal            // a signal number
	AOpenFlags
	AProt
	AMapFlags
	AClock
	ASigHow
	AAtFlags
	AWhence
	AResource
)

// Ret says how --strace prints the result.
type Ret int

const (
	RInt Ret = iota
	RHex
)

// straceWriter prints one line per system call, as strace -f does.
type straceWriter struct {
	mu sync.Mutex
	w  io.Writer
}

const straceMaxString = 32

func (s *straceWriter) emit(line string) {
	s.mu.Lock()
	io.WriteString(s.w, line)
	s.mu.Unlock()
}

func (s *straceWriter) missing(t *kernel.Task, nr uintptr, a kernel.SyscallArgs) {
	s.emit(fmt.Sprintf("[pid %d] %s(%#x, %#x, %#x, %#x, %#x, %#x) = -1 ENOSYS (Function not implemented)\n",
		t.TID(), Name(nr), a[0], a[1], a[2], a[3], a[4], a[5]))
}

// before formats the arguments that must be read before the call runs.
func (s *straceWriter) before(t *kernel.Task, sc *Syscall, a kernel.SyscallArgs) []string {
	out := make([]string, len(sc.Args))
	for i, k := range sc.Args {
		v := a[i]
		switch k {
		case APath:
			if v == 0 {
				out[i] = "NULL"
			} else if str, err := t.CopyInString(v, unix.PathMax); err == nil {
				out[i] = quote([]byte(str), false)
			} else {
				out[i] = fmt.Sprintf("%#x", v)
			}
		case ABufIn:
			n := 0
			if i+1 < len(a) {
				n = int(a[i+1])
			}
			out[i] = readBuf(t, v, n)
		}
	}
	return out
}

func readBuf(t *kernel.Task, addr uintptr, n int) string {
	if n < 0 {
		n = 0
	}
	more := n > straceMaxString
	if more {
		n = straceMaxString
	}
	b := make([]byte, n)
	if err := t.CopyIn(addr, b); err != nil {
		return fmt.Sprintf("%#x", addr)
	}
	return quote(b, more)
}

func (s *straceWriter) after(t *kernel.Task, sc *Syscall, a kernel.SyscallArgs, pre []string, ret uintptr, err error) {
	var b strings.Builder
	fmt.Fprintf(&b, "[pid %d] %s(", t.TID(), sc.Name)
	for i, k := range sc.Args {
		if i > 0 {
			b.WriteString(", ")
		}
		if pre[i] != "" {
			b.WriteString(pre[i])
			continue
		}
		b.WriteString(formatArg(t, k, a[i], ret, err))
	}
	b.WriteString(") = ")
	switch {
	case err == kernel.ErrNoReturn:
		b.WriteString("?")
	case err == kernel.ErrKeepRegisters:
		fmt.Fprintf(&b, "%d", int64(t.Regs().Rax))
	case err != nil:
		e, ok := err.(unix.Errno)
		if !ok {
			e = unix.EINTR // vfs.ErrInterrupted: settled as a restart or EINTR
			b.WriteString("? ERESTARTSYS (To be restarted if SA_RESTART is set)")
			break
		}
		if linux.IsRestart(e) {
			fmt.Fprintf(&b, "? %s (To be restarted)", linux.ErrnoName(e))
		} else {
			fmt.Fprintf(&b, "-1 %s (%s)", linux.ErrnoName(e), errnoText(e))
		}
	case sc.Ret == RHex:
		fmt.Fprintf(&b, "%#x", ret)
	default:
		fmt.Fprintf(&b, "%d", int64(ret))
	}
	b.WriteByte('\n')
	s.emit(b.String())
}

func errnoText(e unix.Errno) string {
	s := e.Error()
	if s == "" {
		return "Unknown error"
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func formatArg(t *kernel.Task, k Arg, v uintptr, ret uintptr, err error) string {
	switch k {
	case AInt:
		return strconv.FormatInt(int64(v), 10)
	case AUint:
		return strconv.FormatUint(uint64(v), 10)
	case AFD:
		if int32(v) == unix.AT_FDCWD {
			return "AT_FDCWD"
		}
		return strconv.FormatInt(int64(int32(v)), 10)
	case APtr:
		if v == 0 {
			return "NULL"
		}
		return fmt.Sprintf("%#x", v)
	case ABufOut:
		if err != nil || int64(ret) < 0 {
			return fmt.Sprintf("%#x", v)
		}
		return readBuf(t, v, int(ret))
	case AOctal:
		return fmt.Sprintf("%#o", v)
	case ASignal:
		if s := linux.Signal(v); s.Valid() {
			return s.String()
		}
		return strconv.FormatInt(int64(v), 10)
	case AOpenFlags:
		return openFlags(v)
	case AProt:
		return flagNames(v, protNames, "PROT_NONE")
	case AMapFlags:
		return mapFlags(v)
	case AClock:
		if n, ok := clockNames[v]; ok {
			return n
		}
		return strconv.FormatInt(int64(int32(v)), 10)
	case ASigHow:
		switch v {
		case linux.SIG_BLOCK:
			return "SIG_BLOCK"
		case linux.SIG_UNBLOCK:
			return "SIG_UNBLOCK"
		case linux.SIG_SETMASK:
			return "SIG_SETMASK"
		}
	case AAtFlags:
		return flagNames(v, atFlagNames, "0")
	case AWhence:
		if n, ok := whenceNames[v]; ok {
			return n
		}
	case AResource:
		if n, ok := resourceNames[v]; ok {
			return n
		}
	}
	return fmt.Sprintf("%#x", v)
}

// quote renders bytes as strace does: a C string with escapes.
func quote(b []byte, more bool) string {
	var s strings.Builder
	s.WriteByte('"')
	for _, c := range b {
		switch c {
		case '"', '\\':
			s.WriteByte('\\')
			s.WriteByte(c)
		case '\n':
			s.WriteString(`\n`)
		case '\t':
			s.WriteString(`\t`)
		case '\r':
			s.WriteString(`\r`)
		default:
			if c < 0x20 || c >= 0x7f {
				fmt.Fprintf(&s, `\x%02x`, c)
			} else {
				s.WriteByte(c)
			}
		}
	}
	s.WriteByte('"')
	if more {
		s.WriteString("...")
	}
	return s.String()
}

type flagName struct {
	bit  uintptr
	name string
}

func flagNames(v uintptr, table []flagName, zero string) string {
	if v == 0 {
		return zero
	}
	var parts []string
	for _, f := range table {
		if v&f.bit == f.bit && f.bit != 0 {
			parts = append(parts, f.name)
			v &^= f.bit
		}
	}
	if v != 0 {
		parts = append(parts, fmt.Sprintf("%#x", v))
	}
	return strings.Join(parts, "|")
}

var protNames = []flagName{{unix.PROT_READ, "PROT_READ"}, {unix.PROT_WRITE, "PROT_WRITE"}, {unix.PROT_EXEC, "PROT_EXEC"}}

var mapFlagNames = []flagName{
	{unix.MAP_FIXED, "MAP_FIXED"}, {unix.MAP_ANONYMOUS, "MAP_ANONYMOUS"}, {unix.MAP_32BIT, "MAP_32BIT"},
	{unix.MAP_GROWSDOWN, "MAP_GROWSDOWN"}, {unix.MAP_DENYWRITE, "MAP_DENYWRITE"}, {unix.MAP_LOCKED, "MAP_LOCKED"},
	{unix.MAP_NORESERVE, "MAP_NORESERVE"}, {unix.MAP_POPULATE, "MAP_POPULATE"}, {unix.MAP_NONBLOCK, "MAP_NONBLOCK"},
	{unix.MAP_STACK, "MAP_STACK"}, {unix.MAP_HUGETLB, "MAP_HUGETLB"}, {unix.MAP_FIXED_NOREPLACE, "MAP_FIXED_NOREPLACE"},
}

func mapFlags(v uintptr) string {
	var typ string
	switch v & 3 {
	case unix.MAP_SHARED:
		typ = "MAP_SHARED"
	case unix.MAP_PRIVATE:
		typ = "MAP_PRIVATE"
	case 3:
		typ = "MAP_SHARED_VALIDATE"
	default:
		typ = "0"
	}
	if rest := v &^ 3; rest != 0 {
		return typ + "|" + flagNames(rest, mapFlagNames, "")
	}
	return typ
}

var openFlagNames = []flagName{
	{unix.O_CREAT, "O_CREAT"}, {unix.O_EXCL, "O_EXCL"}, {unix.O_NOCTTY, "O_NOCTTY"}, {unix.O_TRUNC, "O_TRUNC"},
	{unix.O_APPEND, "O_APPEND"}, {unix.O_NONBLOCK, "O_NONBLOCK"}, {unix.O_DSYNC, "O_DSYNC"},
	{unix.O_DIRECT, "O_DIRECT"}, {linux.O_LARGEFILE, "O_LARGEFILE"}, {unix.O_DIRECTORY, "O_DIRECTORY"},
	{unix.O_NOFOLLOW, "O_NOFOLLOW"}, {unix.O_NOATIME, "O_NOATIME"}, {unix.O_CLOEXEC, "O_CLOEXEC"},
	{unix.O_PATH, "O_PATH"}, {unix.O_TMPFILE &^ unix.O_DIRECTORY, "O_TMPFILE"},
}

func openFlags(v uintptr) string {
	var acc string
	switch v & unix.O_ACCMODE {
	case unix.O_RDONLY:
		acc = "O_RDONLY"
	case unix.O_WRONLY:
		acc = "O_WRONLY"
	case unix.O_RDWR:
		acc = "O_RDWR"
	default:
		acc = "O_ACCMODE"
	}
	if rest := v &^ unix.O_ACCMODE; rest != 0 {
		return acc + "|" + flagNames(rest, openFlagNames, "")
	}
	return acc
}

var atFlagNames = []flagName{
	{unix.AT_SYMLINK_NOFOLLOW, "AT_SYMLINK_NOFOLLOW"}, {unix.AT_REMOVEDIR, "AT_REMOVEDIR"},
	{unix.AT_SYMLINK_FOLLOW, "AT_SYMLINK_FOLLOW"}, {unix.AT_NO_AUTOMOUNT, "AT_NO_AUTOMOUNT"},
	{unix.AT_EMPTY_PATH, "AT_EMPTY_PATH"}, {unix.AT_EACCESS, "AT_EACCESS"},
}

var clockNames = map[uintptr]string{
	0: "CLOCK_REALTIME", 1: "CLOCK_MONOTONIC", 2: "CLOCK_PROCESS_CPUTIME_ID", 3: "CLOCK_THREAD_CPUTIME_ID",
	4: "CLOCK_MONOTONIC_RAW", 5: "CLOCK_REALTIME_COARSE", 6: "CLOCK_MONOTONIC_COARSE", 7: "CLOCK_BOOTTIME",
	8: "CLOCK_REALTIME_ALARM", 9: "CLOCK_BOOTTIME_ALARM", 11: "CLOCK_TAI",
}

var whenceNames = map[uintptr]string{0: "SEEK_SET", 1: "SEEK_CUR", 2: "SEEK_END", 3: "SEEK_DATA", 4: "SEEK_HOLE"}

var resourceNames = map[uintptr]string{
	0: "RLIMIT_CPU", 1: "RLIMIT_FSIZE", 2: "RLIMIT_DATA", 3: "RLIMIT_STACK", 4: "RLIMIT_CORE", 5: "RLIMIT_RSS",
	6: "RLIMIT_NPROC", 7: "RLIMIT_NOFILE", 8: "RLIMIT_MEMLOCK", 9: "RLIMIT_AS", 10: "RLIMIT_LOCKS",
	11: "RLIMIT_SIGPENDING", 12: "RLIMIT_MSGQUEUE", 13: "RLIMIT_NICE", 14: "RLIMIT_RTPRIO", 15: "RLIMIT_RTTIME",
}
