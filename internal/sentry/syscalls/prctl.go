package syscalls

import (
	"bytes"

	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/auth"
	"github.com/moat-sandbox/moat/internal/sentry/kernel"
	"github.com/moat-sandbox/moat/internal/sentry/linux"
	smm "github.com/moat-sandbox/moat/internal/sentry/mm"
)

func init() {
	register(map[uintptr]Syscall{
		unix.SYS_PRCTL: {Handler: Prctl, Status: Partial, Args: []Arg{AInt, AHex, AHex, AHex, AHex},
			Note: "EINVAL for PR_SET_SECCOMP (no seccomp for applications), PR_SET_TSC(PR_TSC_SIGSEGV), PR_SET_MM other than " +
				"PR_SET_MM_MAP_SIZE, PR_GET_TID_ADDRESS, PR_GET_AUXV, PR_SET_VMA, the MDWE, KSM, speculation and I/O-flusher " +
				"options; the parent-death signal is kept per process, not per thread; dumpability, THP, timer slack " +
				"and machine-check policy are recorded but change nothing on the host; SECBIT_NOROOT and the SECBIT_EXEC_* " +
				"flags do not affect execve"},
	})
}

// lastCap is CAP_LAST_CAP, the highest bit of auth.AllCaps.
const lastCap = 40

// prctl(2) values the unix package does not name.
const (
	mceKillLate    = 0 // PR_MCE_KILL_LATE
	mceKillEarly   = 1 // PR_MCE_KILL_EARLY
	mceKillDefault = 2 // PR_MCE_KILL_DEFAULT
	// sizeofPrctlMMMap is sizeof(struct prctl_mm_map).
	sizeofPrctlMMMap = 104
)

