package kernel

import (
	"time"

	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/linux"
)

// sigQueue holds pending signals: standard signals at most once each, real
// time signals once per send, in order.
type sigQueue struct {
	set   linux.SignalSet
	infos [linux.NumSignals][]linux.SignalInfo
}

// maxQueuedRT bounds queued real-time signals per queue (RLIMIT_SIGPENDING
// is per user on Linux; this keeps one process from exhausting the Sentry).
const maxQueuedRT = 1 << 15

func (q *sigQueue) enqueue(info *linux.SignalInfo) bool {
	sig := linux.Signal(info.Signo)
	if q.set.Has(sig) && !sig.Realtime() {
		return false
	}
	if len(q.infos[sig-1]) >= maxQueuedRT {
		return false
	}
	q.infos[sig-1] = append(q.infos[sig-1], *info)
	q.set |= linux.SignalSetOf(sig)
	return true
}

// syncSignals are taken first: a fault must be handled before anything else.
const syncSignals = linux.SignalSet(1<<(linux.SIGSEGV-1) | 1<<(linux.SIGBUS-1) | 1<<(linux.SIGILL-1) |
	1<<(linux.SIGTRAP-1) | 1<<(linux.SIGFPE-1) | 1<<(linux.SIGSYS-1))

// dequeue removes the first pending signal not in mask.
func (q *sigQueue) dequeue(mask linux.SignalSet) (linux.SignalInfo, bool) {
	ready := q.set &^ mask
	if ready == 0 {
		return linux.SignalInfo{}, false
	}
	if ready&syncSignals != 0 {
		ready &= syncSignals
	}
	var sig linux.Signal
	for s := linux.Signal(1); s <= linux.SIGRTMAX; s++ {
		if ready.Has(s) {
			sig = s
			break
		}
	}
	return q.take(sig), true
}

func (q *sigQueue) take(sig linux.Signal) linux.SignalInfo {
	info := q.infos[sig-1][0]
	q.infos[sig-1] = q.infos[sig-1][1:]
	if len(q.infos[sig-1]) == 0 {
		q.infos[sig-1] = nil
		q.set &^= linux.SignalSetOf(sig)
	}
	return info
}

// discard drops every pending instance of the signals in set.
func (q *sigQueue) discard(set linux.SignalSet) {
	for s := linux.Signal(1); s <= linux.SIGRTMAX; s++ {
		if set.Has(s) && q.set.Has(s) {
			q.infos[s-1] = nil
			q.set &^= linux.SignalSetOf(s)
		}
	}
}

const stopSignals = linux.SignalSet(1<<(linux.SIGSTOP-1) | 1<<(linux.SIGTSTP-1) |
	1<<(linux.SIGTTIN-1) | 1<<(linux.SIGTTOU-1))

// SendSignal sends a process-directed signal (kill(2)). Kernel.mu must not
// be held.
func (tg *ThreadGroup) SendSignal(info *linux.SignalInfo) error {
	tg.mu.Lock()
	err := tg.sendLocked(info, nil)
	tg.mu.Unlock()
	tg.flushReports()
	return err
}

// SendSignal sends a thread-directed signal (tgkill(2)).
func (t *Task) SendSignal(info *linux.SignalInfo) error {
	t.tg.mu.Lock()
	err := t.tg.sendLocked(info, t)
	t.tg.mu.Unlock()
	t.tg.flushReports()
	return err
}

// flushReports tells the parent about a continue that sendLocked saw.
func (tg *ThreadGroup) flushReports() {
	tg.mu.Lock()
	cont := tg.reportCont
	tg.reportCont = false
	tg.mu.Unlock()
	if cont {
		tg.reportStop(false, linux.SIGCONT)
	}
}

// ignoredLocked reports whether sig would be ignored on delivery.
func (tg *ThreadGroup) ignoredLocked(sig linux.Signal) bool {
	switch tg.actions[sig-1].Handler {
	case linux.SIG_IGN:
		return true
	case linux.SIG_DFL:
		d := sig.Default()
		return d == linux.ActIgnore || d == linux.ActContinue
	}
	return false
}

// sendLocked queues info for the group (target nil) or one task, and wakes
// a task that can take it. tg.mu must be held.
func (tg *ThreadGroup) sendLocked(info *linux.SignalInfo, target *Task) error {
	_, err := tg.queueLocked(info, target)
	return err
}

