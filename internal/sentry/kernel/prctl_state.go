package kernel

import (
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"weak"

	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/auth"
	"github.com/moat-sandbox/moat/internal/sentry/loader"
)

// TaskAttrs are the attributes of a task that Linux keeps in its
// task_struct, cred and mm_struct and that no other part of this kernel
// models: securebits, no_new_privs, dumpability, scheduling policy and
// nice value, timer slack, the stored CPU affinity. They only change what
// the application is told; the host thread runs as the platform set it up.
//
// They live in a side table, not in Task. A task's attributes travel with
// its credentials object: clone gives the child the parent's credentials
// pointer, so a child finds the attributes its parent had when it was
// cloned, and every change files new attributes under a fresh copy of the
// credentials (credentials are immutable once shared, so the copy is what
// a change would make anyway). A second index by task keeps a task's own
// attributes when code elsewhere replaces its credentials.
//
// The first time a task is looked up without an entry of its own but with
// its parent's, it is a clone child and fork's rules are applied then
// (SCHED_RESET_ON_FORK, the default timer slack); the result is the same
// as applying them at the clone. An execve is noticed the same way: the
// task's Program has changed since its attributes were last filed.
type TaskAttrs struct {
	// Securebits are the SECBIT_* flags (PR_SET_SECUREBITS), a credential
	// attribute in Linux.
	Securebits uint32
	// NoNewPrivs is PR_SET_NO_NEW_PRIVS: inherited and never cleared.
	NoNewPrivs bool
	// Dumpable is PR_GET_DUMPABLE's value, shared by the process.
	Dumpable int32
	// THPDisable is PR_GET_THP_DISABLE's value, shared by the process.
	THPDisable int32
	// TimerSlack is PR_GET_TIMERSLACK's value in nanoseconds;
	// DefaultTimerSlack is what PR_SET_TIMERSLACK(0) restores.
	TimerSlack, DefaultTimerSlack uint64
	// MCEKill is PR_MCE_KILL_GET's value.
	MCEKill int32
	// Nice is the nice value, -20 to 19.
	Nice int32
	// Policy is the scheduling policy (SCHED_OTHER...), RTPriority the
	// real-time priority (1 to 99 for SCHED_FIFO and SCHED_RR, else 0),
	// ResetOnFork the SCHED_RESET_ON_FORK flag.
	Policy      int32
	RTPriority  int32
	ResetOnFork bool
	// Affinity is the CPU mask sched_setaffinity stored, one bit per CPU,
	// or nil for every CPU. Copies share it: replace it, never modify it.
	Affinity []uint64

	// program is the image the task ran when the attributes were filed;
	// weak, so that a stale record keeps no old image alive.
	program weak.Pointer[loader.Program]
}

// Scheduling policies (sched(7)).
const (
	SchedOther    = 0
	SchedFIFO     = 1
	SchedRR       = 2
	SchedBatch    = 3
	SchedIdle     = 5
	SchedDeadline = 6
	// SchedResetOnFork is or'ed into a policy by sched_setscheduler(2).
	SchedResetOnFork = 0x40000000
)

// SecbitKeepCaps is SECBIT_KEEP_CAPS: PR_SET_KEEPCAPS's bit, cleared by
// execve.
const SecbitKeepCaps = 1 << 4

// DefaultTimerSlack is Linux's initial timer slack, 50 µs.
const DefaultTimerSlack = 50000

// attrs is the side table. Entries are dropped when their key is
// collected. attrsMu is taken with no other kernel lock held.
var (
	attrsMu sync.Mutex
	byTask  = map[weak.Pointer[Task]]*attrsEntry{}
	byCreds = map[weak.Pointer[auth.Credentials]]TaskAttrs{}
)

// attrsEntry is a task's own attributes and the credentials they were
// filed under.
type attrsEntry struct {
	attrs TaskAttrs
	creds *auth.Credentials
}

// hostDefaults are the attributes the sandbox's first process starts
// with: the Sentry's own nice value, policy and timer slack, which it
// inherited from whoever started moat, as a natively started program
// would.
var hostDefaults = sync.OnceValue(func() TaskAttrs {
	a := TaskAttrs{Dumpable: 1, TimerSlack: DefaultTimerSlack, DefaultTimerSlack: DefaultTimerSlack, MCEKill: 2}
	if prio, err := unix.Getpriority(unix.PRIO_PROCESS, 0); err == nil {
		// The raw system call returns 20-nice; x/sys/unix does not convert.
		if n := 20 - prio; n >= -20 && n <= 19 {
			a.Nice = int32(n)
		}
	}
	if p, _, e := unix.RawSyscall(unix.SYS_SCHED_GETSCHEDULER, 0, 0, 0); e == 0 {
		if p&^SchedResetOnFork == SchedBatch || p&^SchedResetOnFork == SchedIdle {
			a.Policy = int32(p &^ SchedResetOnFork)
		}
	}
	if s, err := unix.PrctlRetInt(unix.PR_GET_TIMERSLACK, 0, 0, 0, 0); err == nil && s > 0 {
		a.TimerSlack, a.DefaultTimerSlack = uint64(s), uint64(s)
	}
	return a
})

