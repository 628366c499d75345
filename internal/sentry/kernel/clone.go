package kernel

import (
	"runtime"

	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/platform"
	"github.com/moat-sandbox/moat/internal/sentry/linux"
)

// CloneArgs are clone(2)'s and clone3(2)'s arguments.
type CloneArgs struct {
	Flags      uint64
	ExitSignal linux.Signal
	Stack      uintptr // 0: the child uses the parent's stack pointer
	TLS        uintptr
	ParentTID  uintptr
	ChildTID   uintptr
	PidFD      uintptr
}

// Namespace flags moat does not create.
const cloneNamespaces = unix.CLONE_NEWNS | unix.CLONE_NEWUTS | unix.CLONE_NEWIPC | unix.CLONE_NEWUSER |
	unix.CLONE_NEWPID | unix.CLONE_NEWNET | unix.CLONE_NEWCGROUP | unix.CLONE_NEWTIME

// Clone implements clone(2): a new thread (CLONE_THREAD), a new process
// sharing the address space (CLONE_VM), or a forked one. It returns the
// child's thread ID in the caller's view.
func (t *Task) Clone(a CloneArgs) (int32, error) {
	f := a.Flags
	switch {
	case f&unix.CLONE_SIGHAND != 0 && f&unix.CLONE_VM == 0,
		f&unix.CLONE_THREAD != 0 && f&unix.CLONE_SIGHAND == 0,
		f&unix.CLONE_FS != 0 && f&unix.CLONE_NEWNS != 0,
		f&unix.CLONE_PIDFD != 0 && f&unix.CLONE_THREAD != 0,
		f&unix.CLONE_THREAD != 0 && a.ExitSignal != 0:
		return 0, unix.EINVAL
	case f&cloneNamespaces != 0:
		t.k.logOnce("clone-ns", "clone with namespace flags is not supported", "flags", f&cloneNamespaces)
		return 0, unix.EINVAL
	case f&unix.CLONE_PARENT != 0 && t.tg == t.k.initTG:
		return 0, unix.EINVAL // init may not make siblings
	}
	if a.ExitSignal != 0 && !a.ExitSignal.Valid() {
		return 0, unix.EINVAL
	}

	k := t.k
	k.mu.Lock()
	tid, ok := k.allocTIDLocked()
	if ok {
		k.tasks[tid] = nil // reserved until the child is ready
	}
	k.mu.Unlock()
	if !ok {
		return 0, unix.EAGAIN
	}
	release := func() {
		k.mu.Lock()
		delete(k.tasks, tid)
		k.mu.Unlock()
	}

	nt := newTask(k, t.tg, tid)
	nt.creds.Store(t.Creds())
	nt.SetName(t.Name())
	nt.prog.Store(t.Program())
	t.tg.mu.Lock()
	nt.mask = t.mask
	if f&(unix.CLONE_VM|unix.CLONE_VFORK) != unix.CLONE_VM {
		nt.altStack = t.altStack // a fork keeps the signal stack
	}
	t.tg.mu.Unlock()
	if f&unix.CLONE_FILES != 0 {
		nt.fds.Store(t.FDTable())
		t.FDTable().IncRef()
	} else {
		nt.fds.Store(t.FDTable().Fork())
	}
	if f&unix.CLONE_FS != 0 {
		nt.fs.Store(t.FS())
	} else {
		nt.fs.Store(t.FS().Fork())
	}
	if f&unix.CLONE_CHILD_CLEARTID != 0 {
		nt.clearChildTID = a.ChildTID
	}

	// The child starts where the parent is, returning 0 from clone.
	regs := *t.th.Regs()
	regs.Rax = 0
	if a.Stack != 0 {
		regs.Rsp = uint64(a.Stack)
	}
	if f&unix.CLONE_SETTLS != 0 {
		regs.Fs_base = uint64(a.TLS)
	}

	var handoff platform.Handoff
	var err error
	switch {
	case f&unix.CLONE_THREAD != 0:
		nt.mm.Store(t.MM())
		handoff, err = t.th.NewThread()
	case f&unix.CLONE_VM != 0:
		// A new process in the same address space (vfork, posix_spawn): a
		// new host thread of the same stub.
		nt.mm.Store(t.MM())
		handoff, err = t.th.NewThread()
		if err == nil {
			nt.tg = t.newChildGroup(tid, a, t.tg.proc, true)
			nt.tg.sharedProc = true
		}
	default:
		var proc platform.Process
		proc, handoff, err = t.th.Fork()
		if err == nil {
			nt.mm.Store(t.MM().Fork(proc))
			nt.tg = t.newChildGroup(tid, a, proc, false)
			limits := nt.tg.limits
			nt.MM().SetLimits(func() uint64 { return limits.Cur(unix.RLIMIT_AS) },
				func() uint64 { return limits.Cur(unix.RLIMIT_DATA) })
		}
	}
	if err != nil {
		release()
		nt.FDTable().Release()
		k.Log.Warn("clone failed in the platform", "err", err)
		return 0, unix.EAGAIN
	}

	if f&unix.CLONE_PARENT_SETTID != 0 {
		var b [4]byte
		putUint32(b[:], uint32(tid))
		t.MM().CopyOut(a.ParentTID, b[:])
	}
	if f&unix.CLONE_CHILD_SETTID != 0 {
		var b [4]byte
		putUint32(b[:], uint32(tid))
		nt.MM().CopyOut(a.ChildTID, b[:])
	}

	tg := nt.tg
	tg.mu.Lock()
	if tg.exiting && tg == t.tg {
		tg.mu.Unlock()
		release()
		nt.FDTable().Release()
		return 0, unix.EAGAIN
	}
	tg.tasks = append(tg.tasks, nt)
	if tg.leader == nil {
		tg.leader = nt
	}
	tg.mu.Unlock()
	k.mu.Lock()
	k.tasks[tid] = nt
	if tg != t.tg {
		k.groups[tid] = tg
	}
	k.mu.Unlock()

	var vforkDone chan struct{}
	if f&unix.CLONE_VFORK != 0 && tg != t.tg {
		vforkDone = make(chan struct{})
		k.mu.Lock()
		tg.tree.vforkDone = vforkDone
		k.mu.Unlock()
	}
	ready := make(chan struct{})
	go nt.start(handoff, regs, ready)
	<-ready
	if vforkDone != nil {
		// The parent waits until the child execs or exits; only its own
		// death ends the wait early.
		for {
			if err := t.Block(vforkDone, zeroTime); err == nil || t.shouldExit() {
				break
			}
			t.interrupted.Store(false)
		}
	}
	return tid, nil
}

