package syscalls

import (
	"runtime"

	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/kernel"
	smm "github.com/moat-sandbox/moat/internal/sentry/mm"
)

func init() {
	register(map[uintptr]Syscall{
		unix.SYS_EXIT:              {Handler: Exit, Args: []Arg{AInt}},
		unix.SYS_EXIT_GROUP:        {Handler: ExitGroup, Args: []Arg{AInt}},
		unix.SYS_GETPID:            {Handler: Getpid},
		unix.SYS_GETPPID:           {Handler: Getppid},
		unix.SYS_GETTID:            {Handler: Gettid},
		unix.SYS_GETUID:            {Handler: Getuid},
		unix.SYS_GETEUID:           {Handler: Geteuid},
		unix.SYS_GETGID:            {Handler: Getgid},
		unix.SYS_GETEGID:           {Handler: Getegid},
		unix.SYS_SET_TID_ADDRESS:   {Handler: SetTidAddress, Args: []Arg{APtr}},
		unix.SYS_SET_ROBUST_LIST:   {Handler: SetRobustList, Args: []Arg{APtr, AUint}},
		unix.SYS_ARCH_PRCTL:        {Handler: ArchPrctl, Status: Partial, Note: "ARCH_SET/GET_FS/GS, ARCH_GET_CPUID, ARCH_GET_XCOMP_SUPP/PERM; CPUID faulting is not available", Args: []Arg{AHex, APtr}},
		unix.SYS_SCHED_YIELD:       {Handler: SchedYield},
		unix.SYS_SCHED_GETAFFINITY: {Handler: SchedGetaffinity, Args: []Arg{AInt, AUint, APtr}},
	})
}

// Exit implements exit(2): the calling thread ends.
func Exit(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	return 0, t.Exit(int(a[0] & 0xff))
}

// ExitGroup implements exit_group(2).
func ExitGroup(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	t.ThreadGroup().ExitGroup(kernel.ExitStatus{Code: int(a[0] & 0xff)})
	return 0, kernel.ErrNoReturn
}

// Getpid implements getpid(2): the sandbox's PID, never the host's.
func Getpid(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	return uintptr(t.TGID()), nil
}

// Getppid implements getppid(2). The sandbox's init has no parent in its
// PID namespace.
func Getppid(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	return uintptr(t.ThreadGroup().ParentTGID()), nil
}

// Gettid implements gettid(2).
func Gettid(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	return uintptr(t.TID()), nil
}

// Getuid implements getuid(2) and its relatives below.
func Getuid(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	return uintptr(t.Creds().RealUID), nil
}

func Geteuid(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	return uintptr(t.Creds().EffectiveUID), nil
}

func Getgid(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	return uintptr(t.Creds().RealGID), nil
}

func Getegid(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	return uintptr(t.Creds().EffectiveGID), nil
}

// SetTidAddress implements set_tid_address(2).
func SetTidAddress(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	t.SetClearChildTID(a[0])
	return uintptr(t.TID()), nil
}

// SetRobustList implements set_robust_list(2).
func SetRobustList(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	const sizeofRobustListHead = 24
	if a[1] != sizeofRobustListHead {
		return 0, unix.EINVAL
	}
	t.SetRobustList(a[0])
	return 0, nil
}

// arch_prctl codes (arch_prctl(2)).
const (
	archSetGS        = 0x1001
	archSetFS        = 0x1002
	archGetFS        = 0x1003
	archGetGS        = 0x1004
	archGetCPUID     = 0x1011
	archSetCPUID     = 0x1012
	archGetXCompSupp = 0x1021
	archGetXCompPerm = 0x1022
	archReqXCompPerm = 0x1023
	// taskSizeMax is TASK_SIZE_MAX: fs and gs bases must lie below it.
	taskSizeMax = 1<<47 - smm.PageSize
)

// ArchPrctl implements arch_prctl(2). The fs and gs bases live in the task's
// registers and reach the host thread with them.
func ArchPrctl(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	regs := t.Regs()
	switch a[0] {
	case archSetFS:
		if a[1] >= taskSizeMax {
			return 0, unix.EPERM
		}
		regs.Fs_base = uint64(a[1])
		t.Platform().SetRegsDirty()
		return 0, nil
	case archSetGS:
		if a[1] >= taskSizeMax {
			return 0, unix.EPERM
		}
		regs.Gs_base = uint64(a[1])
		t.Platform().SetRegsDirty()
		return 0, nil
	case archGetFS:
		return 0, copyOutUint64(t, a[1], regs.Fs_base)
	case archGetGS:
		return 0, copyOutUint64(t, a[1], regs.Gs_base)
	case archGetCPUID:
		return 1, nil // CPUID is never faulted here
	case archSetCPUID:
		return 0, unix.ENODEV // the host cannot fault CPUID
	case archGetXCompSupp, archGetXCompPerm:
		var v uint64
		if _, _, e := unix.RawSyscall(unix.SYS_ARCH_PRCTL, a[0], uintptr(unsafePointer(&v)), 0); e != 0 {
			return 0, e
		}
		return 0, copyOutUint64(t, a[1], v)
	case archReqXCompPerm:
		// Permission for a dynamically enabled feature (AMX). The stub runs
		// natively; only features the host already permits are granted.
		var perm uint64
		if _, _, e := unix.RawSyscall(unix.SYS_ARCH_PRCTL, archGetXCompPerm, uintptr(unsafePointer(&perm)), 0); e != 0 {
			return 0, e
		}
		if a[1] >= 64 || perm&(1<<a[1]) == 0 {
			return 0, unix.EINVAL
		}
		return 0, nil
	}
	return 0, unix.EINVAL
}

// SchedYield implements sched_yield(2).
func SchedYield(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	runtime.Gosched()
	return 0, nil
}

// SchedGetaffinity implements sched_getaffinity(2): the CPUs the sandbox
// may use (the Sentry's affinity before the platform pinned its threads),
// or the subset sched_setaffinity recorded for the task.
func SchedGetaffinity(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	pid, size, addr := int32(a[0]), a[1], a[2]
	target, err := schedTarget(t, pid)
	if err != nil {
		return 0, err
	}
	// The mask is nr_cpu_ids bits rounded up to longs.
	n := uintptr(hostNrCPUIDs()+63) / 64 * 8
	if size < n || size%8 != 0 {
		return 0, unix.EINVAL
	}
	b := make([]byte, n)
	recorded := t.AttrsOf(target).Affinity
	for i := 0; i < int(n)/8; i++ {
		var w uint64
		if i < len(sandboxCPUs) {
			w = uint64(sandboxCPUs[i])
		}
		if recorded != nil {
			w = 0
			if i < len(recorded) {
				w = recorded[i]
			}
		}
		le.PutUint64(b[8*i:], w)
	}
	return n, t.CopyOut(addr, b)
}
