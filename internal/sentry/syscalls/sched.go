package syscalls

import (
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/auth"
	"github.com/moat-sandbox/moat/internal/sentry/kernel"
)

// Scheduling: policies, priorities, nice values, affinity. They are
// recorded per task with Linux's rules and reported back; the host
// threads behind the application keep the scheduling the platform gave
// them.

func init() {
	const recorded = "recorded and reported, not applied to the host thread"
	register(map[uintptr]Syscall{
		unix.SYS_SCHED_SETAFFINITY: {Handler: SchedSetaffinity, Status: Partial, Args: []Arg{AInt, AUint, APtr},
			Note: "the mask is checked and recorded, not applied, and sched_getaffinity does not report it"},
		unix.SYS_SCHED_SETSCHEDULER:     {Handler: SchedSetscheduler, Status: Partial, Note: recorded, Args: []Arg{AInt, AInt, APtr}},
		unix.SYS_SCHED_GETSCHEDULER:     {Handler: SchedGetscheduler, Args: []Arg{AInt}},
		unix.SYS_SCHED_SETPARAM:         {Handler: SchedSetparam, Status: Partial, Note: recorded, Args: []Arg{AInt, APtr}},
		unix.SYS_SCHED_GETPARAM:         {Handler: SchedGetparam, Args: []Arg{AInt, APtr}},
		unix.SYS_SCHED_GET_PRIORITY_MAX: {Handler: SchedGetPriorityMax, Args: []Arg{AInt}},
		unix.SYS_SCHED_GET_PRIORITY_MIN: {Handler: SchedGetPriorityMin, Args: []Arg{AInt}},
		unix.SYS_SCHED_RR_GET_INTERVAL:  {Handler: SchedRRGetInterval, Args: []Arg{AInt, APtr}},
		unix.SYS_GETPRIORITY:            {Handler: Getpriority, Args: []Arg{AInt, AInt}},
		unix.SYS_SETPRIORITY:            {Handler: Setpriority, Status: Partial, Note: recorded, Args: []Arg{AInt, AInt, AInt}},
		unix.SYS_GETCPU: {Handler: Getcpu, Status: Partial, Args: []Arg{APtr, APtr, APtr},
			Note: "the CPU and node of the Sentry thread serving the caller"},
	})
}

// Nice values (setpriority(2)).
const (
	minNice = -20
	maxNice = 19
	// maxRTPriority is the highest SCHED_FIFO and SCHED_RR priority.
	maxRTPriority = 99
	// schedExt is SCHED_EXT: Linux knows its priority range (0) even
	// where it cannot be set, as here.
	schedExt = 7
)

// schedTarget is the task pid names for the sched_* calls and
// PRIO_PROCESS: a thread ID, 0 for the caller.
func schedTarget(t *kernel.Task, pid int32) (*kernel.Task, error) {
	if pid == 0 {
		return t, nil
	}
	if u := t.Kernel().TaskByTID(pid); u != nil {
		return u, nil
	}
	return nil, unix.ESRCH
}

// sameOwner reports whether credentials c may change the scheduling of a
// task with credentials tc without CAP_SYS_NICE.
func sameOwner(c, tc *auth.Credentials) bool {
	return c.EffectiveUID == tc.EffectiveUID || c.EffectiveUID == tc.RealUID
}

// niceAllowed reports whether RLIMIT_NICE lets u take nice value n
// without CAP_SYS_NICE.
func niceAllowed(u *kernel.Task, n int32) bool {
	return uint64(20-n) <= u.ThreadGroup().Limits().Cur(unix.RLIMIT_NICE)
}

// sandboxCPUs are the CPUs the sandbox may use: the Sentry's affinity as
// the process started, before the platform pinned any of its threads to
// one CPU.
var sandboxCPUs = func() unix.CPUSet {
	var set unix.CPUSet
	if unix.SchedGetaffinity(0, &set) != nil {
		for i := range set {
			set[i] = ^set[i]
		}
	}
	return set
}()

// SchedSetaffinity implements sched_setaffinity(2). Any non-empty subset
// of the CPUs the sandbox may use is accepted and recorded in the task's
// attributes (TaskAttrs.Affinity, masked with sandboxCPUs); the host
// thread stays where the platform put it; sched_getaffinity reports the
// record.
func SchedSetaffinity(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	pid, size, addr := int32(a[0]), uint32(a[1]), a[2]
	n := (hostNrCPUIDs() + 63) / 64 // longs in a mask
	b := make([]byte, 8*n)
	if int(size) < len(b) {
		b = b[:size]
	}
	if err := t.CopyIn(addr, b); err != nil {
		return 0, err
	}
	target, err := schedTarget(t, pid)
	if err != nil {
		return 0, err
	}
	if c := t.Creds(); !sameOwner(c, target.Creds()) && !c.HasCap(capSysNice) {
		return 0, unix.EPERM
	}
	allowed := sandboxCPUs
	mask := make([]uint64, n)
	any := false
	for i := range mask {
		var w [8]byte
		copy(w[:], b[min(len(b), 8*i):])
		if i < len(allowed) {
			mask[i] = le.Uint64(w[:]) & uint64(allowed[i])
		}
		any = any || mask[i] != 0
	}
	if !any {
		return 0, unix.EINVAL
	}
	return 0, t.UpdateAttrs(target, func(at *kernel.TaskAttrs) error {
		at.Affinity = mask
		return nil
	})
}