// Prctl implements prctl(2).
func Prctl(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	option, arg2, arg3, arg4, arg5 := int32(a[0]), a[1], a[2], a[3], a[4]
	switch option {
	// Capabilities and securebits (capabilities(7)).
	case unix.PR_CAPBSET_READ:
		if arg2 > lastCap {
			return 0, unix.EINVAL
		}
		return uintptr(t.Creds().Bounding >> arg2 & 1), nil
	case unix.PR_CAPBSET_DROP:
		if !t.Creds().HasCap(capSetpcap) {
			return 0, unix.EPERM
		}
		if arg2 > lastCap {
			return 0, unix.EINVAL
		}
		return 0, changeCreds(t, func(_, c *auth.Credentials, _ *kernel.TaskAttrs) error {
			c.Bounding &^= 1 << arg2
			return nil
		})
	case unix.PR_GET_SECUREBITS:
		return uintptr(t.Attrs().Securebits), nil
	case unix.PR_SET_SECUREBITS:
		return 0, changeCreds(t, func(old, _ *auth.Credentials, at *kernel.TaskAttrs) error {
			cur := uint64(at.Securebits)
			if (cur&secureAllLocks)>>1&(cur^uint64(arg2)) != 0 || // a locked flag changes
				cur&secureAllLocks&^uint64(arg2) != 0 || // a lock is released
				uint64(arg2)&^(secureAllLocks|secureAllBits) != 0 ||
				!old.HasCap(capSetpcap) {
				return unix.EPERM
			}
			at.Securebits = uint32(arg2)
			return nil
		})
	case unix.PR_GET_KEEPCAPS:
		return uintptr(t.Attrs().Securebits / secbitKeepCaps & 1), nil
	case unix.PR_SET_KEEPCAPS:
		if arg2 > 1 {
			return 0, unix.EINVAL
		}
		return 0, changeCreds(t, func(_, _ *auth.Credentials, at *kernel.TaskAttrs) error {
			if at.Securebits&secbitKeepCapsLocked != 0 {
				return unix.EPERM
			}
			if arg2 != 0 {
				at.Securebits |= secbitKeepCaps
			} else {
				at.Securebits &^= secbitKeepCaps
			}
			return nil
		})
	case unix.PR_CAP_AMBIENT:
		return prctlAmbient(t, arg2, arg3, arg4, arg5)

	// Process attributes.
	case unix.PR_SET_PDEATHSIG:
		if arg2 > linux.NumSignals {
			return 0, unix.EINVAL
		}
		t.ThreadGroup().SetDeathSignal(linux.Signal(arg2))
		return 0, nil
	case unix.PR_GET_PDEATHSIG:
		return 0, copyOutInt32(t, arg2, int32(t.ThreadGroup().DeathSignal()))
	case unix.PR_GET_DUMPABLE:
		return uintptr(t.Attrs().Dumpable), nil
	case unix.PR_SET_DUMPABLE:
		if arg2 > 1 {
			return 0, unix.EINVAL
		}
		setGroupDumpable(t, int32(arg2))
		return 0, nil
	case unix.PR_SET_NAME:
		name, err := copyInComm(t, arg2)
		if err != nil {
			return 0, err
		}
		t.SetName(name)
		return 0, nil
	case unix.PR_GET_NAME:
		var b [16]byte
		copy(b[:15], t.Name())
		return 0, t.CopyOut(arg2, b[:])
	case unix.PR_SET_CHILD_SUBREAPER:
		t.ThreadGroup().SetSubreaper(arg2 != 0)
		return 0, nil
	case unix.PR_GET_CHILD_SUBREAPER:
		return 0, copyOutInt32(t, arg2, b2i(t.ThreadGroup().Subreaper()))
	case unix.PR_SET_NO_NEW_PRIVS:
		if arg2 != 1 || arg3|arg4|arg5 != 0 {
			return 0, unix.EINVAL
		}
		return 0, t.UpdateAttrs(t, func(at *kernel.TaskAttrs) error {
			at.NoNewPrivs = true
			return nil
		})
	case unix.PR_GET_NO_NEW_PRIVS:
		if arg2|arg3|arg4|arg5 != 0 {
			return 0, unix.EINVAL
		}
		return uintptr(b2i(t.Attrs().NoNewPrivs)), nil
	case unix.PR_SET_TIMERSLACK:
		return 0, t.UpdateAttrs(t, func(at *kernel.TaskAttrs) error {
			if isRealtime(at.Policy) {
				return nil // real-time tasks have no slack
			}
			if arg2 == 0 {
				at.TimerSlack = at.DefaultTimerSlack
			} else {
				at.TimerSlack = uint64(arg2)
			}
			return nil
		})
	case unix.PR_GET_TIMERSLACK:
		at := t.Attrs()
		if isRealtime(at.Policy) {
			return 0, nil
		}
		return uintptr(at.TimerSlack), nil
	case unix.PR_SET_THP_DISABLE:
		if arg4|arg5 != 0 || (arg2 == 0 && arg3 != 0) || arg3&^unix.PR_THP_DISABLE_EXCEPT_ADVISED != 0 {
			return 0, unix.EINVAL
		}
		v := int32(0)
		if arg2 != 0 {
			v = 1 | int32(arg3)
		}
		for _, u := range t.ThreadGroup().Tasks() {
			t.UpdateAttrs(u, func(at *kernel.TaskAttrs) error {
				at.THPDisable = v
				return nil
			})
		}
		return 0, nil
	case unix.PR_GET_THP_DISABLE:
		if arg2|arg3|arg4|arg5 != 0 {
			return 0, unix.EINVAL
		}
		return uintptr(t.Attrs().THPDisable), nil
	case unix.PR_MCE_KILL:
		if arg4|arg5 != 0 {
			return 0, unix.EINVAL
		}
		var v int32
		switch {
		case arg2 == unix.PR_MCE_KILL_CLEAR && arg3 == 0:
			v = mceKillDefault
		case arg2 == unix.PR_MCE_KILL_SET && arg3 <= mceKillDefault:
			v = int32(arg3)
		default:
			return 0, unix.EINVAL
		}
		return 0, t.UpdateAttrs(t, func(at *kernel.TaskAttrs) error {
			at.MCEKill = v
			return nil
		})
	case unix.PR_MCE_KILL_GET:
		if arg2|arg3|arg4|arg5 != 0 {
			return 0, unix.EINVAL
		}
		return uintptr(t.Attrs().MCEKill), nil

	// Odds and ends.
	case unix.PR_GET_TIMING:
		return unix.PR_TIMING_STATISTICAL, nil
	case unix.PR_SET_TIMING:
		if arg2 != unix.PR_TIMING_STATISTICAL {
			return 0, unix.EINVAL
		}
		return 0, nil
	case unix.PR_GET_TSC:
		return 0, copyOutInt32(t, arg2, unix.PR_TSC_ENABLE)
	case unix.PR_SET_TSC:
		// rdtsc runs natively in the stub; it cannot be made to fault.
		if arg2 != unix.PR_TSC_ENABLE {
			return 0, unix.EINVAL
		}
		return 0, nil
	case unix.PR_TASK_PERF_EVENTS_DISABLE, unix.PR_TASK_PERF_EVENTS_ENABLE:
		return 0, nil // no performance counters
	case unix.PR_GET_SECCOMP:
		return 0, nil // SECCOMP_MODE_DISABLED
	case unix.PR_SET_SECCOMP:
		t.Kernel().LogOnce("prctl-seccomp", "seccomp for applications is not implemented")
		return 0, unix.EINVAL
	case unix.PR_SET_MM:
		return prctlSetMM(t, arg2, arg3, arg4, arg5)
	}
	// PR_GET_TID_ADDRESS, PR_SET_VMA, the other architectures' options and
	// unknown ones.
	return 0, unix.EINVAL
}

