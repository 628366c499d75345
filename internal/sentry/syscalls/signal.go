package syscalls

import (
	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/kernel"
	"github.com/moat-sandbox/moat/internal/sentry/linux"
)

func init() {
	register(map[uintptr]Syscall{
		unix.SYS_RT_SIGACTION:   {Handler: RtSigaction, Args: []Arg{ASignal, APtr, APtr, AUint}},
		unix.SYS_RT_SIGPROCMASK: {Handler: RtSigprocmask, Args: []Arg{ASigHow, APtr, APtr, AUint}},
		unix.SYS_RT_SIGRETURN:   {Handler: RtSigreturn},
		unix.SYS_RT_SIGPENDING:  {Handler: RtSigpending, Args: []Arg{APtr, AUint}},
		unix.SYS_RT_SIGSUSPEND:  {Handler: RtSigsuspend, Args: []Arg{APtr, AUint}},
		unix.SYS_PAUSE:          {Handler: Pause},
		unix.SYS_SIGALTSTACK:    {Handler: Sigaltstack, Args: []Arg{APtr, APtr}},
		unix.SYS_KILL:           {Handler: Kill, Args: []Arg{AInt, ASignal}},
		unix.SYS_TKILL:          {Handler: Tkill, Args: []Arg{AInt, ASignal}},
		unix.SYS_TGKILL:         {Handler: Tgkill, Args: []Arg{AInt, AInt, ASignal}},
	})
}

const sizeofSigset = 8

// RtSigaction implements rt_sigaction(2).
func RtSigaction(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	sig, actAddr, oldAddr := linux.Signal(a[0]), a[1], a[2]
	if a[3] != sizeofSigset || !sig.Valid() {
		return 0, unix.EINVAL
	}
	var act *linux.SigAction
	if actAddr != 0 {
		var b [linux.SizeofSigAction]byte
		if err := t.CopyIn(actAddr, b[:]); err != nil {
			return 0, err
		}
		act = new(linux.SigAction)
		act.Unmarshal(b[:])
	}
	old, err := t.SigAction(sig, act)
	if err != nil {
		return 0, err
	}
	if oldAddr != 0 {
		var b [linux.SizeofSigAction]byte
		old.Marshal(b[:])
		if err := t.CopyOut(oldAddr, b[:]); err != nil {
			return 0, err
		}
	}
	return 0, nil
}

// RtSigprocmask implements rt_sigprocmask(2).
func RtSigprocmask(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	how, setAddr, oldAddr := int(a[0]), a[1], a[2]
	if a[3] != sizeofSigset {
		return 0, unix.EINVAL
	}
	old := t.SignalMask()
	if setAddr != 0 {
		v, err := copyInUint64(t, setAddr)
		if err != nil {
			return 0, err
		}
		set := linux.SignalSet(v)
		switch how {
		case linux.SIG_BLOCK:
			t.SetSignalMask(old | set)
		case linux.SIG_UNBLOCK:
			t.SetSignalMask(old &^ set)
		case linux.SIG_SETMASK:
			t.SetSignalMask(set)
		default:
			return 0, unix.EINVAL
		}
	}
	if oldAddr != 0 {
		if err := copyOutUint64(t, oldAddr, uint64(old)); err != nil {
			return 0, err
		}
	}
	return 0, nil
}

// RtSigreturn implements rt_sigreturn(2).
func RtSigreturn(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	if err := t.SignalReturn(); err != nil {
		return 0, err
	}
	return 0, kernel.ErrKeepRegisters
}

// RtSigpending implements rt_sigpending(2).
func RtSigpending(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	if a[1] > sizeofSigset {
		return 0, unix.EINVAL
	}
	var b [8]byte
	le.PutUint64(b[:], uint64(t.Pending()&t.SignalMask()))
	return 0, t.CopyOut(a[0], b[:a[1]])
}

// RtSigsuspend implements rt_sigsuspend(2): wait with mask until a handler
// runs; the frame restores the old mask.
func RtSigsuspend(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	if a[1] != sizeofSigset {
		return 0, unix.EINVAL
	}
	v, err := copyInUint64(t, a[0])
	if err != nil {
		return 0, err
	}
	t.SetSavedMask(linux.SignalSet(v))
	t.Block(nil, zeroTime)
	return 0, linux.ERESTARTNOHAND
}