// SchedSetscheduler implements sched_setscheduler(2).
func SchedSetscheduler(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	policy := int32(a[1])
	if policy < 0 {
		return 0, unix.EINVAL
	}
	return 0, setScheduler(t, int32(a[0]), policy, a[2])
}

// SchedSetparam implements sched_setparam(2).
func SchedSetparam(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	return 0, setScheduler(t, int32(a[0]), -1, a[1])
}

// setScheduler sets the policy (-1: keep it) and real-time priority of
// the task pid names, with the checks of sched(7): SCHED_FIFO and
// SCHED_RR take priorities 1 to 99, the others 0; without CAP_SYS_NICE a
// task may only act on its own user's tasks, enter a real-time policy
// or raise its priority within RLIMIT_RTPRIO, leave SCHED_IDLE within
// RLIMIT_NICE, and never drop SCHED_RESET_ON_FORK.
func setScheduler(t *kernel.Task, pid, policy int32, addr uintptr) error {
	if addr == 0 || pid < 0 {
		return unix.EINVAL
	}
	prio, err := copyInInt32(t, addr) // struct sched_param
	if err != nil {
		return err
	}
	target, err := schedTarget(t, pid)
	if err != nil {
		return err
	}
	c := t.Creds()
	return t.UpdateAttrs(target, func(at *kernel.TaskAttrs) error {
		p, reset := policy, at.ResetOnFork
		if p < 0 {
			p = at.Policy
		} else {
			reset = p&kernel.SchedResetOnFork != 0
			p &^= kernel.SchedResetOnFork
			switch p {
			case kernel.SchedOther, kernel.SchedBatch, kernel.SchedIdle,
				kernel.SchedFIFO, kernel.SchedRR, kernel.SchedDeadline:
			default:
				return unix.EINVAL
			}
		}
		// SCHED_DEADLINE needs sched_setattr's parameters.
		if uint32(prio) > maxRTPriority || p == kernel.SchedDeadline || isRealtime(p) != (prio != 0) {
			return unix.EINVAL
		}
		if !c.HasCap(capSysNice) {
			rtLimit := target.ThreadGroup().Limits().Cur(unix.RLIMIT_RTPRIO)
			switch {
			case isRealtime(p) && p != at.Policy && rtLimit == 0,
				isRealtime(p) && prio > at.RTPriority && uint64(prio) > rtLimit,
				at.Policy == kernel.SchedIdle && p != kernel.SchedIdle && !niceAllowed(target, at.Nice),
				!sameOwner(c, target.Creds()),
				at.ResetOnFork && !reset:
				return unix.EPERM
			}
		}
		at.Policy, at.RTPriority, at.ResetOnFork = p, prio, reset
		// Real-time tasks have no timer slack; it comes back with a
		// normal policy.
		if isRealtime(p) {
			at.TimerSlack = 0
		} else if at.TimerSlack == 0 {
			at.TimerSlack = at.DefaultTimerSlack
		}
		return nil
	})
}

// SchedGetscheduler implements sched_getscheduler(2).
func SchedGetscheduler(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	pid := int32(a[0])
	if pid < 0 {
		return 0, unix.EINVAL
	}
	target, err := schedTarget(t, pid)
	if err != nil {
		return 0, err
	}
	at := t.AttrsOf(target)
	p := at.Policy
	if at.ResetOnFork {
		p |= kernel.SchedResetOnFork
	}
	return uintptr(p), nil
}

// SchedGetparam implements sched_getparam(2).
func SchedGetparam(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	pid, addr := int32(a[0]), a[1]
	if addr == 0 || pid < 0 {
		return 0, unix.EINVAL
	}
	target, err := schedTarget(t, pid)
	if err != nil {
		return 0, err
	}
	at := t.AttrsOf(target)
	var prio int32
	if isRealtime(at.Policy) {
		prio = at.RTPriority
	}
	return 0, copyOutInt32(t, addr, prio)
}

// SchedGetPriorityMax implements sched_get_priority_max(2).
func SchedGetPriorityMax(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	switch int32(a[0]) {
	case kernel.SchedFIFO, kernel.SchedRR:
		return maxRTPriority, nil
	case kernel.SchedOther, kernel.SchedBatch, kernel.SchedIdle, kernel.SchedDeadline, schedExt:
		return 0, nil
	}
	return 0, unix.EINVAL
}

// SchedGetPriorityMin implements sched_get_priority_min(2).
func SchedGetPriorityMin(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	switch int32(a[0]) {
	case kernel.SchedFIFO, kernel.SchedRR:
		return 1, nil
	case kernel.SchedOther, kernel.SchedBatch, kernel.SchedIdle, kernel.SchedDeadline, schedExt:
		return 0, nil
	}
	return 0, unix.EINVAL
}