// prctlAmbient is PR_CAP_AMBIENT.
func prctlAmbient(t *kernel.Task, op, cp, arg4, arg5 uintptr) (uintptr, error) {
	if op == unix.PR_CAP_AMBIENT_CLEAR_ALL {
		if cp|arg4|arg5 != 0 {
			return 0, unix.EINVAL
		}
		return 0, changeCreds(t, func(_, c *auth.Credentials, _ *kernel.TaskAttrs) error {
			c.Ambient = 0
			return nil
		})
	}
	if cp > lastCap || arg4|arg5 != 0 {
		return 0, unix.EINVAL
	}
	bit := uint64(1) << cp
	switch op {
	case unix.PR_CAP_AMBIENT_IS_SET:
		return uintptr(b2i(t.Creds().Ambient&bit != 0)), nil
	case unix.PR_CAP_AMBIENT_RAISE, unix.PR_CAP_AMBIENT_LOWER:
	default:
		return 0, unix.EINVAL
	}
	return 0, changeCreds(t, func(old, c *auth.Credentials, at *kernel.TaskAttrs) error {
		if op == unix.PR_CAP_AMBIENT_LOWER {
			c.Ambient &^= bit
			return nil
		}
		if old.Permitted&bit == 0 || old.Inheritable&bit == 0 || at.Securebits&secbitNoCapAmbientRaise != 0 {
			return unix.EPERM
		}
		c.Ambient |= bit
		return nil
	})
}

// prctlSetMM is PR_SET_MM. Only PR_SET_MM_MAP_SIZE is answered; changing
// the layout of the address space is refused after Linux's own checks.
func prctlSetMM(t *kernel.Task, op, addr, arg4, arg5 uintptr) (uintptr, error) {
	if arg5 != 0 || (arg4 != 0 && op != unix.PR_SET_MM_AUXV && op != unix.PR_SET_MM_MAP && op != unix.PR_SET_MM_MAP_SIZE) {
		return 0, unix.EINVAL
	}
	switch op {
	case unix.PR_SET_MM_MAP_SIZE:
		return 0, copyOutInt32(t, addr, sizeofPrctlMMMap)
	case unix.PR_SET_MM_MAP:
		return 0, unix.EINVAL
	}
	if !t.Creds().HasCap(capSysResource) {
		return 0, unix.EPERM
	}
	return 0, unix.EINVAL
}

// copyInComm reads a command name for PR_SET_NAME: up to 15 bytes, ended
// early by a NUL. Only the bytes up to the end are read, so a short name
// just before an unmapped page is fine.
func copyInComm(t *kernel.Task, addr uintptr) (string, error) {
	var b [15]byte
	for n := 0; n < len(b); {
		end := min(len(b), n+smm.PageSize-int((addr+uintptr(n))%smm.PageSize))
		if err := t.CopyIn(addr+uintptr(n), b[n:end]); err != nil {
			return "", err
		}
		if i := bytes.IndexByte(b[n:end], 0); i >= 0 {
			return string(b[:n+i]), nil
		}
		n = end
	}
	return string(b[:]), nil
}

// isRealtime reports whether policy is a real-time one.
func isRealtime(policy int32) bool {
	return policy == kernel.SchedFIFO || policy == kernel.SchedRR || policy == kernel.SchedDeadline
}

func b2i(b bool) int32 {
	if b {
		return 1
	}
	return 0
}
