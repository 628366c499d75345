package sandbox

import (
	"fmt"
	"math/bits"
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/auth"
	"github.com/moat-sandbox/moat/internal/sentry/fs/proc"
	"github.com/moat-sandbox/moat/internal/sentry/fs/synth"
	"github.com/moat-sandbox/moat/internal/sentry/fs/sys"
	"github.com/moat-sandbox/moat/internal/sentry/kernel"
	"github.com/moat-sandbox/moat/internal/sentry/vfs"
)

// The sandbox's /proc and /sys. The mount tree is built before the kernel
// exists, so /proc starts with a view of no kernel; attachKernel gives it
// the kernel once there is one.

// procViews holds the kernel view of each mount namespace whose /proc
// still waits for its kernel.
var procViews sync.Map // *vfs.MountNamespace -> *kernelView

// mountProcSys mounts /proc (nosuid, nodev, noexec) and a read-only /sys
// on ns. Machine facts are read from the host's /proc and /sys, opened
// here once.
func mountProcSys(ns *vfs.MountNamespace) error {
	hostProc, err := synth.OpenHostDir("/proc")
	if err != nil {
		return fmt.Errorf("opening the host's /proc: %w", err)
	}
	hostSys, err := synth.OpenHostDir("/sys")
	if err != nil {
		hostProc.Close()
		return fmt.Errorf("opening the host's /sys: %w", err)
	}
	view := &kernelView{ns: ns}
	procFS := proc.New(proc.Options{
		Sandbox: view,
		Host:    hostProc,
		Filesystems: []string{"nodev sysfs", "nodev tmpfs", "nodev devtmpfs", "nodev proc",
			"nodev overlay"},
		PIDMax:     kernel.MaxTID(),
		NrOpen:     kernel.NrOpen(),
		CapLastCap: bits.Len64(auth.AllCaps) - 1,
	})
	const noExec = vfs.MountNoSuid | vfs.MountNoDev | vfs.MountNoExec
	if err := mountAt(ns, "/proc", procFS, procFS.Root(), noExec, "proc", "rw,nosuid,nodev,noexec,relatime"); err != nil {
		return err
	}
	sysFS := sys.New(sys.Options{Host: hostSys})
	if err := mountAt(ns, "/sys", sysFS, sysFS.Root(), noExec|vfs.MountReadOnly, "sysfs", "ro,nosuid,nodev,noexec,relatime"); err != nil {
		return err
	}
	procViews.Store(ns, view)
	return nil
}

// attachKernel shows k in the /proc of its mount namespace.
func attachKernel(ns *vfs.MountNamespace, k *kernel.Kernel) {
	if v, ok := procViews.LoadAndDelete(ns); ok {
		v.(*kernelView).k.Store(k)
	}
}

// kernelView adapts the kernel to proc.Sandbox.
type kernelView struct {
	k  atomic.Pointer[kernel.Kernel]
	ns *vfs.MountNamespace
}

func (v *kernelView) Processes() []proc.Process {
	k := v.k.Load()
	if k == nil {
		return nil
	}
	groups := k.Groups()
	out := make([]proc.Process, 0, len(groups))
	for _, tg := range groups {
		out = append(out, process{v, tg})
	}
	return out
}

func (v *kernelView) Process(pid int32) proc.Process {
	k := v.k.Load()
	if k == nil {
		return nil
	}
	tg := k.GroupByTGID(pid)
	if tg == nil {
		return nil
	}
	return process{v, tg}
}

func (v *kernelView) Thread(tid int32) proc.Thread {
	k := v.k.Load()
	if k == nil {
		return nil
	}
	t := k.TaskByTID(tid)
	if t == nil {
		return nil
	}
	return thread{v, t}
}

func (v *kernelView) Mounts() *vfs.MountNamespace { return v.ns }

func (v *kernelView) LastPID() int32 {
	if k := v.k.Load(); k != nil {
		return k.LastTID()
	}
	return 0
}

// process adapts a thread group.
type process struct {
	v  *kernelView
	tg *kernel.ThreadGroup
}

func (p process) PID() int32    { return p.tg.TGID() }
func (p process) PPID() int32   { return p.tg.ParentTGID() }
func (p process) PGID() int32   { return p.tg.PGID() }
func (p process) SID() int32    { return p.tg.SID() }
func (p process) Zombie() bool  { return p.tg.Zombie() }
func (p process) Stopped() bool { return p.tg.GroupStopped() }

func (p process) Alive() bool {
	k := p.v.k.Load()
	return k != nil && k.GroupByTGID(p.tg.TGID()) == p.tg
}

func (p process) Leader() proc.Thread {
	if l := p.tg.Leader(); l != nil {
		return thread{p.v, l}
	}
	return nil
}

