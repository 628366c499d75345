package kernel

import (
	"time"

	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/linux"
	"github.com/moat-sandbox/moat/internal/sentry/waiter"
)

// processTree is a thread group's place among processes: parent, children,
// process group and session, and what its parent may wait for. Every field
// is guarded by Kernel.mu.
type processTree struct {
	parent   *ThreadGroup // nil for init
	children map[*ThreadGroup]struct{}
	// exitSignal is sent to the parent when the group dies (SIGCHLD, or what
	// clone's low byte said; 0 for none).
	exitSignal linux.Signal
	pgid, sid  int32
	// zombie: every task has exited, the parent has not reaped the group.
	zombie bool
	// stopped and continued are job-control events the parent has not
	// waited for (WUNTRACED, WCONTINUED); stopSig is the stopping signal.
	stopped, continued bool
	stopSig            linux.Signal
	// childEvent is closed (and replaced) whenever a child changes state.
	childEvent chan struct{}
	subreaper  bool
	// deathSignal is sent to this group when its parent dies
	// (PR_SET_PDEATHSIG).
	deathSignal linux.Signal
	// vforkDone, when set, is closed once the group (a vfork child) execs
	// or exits: its parent waits for it.
	vforkDone chan struct{}
	// sharesProc: the group runs in its parent's host process (a
	// CLONE_VM child that has not exec'd yet).
	sharesProc bool
	// usage is the group's CPU use, taken as it died; childUsage sums the
	// usage of reaped children (and theirs), for RUSAGE_CHILDREN.
	usage, childUsage Usage
}

// notifyLocked wakes the group's waiters; k.mu must be held.
func (tg *ThreadGroup) notifyLocked() {
	if tg.tree.childEvent != nil {
		close(tg.tree.childEvent)
	}
	tg.tree.childEvent = make(chan struct{})
}

// ParentTGID is the parent's process ID in the sandbox, 0 for init.
func (tg *ThreadGroup) ParentTGID() int32 {
	tg.k.mu.Lock()
	defer tg.k.mu.Unlock()
	if tg.tree.parent == nil {
		return 0
	}
	return tg.tree.parent.tgid
}

// PGID and SID are the group's process group and session.
func (tg *ThreadGroup) PGID() int32 {
	tg.k.mu.Lock()
	defer tg.k.mu.Unlock()
	return tg.tree.pgid
}

func (tg *ThreadGroup) SID() int32 {
	tg.k.mu.Lock()
	defer tg.k.mu.Unlock()
	return tg.tree.sid
}

// SetDeathSignal sets PR_SET_PDEATHSIG; DeathSignal reads it.
func (tg *ThreadGroup) SetDeathSignal(s linux.Signal) {
	tg.k.mu.Lock()
	tg.tree.deathSignal = s
	tg.k.mu.Unlock()
}

func (tg *ThreadGroup) DeathSignal() linux.Signal {
	tg.k.mu.Lock()
	defer tg.k.mu.Unlock()
	return tg.tree.deathSignal
}

// SetSubreaper sets PR_SET_CHILD_SUBREAPER; Subreaper reads it.
func (tg *ThreadGroup) SetSubreaper(on bool) {
	tg.k.mu.Lock()
	tg.tree.subreaper = on
	tg.k.mu.Unlock()
}

func (tg *ThreadGroup) Subreaper() bool {
	tg.k.mu.Lock()
	defer tg.k.mu.Unlock()
	return tg.tree.subreaper
}

// Zombie reports whether the group has exited and awaits its parent.
func (tg *ThreadGroup) Zombie() bool {
	tg.k.mu.Lock()
	defer tg.k.mu.Unlock()
	return tg.tree.zombie
}

// ExitStatus is how the group ended (meaningful once it has).
func (tg *ThreadGroup) ExitStatus() ExitStatus {
	tg.mu.Lock()
	defer tg.mu.Unlock()
	return tg.exitStat
}

