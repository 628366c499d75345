package syscalls

import (
	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/kernel"
)

func init() {
	register(map[uintptr]Syscall{
		unix.SYS_UNAME:     {Handler: Uname, Args: []Arg{APtr}},
		unix.SYS_SYSINFO:   {Handler: Sysinfo, Args: []Arg{APtr}},
		unix.SYS_GETRANDOM: {Handler: Getrandom, Args: []Arg{APtr, AUint, AHex}},
		unix.SYS_PRLIMIT64: {Handler: Prlimit64, Args: []Arg{AInt, AResource, APtr, APtr}},
		unix.SYS_GETRLIMIT: {Handler: Getrlimit, Args: []Arg{AResource, APtr}},
		unix.SYS_SETRLIMIT: {Handler: Setrlimit, Args: []Arg{AResource, APtr}},
	})
}

// Uname implements uname(2) with the host's values: kernel release and
// machine are facts of the machine the sandbox runs on.
func Uname(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return 0, err
	}
	b := make([]byte, 0, 6*65)
	for _, f := range [][65]byte{u.Sysname, u.Nodename, u.Release, u.Version, u.Machine, u.Domainname} {
		b = append(b, f[:]...)
	}
	return 0, t.CopyOut(a[0], b)
}

// Sysinfo implements sysinfo(2): the host's memory and load, the sandbox's
// process count.
func Sysinfo(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	var si unix.Sysinfo_t
	if err := unix.Sysinfo(&si); err != nil {
		return 0, err
	}
	si.Procs = uint16(t.Kernel().NumTasks())
	b := (*[112]byte)(unsafePointer(&si))[:]
	return 0, t.CopyOut(a[0], b)
}

// Getrandom implements getrandom(2) from the host's generator.
func Getrandom(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	addr, length, flags := a[0], a[1], int(a[2])
	if flags&^(unix.GRND_NONBLOCK|unix.GRND_RANDOM|unix.GRND_INSECURE) != 0 ||
		flags&(unix.GRND_RANDOM|unix.GRND_INSECURE) == unix.GRND_RANDOM|unix.GRND_INSECURE {
		return 0, unix.EINVAL
	}
	length = min(length, 0x1ffffff) // Linux caps one call at 32 MiB - 1
	var done uintptr
	buf := make([]byte, min(length, ioChunk))
	for done < length {
		chunk := buf[:min(length-done, ioChunk)]
		n, err := unix.Getrandom(chunk, flags&^unix.GRND_RANDOM)
		if err != nil {
			if done > 0 {
				break
			}
			return 0, err
		}
		if err := t.CopyOut(addr+done, chunk[:n]); err != nil {
			if done > 0 {
				break
			}
			return 0, err
		}
		done += uintptr(n)
	}
	return done, nil
}

// Prlimit64 implements prlimit64(2) for the calling process.
func Prlimit64(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	pid, res, newAddr, oldAddr := int32(a[0]), int(a[1]), a[2], a[3]
	if res < 0 || res >= 16 {
		return 0, unix.EINVAL
	}
	tg := t.ThreadGroup()
	if pid != 0 && pid != t.TGID() {
		target := t.Kernel().GroupByTGID(pid)
		if target == nil {
			return 0, unix.ESRCH
		}
		tg = target
	}
	return 0, rlimit(t, tg, res, newAddr, oldAddr)
}

func rlimit(t *kernel.Task, tg *kernel.ThreadGroup, res int, newAddr, oldAddr uintptr) error {
	var newLim *unix.Rlimit
	if newAddr != 0 {
		var b [16]byte
		if err := t.CopyIn(newAddr, b[:]); err != nil {
			return err
		}
		newLim = &unix.Rlimit{Cur: le.Uint64(b[0:]), Max: le.Uint64(b[8:])}
	}
	old := tg.Limits().Get(res)
	if newLim != nil {
		var err error
		if old, err = tg.Limits().Set(res, *newLim, t.Creds().HasCap(24 /* CAP_SYS_RESOURCE */)); err != nil {
			return err
		}
	}
	if oldAddr != 0 {
		var b [16]byte
		le.PutUint64(b[0:], old.Cur)
		le.PutUint64(b[8:], old.Max)
		return t.CopyOut(oldAddr, b[:])
	}
	return nil
}

// Getrlimit implements getrlimit(2).
func Getrlimit(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	if a[0] >= 16 {
		return 0, unix.EINVAL
	}
	return 0, rlimit(t, t.ThreadGroup(), int(a[0]), 0, a[1])
}

// Setrlimit implements setrlimit(2).
func Setrlimit(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	if a[0] >= 16 {
		return 0, unix.EINVAL
	}
	return 0, rlimit(t, t.ThreadGroup(), int(a[0]), a[1], 0)
}