// rrTimeslice is the host's SCHED_RR quantum
// (/proc/sys/kernel/sched_rr_timeslice_ms).
var rrTimeslice = sync.OnceValue(func() time.Duration {
	b, err := os.ReadFile("/proc/sys/kernel/sched_rr_timeslice_ms")
	if err == nil {
		if ms, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && ms > 0 {
			return time.Duration(ms) * time.Millisecond
		}
	}
	return 100 * time.Millisecond
})

// SchedRRGetInterval implements sched_rr_get_interval(2): the host's
// quantum for the task's policy (SCHED_FIFO has none; the normal policies
// get what the host tells the Sentry's own, normal, thread).
func SchedRRGetInterval(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	pid, addr := int32(a[0]), a[1]
	if pid < 0 {
		return 0, unix.EINVAL
	}
	target, err := schedTarget(t, pid)
	if err != nil {
		return 0, err
	}
	var ts unix.Timespec
	switch t.AttrsOf(target).Policy {
	case kernel.SchedFIFO:
	case kernel.SchedRR:
		ts = unix.NsecToTimespec(int64(rrTimeslice()))
	default:
		if _, _, e := unix.RawSyscall(unix.SYS_SCHED_RR_GET_INTERVAL, 0, uintptr(unsafePointer(&ts)), 0); e != 0 {
			ts = unix.Timespec{}
		}
	}
	return 0, copyOutTimespec(t, addr, ts)
}

// prioTasks returns the tasks which and who name for getpriority(2) and
// setpriority(2).
func prioTasks(t *kernel.Task, which, who int32) ([]*kernel.Task, error) {
	k := t.Kernel()
	switch which {
	case unix.PRIO_PROCESS:
		if who == 0 {
			return []*kernel.Task{t}, nil
		}
		if u := k.TaskByTID(who); u != nil {
			return []*kernel.Task{u}, nil
		}
		return nil, nil
	case unix.PRIO_PGRP:
		pgid := who
		if pgid == 0 {
			pgid = t.ThreadGroup().PGID()
		}
		var out []*kernel.Task
		for _, tg := range k.GroupsInPGID(pgid) {
			out = append(out, tg.Tasks()...)
		}
		return out, nil
	case unix.PRIO_USER:
		uid := uint32(who)
		if who == 0 {
			uid = t.Creds().RealUID
		}
		var out []*kernel.Task
		for _, tg := range k.Groups() {
			for _, u := range tg.Tasks() {
				if u.Creds().RealUID == uid {
					out = append(out, u)
				}
			}
		}
		return out, nil
	}
	return nil, unix.EINVAL
}

// Getpriority implements getpriority(2). The system call returns 20 minus
// the lowest nice value among the tasks named (so never a negative
// number); the C library converts.
func Getpriority(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	tasks, err := prioTasks(t, int32(a[0]), int32(a[1]))
	if err != nil {
		return 0, err
	}
	if len(tasks) == 0 {
		return 0, unix.ESRCH
	}
	best := int32(0)
	for _, u := range tasks {
		best = max(best, 20-t.AttrsOf(u).Nice)
	}
	return uintptr(best), nil
}

// Setpriority implements setpriority(2): the nice value, clamped to -20..19,
// of every task named. Another user's tasks need CAP_SYS_NICE (EPERM);
// lowering a task's nice value beyond RLIMIT_NICE does too (EACCES).
func Setpriority(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	which, who, nice := int32(a[0]), int32(a[1]), int32(a[2])
	tasks, err := prioTasks(t, which, who)
	if err != nil {
		return 0, err
	}
	nice = max(minNice, min(maxNice, nice))
	c := t.Creds()
	err = unix.ESRCH
	for _, u := range tasks {
		uerr := t.UpdateAttrs(u, func(at *kernel.TaskAttrs) error {
			if tc := u.Creds(); tc.RealUID != c.EffectiveUID && tc.EffectiveUID != c.EffectiveUID && !c.HasCap(capSysNice) {
				return unix.EPERM
			}
			if nice < at.Nice && !niceAllowed(u, nice) && !c.HasCap(capSysNice) {
				return unix.EACCES
			}
			at.Nice = nice
			return nil
		})
		switch {
		case uerr != nil:
			err = uerr
		case err == unix.ESRCH:
			err = nil
		}
	}
	return 0, err
}

// Getcpu implements getcpu(2) with the CPU and node the Sentry's thread
// for the caller is on; the cache argument is unused, as in Linux.
func Getcpu(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	var cpu, node uint32
	if _, _, e := unix.RawSyscall(unix.SYS_GETCPU, uintptr(unsafePointer(&cpu)), uintptr(unsafePointer(&node)), 0); e != 0 {
		cpu, node = 0, 0
	}
	if a[0] != 0 {
		if err := copyOutInt32(t, a[0], int32(cpu)); err != nil {
			return 0, err
		}
	}
	if a[1] != 0 {
		if err := copyOutInt32(t, a[1], int32(node)); err != nil {
			return 0, err
		}
	}
	return 0, nil
}