// childInfo is the siginfo of a SIGCHLD about tg.
func (tg *ThreadGroup) childInfo(code int32, status int32) *linux.SignalInfo {
	info := &linux.SignalInfo{Signo: int32(linux.SIGCHLD), Code: code}
	info.SetPID(tg.tgid)
	if l := tg.leader; l != nil {
		info.SetUID(l.Creds().RealUID)
	}
	info.SetStatus(status)
	return info
}

// exitInfo describes how tg ended for its parent: si_code and si_status.
func (tg *ThreadGroup) exitInfo() (int32, int32) {
	st := tg.exitStat
	switch {
	case st.Signal != 0 && st.Core:
		return linux.CLD_DUMPED, int32(st.Signal)
	case st.Signal != 0:
		return linux.CLD_KILLED, int32(st.Signal)
	}
	return linux.CLD_EXITED, int32(st.Code)
}

// groupExited is called once the last task of tg is gone: the group
// becomes a zombie for its parent (or is reaped at once), its children go
// to a reaper, and the death of init ends the sandbox.
func (k *Kernel) groupExited(tg *ThreadGroup) {
	close(tg.done)
	tg.exitQueue.Notify(waiter.ReadableEvents)
	k.mu.Lock()
	if tg.tree.vforkDone != nil {
		close(tg.tree.vforkDone)
		tg.tree.vforkDone = nil
	}
	isInit := tg == k.initTG
	// Orphans go to the nearest subreaper ancestor, else init.
	var reaper *ThreadGroup
	if !isInit {
		for a := tg.tree.parent; a != nil; a = a.tree.parent {
			if a.tree.subreaper && !a.tree.zombie {
				reaper = a
				break
			}
		}
		if reaper == nil {
			reaper = k.initTG
		}
	}
	type pendingSignal struct {
		to   *ThreadGroup
		info *linux.SignalInfo
	}
	var signals []pendingSignal
	for c := range tg.tree.children {
		if sig := c.tree.deathSignal; sig != 0 {
			signals = append(signals, pendingSignal{c, &linux.SignalInfo{Signo: int32(sig), Code: linux.SI_USER}})
		}
		c.tree.parent = reaper
		if reaper != nil {
			reaper.tree.children[c] = struct{}{}
			if c.tree.zombie {
				reaper.notifyLocked()
			}
		}
	}
	tg.tree.children = map[*ThreadGroup]struct{}{}
	tg.tree.zombie = true
	tg.mu.Lock()
	tg.tree.usage = tg.finalUsage
	tg.mu.Unlock()
	parent := tg.tree.parent
	if parent != nil {
		code, status := tg.exitInfo()
		parent.mu.Lock()
		act := parent.actions[linux.SIGCHLD-1]
		parent.mu.Unlock()
		autoreap := tg.tree.exitSignal == linux.SIGCHLD &&
			(act.Handler == linux.SIG_IGN || act.Flags&linux.SA_NOCLDWAIT != 0)
		if tg.tree.exitSignal != 0 {
			info := tg.childInfo(code, status)
			info.Signo = int32(tg.tree.exitSignal)
			signals = append(signals, pendingSignal{parent, info})
		}
		if autoreap {
			k.reapLocked(tg)
		}
		parent.notifyLocked()
	}
	var others []*ThreadGroup
	if isInit {
		for _, o := range k.groups {
			if o != tg {
				others = append(others, o)
			}
		}
	}
	k.mu.Unlock()
	// Signals go out without Kernel.mu: sending one may report a
	// continued child, which takes it.
	for _, p := range signals {
		p.to.SendSignal(p.info)
	}
	if tg.proc != nil && !tg.tree.sharesProc {
		tg.proc.Release()
	}
	if !isInit {
		return
	}
	// When init dies, the PID namespace dies with it.
	for _, o := range others {
		o.ExitGroup(ExitStatus{Signal: linux.SIGKILL})
	}
	for _, o := range others {
		<-o.done
	}
	k.initExit = tg.exitStat
	close(k.initDone)
}