// queueLocked is sendLocked, also reporting whether the signal was queued
// (not dropped as ignored or already pending).
func (tg *ThreadGroup) queueLocked(info *linux.SignalInfo, target *Task) (bool, error) {
	sig := linux.Signal(info.Signo)
	if !sig.Valid() {
		return false, unix.EINVAL
	}
	if tg.exiting {
		return false, nil
	}
	switch {
	case sig == linux.SIGKILL:
		tg.startExitLocked(ExitStatus{Signal: linux.SIGKILL})
		return false, nil
	case sig == linux.SIGCONT:
		tg.pending.discard(stopSignals)
		for _, t := range tg.tasks {
			t.pending.discard(stopSignals)
		}
		if tg.stopped {
			tg.stopped = false
			close(tg.cont)
			tg.reportCont = true
		}
	case stopSignals.Has(sig):
		cont := linux.SignalSetOf(linux.SIGCONT)
		tg.pending.discard(cont)
		for _, t := range tg.tasks {
			t.pending.discard(cont)
		}
	}
	blockedBy := func(t *Task) bool { return t != nil && t.blocks(sig) }
	recipient := target
	if recipient == nil {
		recipient = tg.leader
	}
	if tg.ignoredLocked(sig) && !blockedBy(recipient) {
		return false, nil
	}
	q := &tg.pending
	if target != nil {
		q = &target.pending
	}
	if !q.enqueue(info) {
		if sig.Realtime() {
			return false, unix.EAGAIN
		}
		return false, nil // a standard signal already pending
	}
	notifySignalfds()
	if target != nil {
		if !target.blocks(sig) {
			target.interrupt()
		}
		return true, nil
	}
	// A process-directed signal goes to the leader if it can take it, else
	// to any thread that does not block it.
	if tg.leader != nil && !tg.leader.exiting && !tg.leader.blocks(sig) {
		tg.leader.interrupt()
		return true, nil
	}
	for _, t := range tg.tasks {
		if !t.exiting && !t.blocks(sig) {
			t.interrupt()
			return true, nil
		}
	}
	return true, nil
}

// blocks reports whether the task neither takes sig nor waits for it
// (rt_sigtimedwait); tg.mu must be held.
func (t *Task) blocks(sig linux.Signal) bool {
	return t.mask.Has(sig) && !t.sigWaiting.Has(sig)
}

// SigTimedWait implements rt_sigtimedwait(2): take a pending signal of set,
// or wait for one until the deadline (EAGAIN) or an unrelated signal
// (EINTR).
func (t *Task) SigTimedWait(set linux.SignalSet, deadline time.Time) (*linux.SignalInfo, error) {
	set &^= linux.Unblockable
	tg := t.tg
	take := func() (linux.SignalInfo, bool) {
		if info, ok := t.pending.dequeue(^set); ok {
			return info, true
		}
		return tg.pending.dequeue(^set)
	}
	tg.mu.Lock()
	if info, ok := take(); ok {
		tg.mu.Unlock()
		tg.timerDelivered(&info)
		return &info, nil
	}
	t.sigWaiting = set
	tg.mu.Unlock()
	err := t.Block(nil, deadline)
	tg.mu.Lock()
	t.sigWaiting = 0
	info, ok := take()
	tg.mu.Unlock()
	switch {
	case ok:
		tg.timerDelivered(&info)
		return &info, nil
	case err == unix.ETIMEDOUT:
		return nil, unix.EAGAIN
	}
	return nil, unix.EINTR
}

// forceSignal delivers a signal the task cannot block or ignore, as the
// kernel does for faults: a blocked or ignored one reverts to its default.
func (t *Task) forceSignal(info *linux.SignalInfo) {
	sig := linux.Signal(info.Signo)
	t.tg.mu.Lock()
	defer t.tg.mu.Unlock()
	act := &t.tg.actions[sig-1]
	if act.Handler == linux.SIG_IGN || t.mask.Has(sig) {
		act.Handler = linux.SIG_DFL
		t.mask &^= linux.SignalSetOf(sig)
	}
	t.pending.discard(linux.SignalSetOf(sig))
	t.pending.enqueue(info)
	t.interrupted.Store(true)
}

// SigAction returns and optionally replaces the action for sig
// (rt_sigaction(2)).
func (t *Task) SigAction(sig linux.Signal, act *linux.SigAction) (linux.SigAction, error) {
	if !sig.Valid() {
		return linux.SigAction{}, unix.EINVAL
	}
	tg := t.tg
	tg.mu.Lock()
	defer tg.mu.Unlock()
	old := tg.actions[sig-1]
	if act == nil {
		return old, nil
	}
	if sig == linux.SIGKILL || sig == linux.SIGSTOP {
		return old, unix.EINVAL
	}
	a := *act
	a.Mask &^= linux.Unblockable
	tg.actions[sig-1] = a
	// POSIX: setting a pending signal to be ignored discards it.
	if tg.ignoredLocked(sig) {
		set := linux.SignalSetOf(sig)
		tg.pending.discard(set)
		for _, x := range tg.tasks {
			x.pending.discard(set)
		}
	}
	return old, nil
}

