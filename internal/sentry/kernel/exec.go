package kernel

import (
	"runtime"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/platform"
	"github.com/moat-sandbox/moat/internal/sentry/auth"
	"github.com/moat-sandbox/moat/internal/sentry/linux"
	"github.com/moat-sandbox/moat/internal/sentry/loader"
	"github.com/moat-sandbox/moat/internal/sentry/mm"
	"github.com/moat-sandbox/moat/internal/sentry/vfs"
)

// ExecArgs start a program.
type ExecArgs struct {
	// Path is the executable as execve names it, resolved in the sandbox.
	Path       string
	Argv, Envv []string
}

// InitArgs start the sandbox's first process.
type InitArgs struct {
	ExecArgs
	Creds  *auth.Credentials
	FDs    *vfs.FDTable
	FS     *FSContext
	Limits *Limits
}

// StartInit starts PID 1. It returns once the program is loaded, with the
// loader's error (ENOEXEC, ENOMEM, ...) if it could not be.
func (k *Kernel) StartInit(a InitArgs) error {
	errc := make(chan error, 1)
	go func() {
		// This goroutine becomes the task: its OS thread traces the
		// application thread for as long as it lives. It never unlocks; when
		// it returns, Go ends the thread.
		runtime.LockOSThread()
		k.mu.Lock()
		tid, _ := k.allocTIDLocked()
		tg := &ThreadGroup{k: k, tgid: tid, limits: a.Limits, done: make(chan struct{})}
		tg.tree = processTree{children: map[*ThreadGroup]struct{}{}, exitSignal: linux.SIGCHLD,
			pgid: tid, sid: tid}
		t := newTask(k, tg, tid)
		t.creds.Store(a.Creds)
		t.fds.Store(a.FDs)
		t.fs.Store(a.FS)
		tg.leader = t
		tg.tasks = []*Task{t}
		k.mu.Unlock()

		if err := t.exec(&a.ExecArgs); err != nil {
			errc <- err
			return
		}
		k.mu.Lock()
		k.tasks[tid] = t
		k.groups[tid] = tg
		k.initTG = tg
		k.mu.Unlock()
		errc <- nil
		t.run()
	}()
	return <-errc
}

// exec resolves a.Path in the task's filesystem view and loads it into a
// fresh host process, for the first process (which has none yet).
func (t *Task) exec(a *ExecArgs) error {
	r, err := t.resolveExec(a.Path, a.Argv, t.FS())
	if err != nil {
		return err
	}
	defer r.file.DecRef()
	img, err := t.load(r, a)
	if err != nil {
		return err
	}
	t.commitImage(img, r)
	return nil
}

// loadedImage is a program loaded into a new host process, not yet the
// task's.
type loadedImage struct {
	proc platform.Process
	th   platform.Thread
	mm   *mm.MM
	prog *loader.Program
}

// load starts a fresh host process, traced by the calling OS thread, and
// loads the program into it.
func (t *Task) load(r *resolvedExec, a *ExecArgs) (*loadedImage, error) {
	proc, th, err := t.k.Platform.NewProcess()
	if err != nil {
		t.k.Log.Error("starting a stub process", "err", err)
		return nil, unix.ENOMEM
	}
	var reserved []mm.Range
	var names []string
	for _, rr := range proc.Reserved() {
		reserved = append(reserved, mm.Range{Start: rr.Start, End: rr.End})
		names = append(names, rr.Name)
	}
	m := mm.New(proc, proc.UserLimit(), reserved, names)
	limits := t.tg.limits
	m.SetLimits(func() uint64 { return limits.Cur(unix.RLIMIT_AS) },
		func() uint64 { return limits.Cur(unix.RLIMIT_DATA) })
	c := t.Creds()
	img := &fileImage{f: r.file, t: t, name: r.vd.PathFrom(t.FS().Root())}
	prog, err := loader.Load(th, m, loader.Args{
		Image: img, Filename: a.Path, Argv: r.argv, Envv: a.Envv,
		UID: c.RealUID, EUID: c.EffectiveUID, GID: c.RealGID, EGID: c.EffectiveGID,
		VDSO: proc.VDSO(), StackLimit: limits.Cur(unix.RLIMIT_STACK),
		OpenInterpreter: t.interpreterOpener(t.FS()),
	})
	if err != nil {
		proc.Kill()
		th.Reap()
		proc.Release()
		return nil, err
	}
	// The registers of a fresh program: all zero but rip and rsp (Linux's
	// ELF_PLAT_INIT), segment registers as the host set them.
	regs := th.Regs()
	cs, ss, ds, es, fs, gs, flags := regs.Cs, regs.Ss, regs.Ds, regs.Es, regs.Fs, regs.Gs, regs.Eflags
	*regs = unix.PtraceRegs{Cs: cs, Ss: ss, Ds: ds, Es: es, Fs: fs, Gs: gs, Eflags: flags}
	regs.Rip = uint64(prog.Entry)
	regs.Rsp = uint64(prog.Stack)
	regs.Orig_rax = ^uint64(0)
	th.SetRegsDirty()
	return &loadedImage{proc: proc, th: th, mm: m, prog: prog}, nil
}

// commitImage makes a loaded program the task's.
func (t *Task) commitImage(img *loadedImage, r *resolvedExec) {
	t.tg.mu.Lock()
	t.tg.proc = img.proc
	t.tg.sharedProc = false
	t.th = img.th
	t.tg.exe = r.vd
	t.mm.Store(img.mm)
	t.tg.mu.Unlock()
	t.prog.Store(img.prog)
	name := r.filename
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	t.SetName(name)
}