// reapLocked forgets a zombie; k.mu must be held.
func (k *Kernel) reapLocked(tg *ThreadGroup) {
	tg.reaped.Store(true)
	if p := tg.tree.parent; p != nil {
		delete(p.tree.children, tg)
		cu := &p.tree.childUsage
		cu.User += tg.tree.usage.User + tg.tree.childUsage.User
		cu.System += tg.tree.usage.System + tg.tree.childUsage.System
		cu.MaxRSS = max(cu.MaxRSS, tg.tree.usage.MaxRSS, tg.tree.childUsage.MaxRSS)
	}
	delete(k.groups, tg.tgid)
}

// WaitOpts select what wait4 and waitid wait for.
type WaitOpts struct {
	// PID > 0: that child; 0: any in the caller's process group; -1: any;
	// < -1: any in process group -PID.
	PID     int32
	Exited  bool // WEXITED
	Stopped bool // WSTOPPED (WUNTRACED)
	Cont    bool // WCONTINUED
	NoHang  bool // WNOHANG
	NoWait  bool // WNOWAIT: leave the child waitable
	All     bool // __WALL
	Clone   bool // __WCLONE
}

// WaitResult is what a wait found.
type WaitResult struct {
	PID    int32
	UID    uint32
	Code   int32  // CLD_*
	Status int32  // exit code or signal
	Wait   uint32 // the wait4 status word
	Usage  Usage  // the child's CPU use (and its children's), if it exited
}

// Wait implements the core of wait4 and waitid. It returns nil, nil with
// NoHang when no child is ready, ECHILD when none could ever be.
func (t *Task) Wait(o WaitOpts) (*WaitResult, error) {
	k := t.k
	for {
		k.mu.Lock()
		res, any := t.tryWaitLocked(o)
		if res != nil || !any {
			k.mu.Unlock()
			if !any {
				return nil, unix.ECHILD
			}
			return res, nil
		}
		if o.NoHang {
			k.mu.Unlock()
			return nil, nil
		}
		if t.tg.tree.childEvent == nil {
			t.tg.tree.childEvent = make(chan struct{})
		}
		ch := t.tg.tree.childEvent
		k.mu.Unlock()
		if err := t.Block(ch, zeroTime); err != nil {
			return nil, err
		}
	}
}

// tryWaitLocked looks for a child matching o that is ready; any reports
// whether some child matches at all.
func (t *Task) tryWaitLocked(o WaitOpts) (*WaitResult, bool) {
	tg := t.tg
	any := false
	for c := range tg.tree.children {
		if !t.waitMatches(c, o) {
			continue
		}
		any = true
		switch {
		case o.Exited && c.tree.zombie:
			code, status := c.exitInfo()
			res := &WaitResult{PID: c.tgid, Code: code, Status: status, Wait: c.exitStat.WaitStatus()}
			res.Usage = c.tree.usage
			res.Usage.User += c.tree.childUsage.User
			res.Usage.System += c.tree.childUsage.System
			if c.leader != nil {
				res.UID = c.leader.Creds().RealUID
			}
			if !o.NoWait {
				t.k.reapLocked(c)
			}
			return res, true
		case o.Stopped && c.tree.stopped:
			res := &WaitResult{PID: c.tgid, Code: linux.CLD_STOPPED, Status: int32(c.tree.stopSig),
				Wait: uint32(c.tree.stopSig)<<8 | 0x7f}
			if !o.NoWait {
				c.tree.stopped = false
			}
			return res, true
		case o.Cont && c.tree.continued:
			res := &WaitResult{PID: c.tgid, Code: linux.CLD_CONTINUED, Status: int32(linux.SIGCONT), Wait: 0xffff}
			if !o.NoWait {
				c.tree.continued = false
			}
			return res, true
		}
	}
	return nil, any
}