// SuidDumpable is the host's /proc/sys/fs/suid_dumpable: the dumpability
// a process gets when its credentials change.
var SuidDumpable = sync.OnceValue(func() int32 {
	b, err := os.ReadFile("/proc/sys/fs/suid_dumpable")
	if err != nil {
		return 0
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || n < 0 || n > 2 {
		return 0
	}
	return int32(n)
})

// lookupAttrsLocked returns u's attributes; attrsMu is held and t is the
// calling task. An execve is noticed by the task itself, the next time it
// looks up its own attributes.
func (t *Task) lookupAttrsLocked(u *Task) TaskAttrs {
	c := u.Creds()
	var a TaskAttrs
	if e := byTask[weak.Make(u)]; e != nil {
		a = e.attrs
		if e.creds != c {
			// Someone replaced u's credentials: file u's attributes under
			// them too, for u's future children.
			fileCredsLocked(c, a)
			e.creds = c
		}
	} else if pa, ok := byCreds[weak.Make(c)]; ok {
		// A clone child: its own copy of the credentials carries the
		// attributes fork's rules gave it, for its own children.
		a = forked(pa)
		c = c.Copy()
		u.SetCreds(c)
		setTaskLocked(u, c, a)
		fileCredsLocked(c, a)
	} else {
		a = hostDefaults()
		if u == t {
			a.program = weak.Make(t.Program())
		}
		setTaskLocked(u, c, a)
	}
	if cur := weak.Make(t.Program()); u == t && a.program != cur {
		if a.program != (weak.Pointer[loader.Program]{}) {
			a = execed(a, c)
		}
		a.program = cur
		setTaskLocked(u, c, a)
		fileCredsLocked(c, a)
	}
	return a
}

// forked applies fork's rules to the attributes a child inherits.
func forked(a TaskAttrs) TaskAttrs {
	a.DefaultTimerSlack = a.TimerSlack
	if a.ResetOnFork {
		if a.Policy == SchedFIFO || a.Policy == SchedRR || a.Policy == SchedDeadline {
			a.Policy, a.RTPriority, a.Nice = SchedOther, 0, 0
		} else if a.Nice < 0 {
			a.Nice = 0
		}
		a.ResetOnFork = false
	}
	return a
}

// execed applies execve's rules: SECBIT_KEEP_CAPS is cleared and the new
// image is dumpable unless the process runs with differing real and
// effective IDs.
func execed(a TaskAttrs, c *auth.Credentials) TaskAttrs {
	a.Securebits &^= SecbitKeepCaps
	if c.EffectiveUID != c.RealUID || c.EffectiveGID != c.RealGID {
		a.Dumpable = SuidDumpable()
	} else {
		a.Dumpable = 1
	}
	return a
}

func setTaskLocked(u *Task, c *auth.Credentials, a TaskAttrs) {
	k := weak.Make(u)
	e := byTask[k]
	if e == nil {
		e = &attrsEntry{}
		byTask[k] = e
		runtime.AddCleanup(u, func(k weak.Pointer[Task]) {
			attrsMu.Lock()
			delete(byTask, k)
			attrsMu.Unlock()
		}, k)
	}
	e.attrs, e.creds = a, c
}

func fileCredsLocked(c *auth.Credentials, a TaskAttrs) {
	k := weak.Make(c)
	if _, ok := byCreds[k]; !ok {
		runtime.AddCleanup(c, func(k weak.Pointer[auth.Credentials]) {
			attrsMu.Lock()
			delete(byCreds, k)
			attrsMu.Unlock()
		}, k)
	}
	byCreds[k] = a
}

// Attrs returns the calling task's attributes.
func (t *Task) Attrs() TaskAttrs { return t.AttrsOf(t) }

// AttrsOf returns u's attributes as the calling task t sees them.
func (t *Task) AttrsOf(u *Task) TaskAttrs {
	attrsMu.Lock()
	defer attrsMu.Unlock()
	return t.lookupAttrsLocked(u)
}

// UpdateCreds changes u's credentials and attributes together, t being
// the calling task: f gets copies of both and, if it returns nil, they
// become u's. Credential changes and attribute changes made through here
// are serialised.
func (t *Task) UpdateCreds(u *Task, f func(c *auth.Credentials, a *TaskAttrs) error) error {
	attrsMu.Lock()
	defer attrsMu.Unlock()
	a := t.lookupAttrsLocked(u)
	c := u.Creds().Copy()
	if err := f(c, &a); err != nil {
		return err
	}
	u.SetCreds(c)
	setTaskLocked(u, c, a)
	fileCredsLocked(c, a)
	return nil
}

// UpdateAttrs changes u's attributes, t being the calling task.
func (t *Task) UpdateAttrs(u *Task, f func(a *TaskAttrs) error) error {
	return t.UpdateCreds(u, func(_ *auth.Credentials, a *TaskAttrs) error { return f(a) })
}
