package kernel

import (
	"runtime"

	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/auth"
	"github.com/moat-sandbox/moat/internal/sentry/loader"
	"github.com/moat-sandbox/moat/internal/sentry/mm"
	"github.com/moat-sandbox/moat/internal/sentry/vfs"
)

// ExecArgs start a program.
type ExecArgs struct {
	Image      loader.Image
	Filename   string
	Argv, Envv []string
	// OpenInterpreter opens PT_INTERP; nil when dynamic programs cannot run.
	OpenInterpreter func(path string) (loader.Image, error)
}

// InitArgs start the sandbox's first process.
type InitArgs struct {
	ExecArgs
	Creds  *auth.Credentials
	FDs    *vfs.FDTable
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
		t := newTask(k, tg, tid)
		t.creds.Store(a.Creds)
		t.fds = a.FDs
		tg.leader = t
		tg.tasks = []*Task{t}
		k.mu.Unlock()

		if err := t.load(&a.ExecArgs); err != nil {
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

// load starts a fresh host process for the task and loads the program into
// it. The task's current process, if any, is left alone: the caller swaps.
func (t *Task) load(a *ExecArgs) error {
	proc, th, err := t.k.Platform.NewProcess()
	if err != nil {
		t.k.Log.Error("starting a stub process", "err", err)
		return unix.ENOMEM
	}
	var reserved []mm.Range
	var names []string
	for _, r := range proc.Reserved() {
		reserved = append(reserved, mm.Range{Start: r.Start, End: r.End})
		names = append(names, r.Name)
	}
	m := mm.New(proc, proc.UserLimit(), reserved, names)
	limits := t.tg.limits
	m.SetLimits(func() uint64 { return limits.Cur(unix.RLIMIT_AS) },
		func() uint64 { return limits.Cur(unix.RLIMIT_DATA) })
	c := t.Creds()
	prog, err := loader.Load(th, m, loader.Args{
		Image: a.Image, Filename: a.Filename, Argv: a.Argv, Envv: a.Envv,
		UID: c.RealUID, EUID: c.EffectiveUID, GID: c.RealGID, EGID: c.EffectiveGID,
		VDSO: proc.VDSO(), StackLimit: limits.Cur(unix.RLIMIT_STACK),
		OpenInterpreter: a.OpenInterpreter,
	})
	if err != nil {
		proc.Kill()
		th.Reap()
		return err
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

	t.tg.mu.Lock()
	t.tg.proc = proc
	t.th = th
	t.tg.mu.Unlock()
	t.mm = m
	t.prog = prog
	name := a.Filename
	for i := len(name) - 1; i >= 0; i-- {
		if name[i] == '/' {
			name = name[i+1:]
			break
		}
	}
	t.SetName(name)
	return nil
}