// waitMatches reports whether child c is one o selects.
func (t *Task) waitMatches(c *ThreadGroup, o WaitOpts) bool {
	switch {
	case o.PID > 0:
		if c.tgid != o.PID {
			return false
		}
	case o.PID == 0:
		if c.tree.pgid != t.tg.tree.pgid {
			return false
		}
	case o.PID < -1:
		if c.tree.pgid != -o.PID {
			return false
		}
	}
	if o.All {
		return true
	}
	// A "clone" child reports to its parent with a signal other than
	// SIGCHLD; __WCLONE waits for those only.
	isClone := c.tree.exitSignal != linux.SIGCHLD
	return isClone == o.Clone
}

// reportStop tells the parent the group stopped (or continued), for
// WUNTRACED/WCONTINUED and SIGCHLD unless the parent set SA_NOCLDSTOP.
func (tg *ThreadGroup) reportStop(stopped bool, sig linux.Signal) {
	k := tg.k
	k.mu.Lock()
	defer k.mu.Unlock()
	if stopped {
		tg.tree.stopped, tg.tree.continued, tg.tree.stopSig = true, false, sig
	} else {
		tg.tree.stopped, tg.tree.continued = false, true
	}
	parent := tg.tree.parent
	if parent == nil {
		return
	}
	parent.mu.Lock()
	act := parent.actions[linux.SIGCHLD-1]
	parent.mu.Unlock()
	parent.notifyLocked()
	if act.Flags&linux.SA_NOCLDSTOP == 0 {
		code, status := int32(linux.CLD_STOPPED), int32(sig)
		if !stopped {
			code, status = linux.CLD_CONTINUED, int32(linux.SIGCONT)
		}
		info := tg.childInfo(code, status)
		k.mu.Unlock()
		parent.SendSignal(info)
		k.mu.Lock()
	}
}

// Setpgid implements setpgid(2) for the group with ID pid (0: the caller).
func (t *Task) Setpgid(pid, pgid int32) error {
	k := t.k
	k.mu.Lock()
	defer k.mu.Unlock()
	if pid < 0 || pgid < 0 {
		return unix.EINVAL
	}
	target := t.tg
	if pid != 0 && pid != t.tg.tgid {
		target = k.groups[pid]
		if target == nil || target.tree.parent != t.tg {
			return unix.ESRCH
		}
		if target.tree.sid != t.tg.tree.sid {
			return unix.EPERM
		}
		if target.execed {
			return unix.EACCES
		}
	}
	if target.tree.sid == target.tgid {
		return unix.EPERM // a session leader
	}
	if pgid == 0 {
		pgid = target.tgid
	}
	if pgid != target.tgid {
		// Joining a group: it must exist in the same session.
		found := false
		for _, g := range k.groups {
			if g.tree.pgid == pgid && g.tree.sid == target.tree.sid && !g.tree.zombie {
				found = true
				break
			}
		}
		if !found {
			return unix.EPERM
		}
	}
	target.tree.pgid = pgid
	return nil
}

// Setsid implements setsid(2).
func (t *Task) Setsid() (int32, error) {
	k := t.k
	k.mu.Lock()
	defer k.mu.Unlock()
	tg := t.tg
	for _, g := range k.groups {
		if g.tree.pgid == tg.tgid {
			return 0, unix.EPERM // already a process group leader
		}
	}
	tg.tree.sid, tg.tree.pgid = tg.tgid, tg.tgid
	return tg.tgid, nil
}

// GroupsInPGID returns the live groups of process group pgid.
func (k *Kernel) GroupsInPGID(pgid int32) []*ThreadGroup {
	k.mu.Lock()
	defer k.mu.Unlock()
	var out []*ThreadGroup
	for _, g := range k.groups {
		if g.tree.pgid == pgid && !g.tree.zombie {
			out = append(out, g)
		}
	}
	return out
}

var zeroTime time.Time