// newChildGroup makes the thread group of a new process (a fork, or a
// CLONE_VM child sharing proc).
func (t *Task) newChildGroup(tgid int32, a CloneArgs, proc platform.Process, sharesProc bool) *ThreadGroup {
	parent := t.tg
	tg := &ThreadGroup{k: t.k, tgid: tgid, limits: parent.limits.Copy(), done: make(chan struct{}), proc: proc}
	parent.mu.Lock()
	tg.actions = parent.actions
	tg.exe = parent.exe
	parent.mu.Unlock()
	k := t.k
	k.mu.Lock()
	defer k.mu.Unlock()
	p := parent
	if a.Flags&unix.CLONE_PARENT != 0 && parent.tree.parent != nil {
		p = parent.tree.parent
	}
	tg.tree = processTree{
		parent: p, children: map[*ThreadGroup]struct{}{}, exitSignal: a.ExitSignal,
		pgid: parent.tree.pgid, sid: parent.tree.sid, sharesProc: sharesProc,
	}
	if p.tree.children == nil {
		p.tree.children = map[*ThreadGroup]struct{}{}
	}
	p.tree.children[tg] = struct{}{}
	return tg
}

// start runs a new task on its own locked OS thread: adopt the host
// thread, set its registers, run.
func (t *Task) start(h platform.Handoff, regs platform.Registers, ready chan struct{}) {
	runtime.LockOSThread() // never unlocked: this thread traces the task
	th, err := h.Adopt()
	if err != nil {
		t.k.Log.Error("adopting a new thread", "err", err)
		close(ready)
		t.tg.ExitGroup(ExitStatus{Signal: linux.SIGKILL})
		return
	}
	*th.Regs() = regs
	th.SetRegsDirty()
	t.tg.mu.Lock()
	t.th = th
	t.tg.mu.Unlock()
	close(ready)
	t.run()
}

func putUint32(b []byte, v uint32) {
	b[0], b[1], b[2], b[3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
}