func (p process) Threads() []proc.Thread {
	tasks := p.tg.Tasks()
	out := make([]proc.Thread, len(tasks))
	for i, t := range tasks {
		out[i] = thread{p.v, t}
	}
	return out
}

func (p process) Exe() vfs.VirtualDentry { return p.tg.Exe() }

func (p process) Limit(r int) (uint64, uint64) {
	l := p.tg.Limits().Get(r)
	return l.Cur, l.Max
}

// task is a task of the group whose address space and program are the
// group's: the leader, or a live thread once it has gone.
func (p process) task() *kernel.Task {
	if l := p.tg.Leader(); l != nil && l.MM() != nil {
		return l
	}
	for _, t := range p.tg.Tasks() {
		if t.MM() != nil {
			return t
		}
	}
	return nil
}

func (p process) Mappings() []proc.Mapping {
	t := p.task()
	if t == nil {
		return nil
	}
	vmas := t.MM().VMAs()
	out := make([]proc.Mapping, 0, len(vmas))
	for _, vma := range vmas {
		m := proc.Mapping{Start: uint64(vma.Start), End: uint64(vma.End), Prot: vma.Prot,
			Shared: vma.Shared, Name: vma.Name}
		if vma.Reserved && vma.Name == "[vdso]" {
			m.Prot |= unix.PROT_EXEC // the host's vDSO is code
		}
		if vma.File != nil {
			m.Offset = uint64(vma.Offset)
			if name := vma.File.MappingName(); name != "" {
				m.Name = name
			}
		}
		out = append(out, m)
	}
	return out
}

func (p process) ReadMemory(addr uintptr, dst []byte) (int, error) {
	t := p.task()
	if t == nil {
		return 0, unix.ESRCH
	}
	return t.MM().CopyInPartial(addr, dst)
}

func (p process) Layout() proc.Layout {
	t := p.task()
	if t == nil || t.Program() == nil {
		return proc.Layout{}
	}
	prog := t.Program()
	l := proc.Layout{ArgStart: prog.ArgvStart, ArgEnd: prog.ArgvEnd, EnvStart: prog.EnvStart,
		EnvEnd: prog.EnvEnd, StackStart: prog.Stack}
	for _, e := range prog.Auxv {
		l.Auxv = append(l.Auxv, proc.AuxEntry{Key: e.Key, Value: e.Value})
	}
	return l
}

func (p process) HostPID() int {
	if l := p.tg.Leader(); l != nil {
		if pid, _ := l.HostIDs(); pid != 0 {
			return pid
		}
	}
	for _, t := range p.tg.Tasks() {
		if pid, _ := t.HostIDs(); pid != 0 {
			return pid
		}
	}
	return 0
}

func (p process) Dispositions() (uint64, uint64) {
	ign, caught := p.tg.SignalDispositions()
	return uint64(ign), uint64(caught)
}

func (p process) SharedPending() uint64 { return uint64(p.tg.SharedPending()) }

// thread adapts a task.
type thread struct {
	v *kernelView
	t *kernel.Task
}

func (t thread) TID() int32               { return t.t.TID() }
func (t thread) Process() proc.Process    { return process{t.v, t.t.ThreadGroup()} }
func (t thread) Name() string             { return t.t.Name() }
func (t thread) SetName(name string)      { t.t.SetName(name) }
func (t thread) InApplication() bool      { return t.t.InApplication() }
func (t thread) Exited() bool             { return t.t.Exited() }
func (t thread) Creds() *auth.Credentials { return t.t.Creds() }
func (t thread) FDTable() *vfs.FDTable    { return t.t.FDTable() }
func (t thread) Pending() uint64          { return uint64(t.t.ThreadPending()) }
func (t thread) Blocked() uint64          { return uint64(t.t.SignalMask()) }
func (t thread) HostTID() int             { _, tid := t.t.HostIDs(); return tid }
func (t thread) Root() vfs.VirtualDentry {
	return t.fs(func(c *kernel.FSContext) vfs.VirtualDentry { return c.Root() })
}
func (t thread) Cwd() vfs.VirtualDentry {
	return t.fs(func(c *kernel.FSContext) vfs.VirtualDentry { return c.Cwd() })
}
func (t thread) Alive() bool {
	k := t.v.k.Load()
	return k != nil && k.TaskByTID(t.t.TID()) == t.t
}

func (t thread) Umask() uint32 {
	if c := t.t.FS(); c != nil {
		return c.Umask()
	}
	return 0
}

func (t thread) fs(get func(*kernel.FSContext) vfs.VirtualDentry) vfs.VirtualDentry {
	if c := t.t.FS(); c != nil {
		return get(c)
	}
	return vfs.VirtualDentry{}
}