// Pause implements pause(2).
func Pause(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	t.Block(nil, zeroTime)
	return 0, linux.ERESTARTNOHAND
}

// Sigaltstack implements sigaltstack(2).
func Sigaltstack(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	old := t.AltStack()
	if a[0] != 0 {
		var b [linux.SizeofSignalStack]byte
		if err := t.CopyIn(a[0], b[:]); err != nil {
			return 0, err
		}
		var st linux.SignalStack
		st.Unmarshal(b[:])
		if err := t.SetAltStack(st); err != nil {
			return 0, err
		}
	}
	if a[1] != 0 {
		var b [linux.SizeofSignalStack]byte
		old.Marshal(b[:])
		if err := t.CopyOut(a[1], b[:]); err != nil {
			return 0, err
		}
	}
	return 0, nil
}

// userInfo is the siginfo of a signal sent by kill, tkill or tgkill.
func userInfo(t *kernel.Task, sig linux.Signal, code int32) *linux.SignalInfo {
	info := &linux.SignalInfo{Signo: int32(sig), Code: code}
	info.SetPID(t.TGID())
	info.SetUID(t.Creds().RealUID)
	return info
}

// mayKill reports whether t may signal a process owned by target's
// credentials (kill(2)'s permission rule).
func mayKill(t *kernel.Task, target *kernel.Task) bool {
	c, tc := t.Creds(), target.Creds()
	if c.HasCap(5) { // CAP_KILL
		return true
	}
	return c.EffectiveUID == tc.RealUID || c.EffectiveUID == tc.SavedUID ||
		c.RealUID == tc.RealUID || c.RealUID == tc.SavedUID
}

// Kill implements kill(2).
func Kill(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	pid, sig := int32(a[0]), linux.Signal(a[1])
	if sig != 0 && !sig.Valid() {
		return 0, unix.EINVAL
	}
	var targets []*kernel.ThreadGroup
	switch {
	case pid > 0:
		tg := t.Kernel().GroupByTGID(pid)
		if tg == nil {
			return 0, unix.ESRCH
		}
		targets = []*kernel.ThreadGroup{tg}
	case pid == -1:
		for _, tg := range t.Kernel().Groups() {
			if tg.TGID() != 1 && tg != t.ThreadGroup() {
				targets = append(targets, tg)
			}
		}
		if len(targets) == 0 {
			return 0, unix.ESRCH
		}
	default:
		pgid := -pid
		if pid == 0 {
			pgid = t.ThreadGroup().PGID()
		}
		targets = t.Kernel().GroupsInPGID(pgid)
		if len(targets) == 0 {
			return 0, unix.ESRCH
		}
	}
	sent := false
	var lastErr error = unix.EPERM
	for _, tg := range targets {
		leader := tg.Leader()
		if leader == nil || !mayKill(t, leader) {
			continue
		}
		sent = true
		if sig == 0 {
			continue
		}
		if err := tg.SendSignal(userInfo(t, sig, linux.SI_USER)); err != nil {
			lastErr = err
			sent = false
		}
	}
	if !sent {
		return 0, lastErr
	}
	return 0, nil
}

// Tkill implements tkill(2).
func Tkill(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	return 0, tgkill(t, 0, int32(a[0]), linux.Signal(a[1]))
}

// Tgkill implements tgkill(2).
func Tgkill(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	if int32(a[0]) <= 0 {
		return 0, unix.EINVAL
	}
	return 0, tgkill(t, int32(a[0]), int32(a[1]), linux.Signal(a[2]))
}

func tgkill(t *kernel.Task, tgid, tid int32, sig linux.Signal) error {
	if tid <= 0 || sig != 0 && !sig.Valid() {
		return unix.EINVAL
	}
	target := t.Kernel().TaskByTID(tid)
	if target == nil || tgid != 0 && target.TGID() != tgid {
		return unix.ESRCH
	}
	if !mayKill(t, target) {
		return unix.EPERM
	}
	if sig == 0 {
		return nil
	}
	return target.SendSignal(userInfo(t, sig, linux.SI_TKILL))
}
