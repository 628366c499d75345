package syscalls

import (
	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/kernel"
	smm "github.com/moat-sandbox/moat/internal/sentry/mm"
)

// System calls about pages in memory: mincore and memory locking. The
// stub's seccomp filter forbids mlock, and the Sentry cannot ask the host
// about another process's pages, so these check their arguments as Linux
// does and then report or change nothing.

const mlockNote = "arguments, mappings and RLIMIT_MEMLOCK are checked, but no page is locked (the stub may not call mlock) and pages locked earlier do not count against the limit"

func init() {
	register(map[uintptr]Syscall{
		unix.SYS_MINCORE:    {Handler: Mincore, Status: Partial, Note: "every page of a mapped range is reported resident", Args: []Arg{APtr, AUint, APtr}},
		unix.SYS_MLOCK:      {Handler: Mlock, Status: Partial, Note: mlockNote, Args: []Arg{APtr, AUint}},
		unix.SYS_MLOCK2:     {Handler: Mlock2, Status: Partial, Note: mlockNote, Args: []Arg{APtr, AUint, AHex}},
		unix.SYS_MUNLOCK:    {Handler: Munlock, Status: Partial, Note: mlockNote, Args: []Arg{APtr, AUint}},
		unix.SYS_MLOCKALL:   {Handler: Mlockall, Status: Partial, Note: mlockNote, Args: []Arg{AHex}},
		unix.SYS_MUNLOCKALL: {Handler: Munlockall, Status: Partial, Note: mlockNote},
	})
}

// userTop is TASK_SIZE_MAX on x86-64: the end of what access_ok accepts.
const userTop = 1<<47 - smm.PageSize

// capIPCLock is CAP_IPC_LOCK.
const capIPCLock = 14

// Mincore implements mincore(2). Every page of a mapped range is reported
// resident: the Sentry does not see the host's page tables.
func Mincore(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	start, length, vec := a[0], a[1], a[2]
	if start%smm.PageSize != 0 {
		return 0, unix.EINVAL
	}
	if length > userTop || start > userTop-length {
		return 0, unix.ENOMEM
	}
	pages := length / smm.PageSize
	if length%smm.PageSize != 0 {
		pages++
	}
	if pages > userTop || vec > userTop-pages {
		return 0, unix.EFAULT
	}
	// One VMA at a time, as Linux: the vector is filled up to the first
	// hole, which is ENOMEM.
	for pages > 0 {
		v, ok := t.MM().Mapped(start)
		if !ok {
			return 0, unix.ENOMEM
		}
		n := min(pages, (v.End-start)/smm.PageSize, smm.PageSize)
		ones := make([]byte, n)
		for i := range ones {
			ones[i] = 1
		}
		if err := t.CopyOut(vec, ones); err != nil {
			return 0, err
		}
		pages -= n
		vec += n
		start += n * smm.PageSize
	}
	return 0, nil
}

// mlockRange is what mlock and munlock share: the range rounded out to
// pages, EINVAL when it wraps, ENOMEM when any of it is unmapped.
func mlockRange(t *kernel.Task, start, length uintptr) (uintptr, uintptr, error) {
	off := start % smm.PageSize
	length = (length + off + smm.PageSize - 1) &^ (smm.PageSize - 1) // wraps as Linux's PAGE_ALIGN
	start -= off
	end := start + length
	if end < start {
		return 0, 0, unix.EINVAL
	}
	for at := start; at < end; {
		v, ok := t.MM().Mapped(at)
		if !ok {
			return 0, 0, unix.ENOMEM
		}
		at = v.End
	}
	return start, length, nil
}

// canLock is Linux's can_do_mlock: locking needs a nonzero RLIMIT_MEMLOCK
// or CAP_IPC_LOCK. It returns the limit in pages and whether it applies.
func canLock(t *kernel.Task) (uint64, bool, error) {
	lim := t.ThreadGroup().Limits().Cur(unix.RLIMIT_MEMLOCK)
	capable := t.Creds().HasCap(capIPCLock)
	if lim == 0 && !capable {
		return 0, false, unix.EPERM
	}
	return lim / smm.PageSize, !capable, nil
}

func mlock(t *kernel.Task, start, length uintptr, onFault bool) (uintptr, error) {
	limit, limited, err := canLock(t)
	if err != nil {
		return 0, err
	}
	off := start % smm.PageSize
	pages := uint64(((length + off + smm.PageSize - 1) &^ (smm.PageSize - 1)) / smm.PageSize)
	if limited && pages > limit {
		return 0, unix.ENOMEM
	}
	start, length, err = mlockRange(t, start, length)
	if err != nil || onFault {
		return 0, err
	}
	// Linux then faults the pages in, which fails (ENOMEM) where no access
	// is allowed.
	for at := start; at < start+length; {
		v, ok := t.MM().Mapped(at)
		if !ok || v.Prot == unix.PROT_NONE && !v.Reserved {
			return 0, unix.ENOMEM
		}
		at = v.End
	}
	return 0, nil
}

// Mlock implements mlock(2).
func Mlock(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	return mlock(t, a[0], a[1], false)
}

// mlock2's MLOCK_ONFAULT.
const mlockOnfault = 1

// Mlock2 implements mlock2(2).
func Mlock2(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	if uint32(a[2])&^mlockOnfault != 0 {
		return 0, unix.EINVAL
	}
	return mlock(t, a[0], a[1], uint32(a[2])&mlockOnfault != 0)
}

// Munlock implements munlock(2).
func Munlock(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	_, _, err := mlockRange(t, a[0], a[1])
	return 0, err
}

// Mlockall implements mlockall(2).
func Mlockall(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	flags := int(int32(a[0]))
	if flags == 0 || flags&^(unix.MCL_CURRENT|unix.MCL_FUTURE|unix.MCL_ONFAULT) != 0 || flags == unix.MCL_ONFAULT {
		return 0, unix.EINVAL
	}
	limit, limited, err := canLock(t)
	if err != nil {
		return 0, err
	}
	if flags&unix.MCL_CURRENT != 0 && limited {
		var total uint64
		for _, v := range t.MM().VMAs() {
			total += uint64(v.Len() / smm.PageSize)
		}
		if total > limit {
			return 0, unix.ENOMEM
		}
	}
	return 0, nil
}

// Munlockall implements munlockall(2).
func Munlockall(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	return 0, nil
}