// SignalMask returns the task's blocked signals.
func (t *Task) SignalMask() linux.SignalSet {
	t.tg.mu.Lock()
	defer t.tg.mu.Unlock()
	return t.mask
}

// SetSignalMask replaces the blocked set (SIGKILL and SIGSTOP stay
// unblocked), and wakes the task if that unblocked a pending signal.
func (t *Task) SetSignalMask(mask linux.SignalSet) {
	t.tg.mu.Lock()
	defer t.tg.mu.Unlock()
	t.setMaskLocked(mask)
}

func (t *Task) setMaskLocked(mask linux.SignalSet) {
	mask &^= linux.Unblockable
	unblocked := t.mask &^ mask
	newlyBlocked := mask &^ t.mask
	t.mask = mask
	if unblocked&(t.pending.set|t.tg.pending.set) != 0 {
		t.interrupted.Store(true)
	}
	// Process-directed signals this thread now blocks may be taken by
	// another thread.
	if newlyBlocked&t.tg.pending.set != 0 {
		for _, o := range t.tg.tasks {
			if o != t && t.tg.pending.set&^o.mask != 0 {
				o.interrupt()
			}
		}
	}
}

// SetSavedMask replaces the mask until the next signal handler runs
// (rt_sigsuspend, ppoll, pselect): the handler's frame records the old one.
func (t *Task) SetSavedMask(mask linux.SignalSet) {
	t.tg.mu.Lock()
	defer t.tg.mu.Unlock()
	t.savedMask = t.mask
	t.haveSavedMask = true
	t.setMaskLocked(mask)
}

// Pending returns the signals pending for the task or its process.
func (t *Task) Pending() linux.SignalSet {
	t.tg.mu.Lock()
	defer t.tg.mu.Unlock()
	return t.pending.set | t.tg.pending.set
}

// HasDeliverable reports whether a signal that is not blocked is pending.
func (t *Task) HasDeliverable() bool {
	t.tg.mu.Lock()
	defer t.tg.mu.Unlock()
	return (t.pending.set|t.tg.pending.set)&^t.mask != 0
}

// AltStack returns the signal stack.
func (t *Task) AltStack() linux.SignalStack {
	t.tg.mu.Lock()
	defer t.tg.mu.Unlock()
	st := t.altStack
	if st.Flags&linux.SS_DISABLE == 0 && st.Contains(t.th.Regs().Rsp) {
		st.Flags |= linux.SS_ONSTACK
	}
	return st
}

// SetAltStack implements sigaltstack(2)'s change.
func (t *Task) SetAltStack(st linux.SignalStack) error {
	t.tg.mu.Lock()
	defer t.tg.mu.Unlock()
	if t.altStack.Flags&linux.SS_DISABLE == 0 && t.altStack.Contains(t.th.Regs().Rsp) {
		return unix.EPERM
	}
	mode := st.Flags &^ linux.SS_AUTODISARM
	if mode != 0 && mode != linux.SS_ONSTACK && mode != linux.SS_DISABLE {
		return unix.EINVAL
	}
	if mode == linux.SS_DISABLE {
		t.altStack = linux.SignalStack{Flags: linux.SS_DISABLE}
		return nil
	}
	if st.Size < linux.MINSIGSTKSZ {
		return unix.ENOMEM
	}
	st.Flags &^= linux.SS_ONSTACK
	t.altStack = st
	return nil
}

// sendQueued sends a signal as SendSignal does and reports whether it was
// queued (timers count overruns on that).
func (tg *ThreadGroup) sendQueued(info *linux.SignalInfo, target *Task) bool {
	tg.mu.Lock()
	queued, _ := tg.queueLocked(info, target)
	tg.mu.Unlock()
	tg.flushReports()
	return queued
}

// RestoreSavedMask puts back the mask SetSavedMask replaced, when the call
// that set it returns without running a handler.
func (t *Task) RestoreSavedMask() {
	t.tg.mu.Lock()
	defer t.tg.mu.Unlock()
	if t.haveSavedMask {
		t.haveSavedMask = false
		t.setMaskLocked(t.savedMask)
	}
}
