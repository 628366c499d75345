package kernel

import (
	"github.com/moat-sandbox/moat/internal/sentry/linux"
)

// Execve implements execve(2) for a running task: resolve and load the
// program into a fresh host process, then, past the point of no return,
// end the task's other threads, drop the old process and reset what exec
// resets. On success the task's registers are the new program's
// (ErrKeepRegisters); before the point of no return, errors leave the task
// as it was.
func (t *Task) Execve(path string, argv, envv []string) error {
	a := &ExecArgs{Path: path, Argv: argv, Envv: envv}
	r, err := t.resolveExec(path, argv, t.FS())
	if err != nil {
		return err
	}
	defer r.file.DecRef()
	img, err := t.load(r, a)
	if err != nil {
		return err
	}

	// Point of no return.
	tg := t.tg
	oldTh, oldMM := t.th, t.MM()
	tg.mu.Lock()
	oldProc, shared := tg.proc, tg.sharedProc
	if t.exiting || tg.exiting {
		// Another thread's exec (or an exit) got here first: this thread
		// is being ended, so the new image is dropped.
		tg.mu.Unlock()
		img.proc.Kill()
		img.th.Reap()
		img.proc.Release()
		return ErrNoReturn
	}
	for _, o := range tg.tasks {
		// Exec releases the old memory as an exit would: robust mutexes
		// held by any thread are marked before it goes.
		o.exitRobustList(false)
		if o != t {
			o.exiting = true
			o.interrupt()
		}
	}
	tg.mu.Unlock()
	if t.clearChildTID != 0 {
		t.clearTID() // exec releases the old memory as an exit would
	}
	if shared {
		// A vfork child: its thread leaves the parent's process.
		oldTh.Syscall(sysExit, 0)
		oldTh.Reap()
	} else {
		oldProc.Kill()
		oldTh.Reap()
	}
	t.waitSoleThread()
	if !shared {
		oldProc.Release()
		oldMM.Release() // System V shared memory attachments end
	}

	k := t.k
	if t.tid != tg.tgid {
		// Exec from a thread other than the leader: the thread takes the
		// process's ID.
		k.mu.Lock()
		delete(k.tasks, t.tid)
		t.tid = tg.tgid
		k.tasks[t.tid] = t
		k.mu.Unlock()
	}
	tg.mu.Lock()
	tg.leader = t
	tg.execed = true
	// Handlers reset to the default; ignored signals stay ignored.
	for i := range tg.actions {
		a := &tg.actions[i]
		if a.Handler != linux.SIG_IGN {
			*a = linux.SigAction{}
		} else {
			a.Flags, a.Restorer, a.Mask = 0, 0, 0
		}
	}
	t.altStack = linux.SignalStack{Flags: linux.SS_DISABLE}
	t.haveSavedMask = false
	tg.mu.Unlock()
	k.mu.Lock()
	tg.tree.sharesProc = false
	if tg.tree.vforkDone != nil {
		close(tg.tree.vforkDone)
		tg.tree.vforkDone = nil
	}
	k.mu.Unlock()

	// A table shared with another process (CLONE_FILES) is unshared first.
	if t.FDTable().Shared() {
		nf := t.FDTable().Fork()
		t.FDTable().Release()
		t.fds.Store(nf)
	}
	t.FDTable().CloseOnExec()
	tg.DeleteTimers()
	t.SetCreds(t.Creds().ForExec(t.Attrs().Securebits&secbitNoRoot == 0))
	t.restartBlock = nil
	t.commitImage(img, r)
	return ErrKeepRegisters
}

const sysExit = 60

// waitSoleThread waits until the task is the only one left in its group.
func (t *Task) waitSoleThread() {
	tg := t.tg
	for {
		tg.mu.Lock()
		if len(tg.tasks) <= 1 {
			tg.mu.Unlock()
			return
		}
		if tg.tasksChanged == nil {
			tg.tasksChanged = make(chan struct{})
		}
		ch := tg.tasksChanged
		tg.mu.Unlock()
		<-ch
	}
}

// secbitNoRoot is SECBIT_NOROOT: root gets no capabilities from exec.
const secbitNoRoot = 1
