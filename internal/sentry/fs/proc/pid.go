package proc

import (
	"bytes"
	"encoding/binary"
	"sort"
	"strconv"

	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/fs/synth"
	"github.com/moat-sandbox/moat/internal/sentry/vfs"
)

// capSysPtrace is CAP_SYS_PTRACE.
const capSysPtrace = 19

// view is what one /proc/PID or /proc/PID/task/TID directory shows: a
// process as seen through one of its threads.
type view struct {
	p   *procFS
	pr  Process
	t   Thread
	tid int32
	// whole: the process directory (figures for the whole process), not
	// a task directory (figures for the thread).
	whole bool
}

// processDir builds the directory of pr as seen through its thread t:
// /proc/PID (whole) or /proc/PID/task/TID.
func (p *procFS) processDir(pr Process, t Thread, whole bool) *synth.Dir {
	v := &view{p: p, pr: pr, t: t, whole: whole}
	if t != nil {
		v.tid = t.TID()
	} else {
		v.tid = pr.PID()
	}
	fs := p.fs
	d := fs.NewDir(0o555)
	// The directory stands as long as what it shows: the process, or the
	// thread for a task directory and for /proc/TID of a thread that
	// leads no process.
	if whole && v.tid == pr.PID() {
		d.SetTag(pr)
	} else {
		d.SetTag(t)
	}
	d.SetOwner(v.owner)
	if whole {
		task := fs.NewDir(0o555)
		task.SetGenerator(v.taskGenerator())
		d.Add("task", task)
	}
	fd := fs.NewDir(0o500)
	fd.SetGenerator(v.fdGenerator())
	d.Add("fd", fd)
	fdinfo := fs.NewDir(0o500)
	fdinfo.SetGenerator(v.fdinfoGenerator())
	d.Add("fdinfo", fdinfo)
	d.Add("environ", fs.NewFile(0o400, v.renderEnviron))
	d.Add("auxv", fs.NewFile(0o400, v.renderAuxv))
	d.Add("status", fs.NewFile(0o444, v.renderStatus))
	d.Add("limits", fs.NewFile(0o444, v.renderLimits))
	d.Add("comm", fs.NewFile(0o644, v.renderComm).SetWrite(v.writeComm))
	d.Add("cmdline", fs.NewFile(0o444, v.renderCmdline))
	d.Add("stat", fs.NewFile(0o444, v.renderStat))
	d.Add("statm", fs.NewFile(0o444, v.renderStatm))
	d.Add("maps", fs.NewFile(0o444, v.renderMaps))
	d.Add("cwd", fs.NewMagicLink(0o777, v.resolveCwd))
	d.Add("root", fs.NewMagicLink(0o777, v.resolveRoot))
	d.Add("exe", fs.NewMagicLink(0o777, v.resolveExe))
	d.Add("mounts", fs.NewFile(0o444, v.renderMounts))
	d.Add("net", p.netDir())
	d.Add("mountinfo", fs.NewFile(0o444, v.renderMountinfo))
	d.Add("smaps", fs.NewFile(0o444, v.renderSmaps))
	d.Add("smaps_rollup", fs.NewFile(0o444, v.renderSmapsRollup))
	d.Add("cgroup", fs.NewFile(0o444, synth.Static("0::/\n")))
	// The sandbox has no OOM score policy of its own: the default.
	d.Add("oom_score_adj", fs.NewFile(0o644, synth.Static("0\n")))
	return d
}

// thread is the thread the view looks through, or the leader.
func (v *view) thread() Thread {
	if v.t != nil {
		return v.t
	}
	return v.pr.Leader()
}

// owner is the owner of the directory and everything in it: the
// thread's effective user and group.
func (v *view) owner() (uint32, uint32) {
	t := v.thread()
	if t == nil {
		return 0, 0
	}
	c := t.Creds()
	return c.EffectiveUID, c.EffectiveGID
}

// mayInspect checks that the caller may look inside the process (its
// memory, environment and files), as Linux's ptrace access check in
// filesystem-credentials mode does.
func (v *view) mayInspect(ctx vfs.Context) error {
	if c, ok := ctx.(caller); ok && c.TGID() == v.pr.PID() {
		return nil
	}
	cr := ctx.Creds()
	if cr == nil {
		return unix.EACCES
	}
	if cr.HasCap(capSysPtrace) {
		return nil
	}
	t := v.thread()
	if t == nil {
		return unix.EACCES
	}
	tc := t.Creds()
	uid, gid := cr.FilesystemUID, cr.FilesystemGID
	if tc.RealUID == uid && tc.EffectiveUID == uid && tc.SavedUID == uid &&
		tc.RealGID == gid && tc.EffectiveGID == gid && tc.SavedGID == gid {
		return nil
	}
	return unix.EACCES
}

// callerRoot is the caller's root directory: paths are shown as the
// reader sees them.
func (p *procFS) callerRoot(ctx vfs.Context) vfs.VirtualDentry {
	if c, ok := ctx.(caller); ok {
		if t := p.sandbox().Thread(c.TID()); t != nil {
			if r := t.Root(); r.Ok() {
				return r
			}
		}
	}
	if ns := p.sandbox().Mounts(); ns != nil {
		return ns.Root()
	}
	return vfs.VirtualDentry{}
}

func (v *view) taskGenerator() *synth.Generator {
	return &synth.Generator{
		Names: func(ctx vfs.Context) []string {
			threads := v.pr.Threads()
			ids := make([]int, 0, len(threads))
			for _, t := range threads {
				ids = append(ids, int(t.TID()))
			}
			sort.Ints(ids)
			names := make([]string, len(ids))
			for i, id := range ids {
				names[i] = strconv.Itoa(id)
			}
			return names
		},
		Lookup: func(ctx vfs.Context, name string) (synth.Node, error) {
			id, ok := parseID(name)
			if !ok {
				return nil, unix.ENOENT
			}
			for _, t := range v.pr.Threads() {
				if t.TID() == id {
					return v.p.processDir(v.pr, t, false), nil
				}
			}
			return nil, unix.ENOENT
		},
		Valid: func(ctx vfs.Context, name string, n synth.Node) bool {
			d, ok := n.(*synth.Dir)
			return ok && stillThere(d.Tag())
		},
	}
}

// readRange reads [start, end) of the process's memory, as much as is
// readable.
func (v *view) readRange(start, end uintptr) []byte {
	if end <= start {
		return nil
	}
	const max = 1 << 20
	n := min(end-start, max)
	buf := make([]byte, n)
	got, _ := v.pr.ReadMemory(start, buf)
	if got < 0 {
		got = 0
	}
	return buf[:got]
}

// renderCmdline reads argv from the process's memory. A process that
// wrote over the NUL ending its arguments (setproctitle) gets its title
// up to the first NUL, running on into the environment, as on Linux.
func (v *view) renderCmdline(ctx vfs.Context) ([]byte, error) {
	if v.pr.Zombie() {
		return nil, nil
	}
	l := v.pr.Layout()
	args := v.readRange(l.ArgStart, l.ArgEnd)
	if len(args) == 0 || args[len(args)-1] == 0 {
		return args, nil
	}
	if l.EnvEnd > l.ArgEnd {
		args = append(args, v.readRange(l.ArgEnd, l.EnvEnd)...)
	}
	if i := bytes.IndexByte(args, 0); i >= 0 {
		args = args[:i]
	}
	return args, nil
}

// renderEnviron reads the initial environment from the process's memory.
func (v *view) renderEnviron(ctx vfs.Context) ([]byte, error) {
	if err := v.mayInspect(ctx); err != nil {
		return nil, err
	}
	if v.pr.Zombie() {
		return nil, nil
	}
	l := v.pr.Layout()
	return v.readRange(l.EnvStart, l.EnvEnd), nil
}

// renderAuxv is the auxiliary vector the loader gave the program, ending
// with AT_NULL.
func (v *view) renderAuxv(ctx vfs.Context) ([]byte, error) {
	if err := v.mayInspect(ctx); err != nil {
		return nil, err
	}
	aux := v.pr.Layout().Auxv
	b := make([]byte, 0, 16*(len(aux)+1))
	for _, e := range aux {
		if e.Key == 0 {
			break
		}
		b = binary.LittleEndian.AppendUint64(b, e.Key)
		b = binary.LittleEndian.AppendUint64(b, e.Value)
	}
	return append(b, make([]byte, 16)...), nil
}

func (v *view) renderComm(ctx vfs.Context) ([]byte, error) {
	t := v.thread()
	if t == nil {
		return nil, unix.ESRCH
	}
	return []byte(t.Name() + "\n"), nil
}

// writeComm renames the thread: only threads of the caller's own process
// may be renamed.
func (v *view) writeComm(ctx vfs.Context, data []byte) error {
	c, ok := ctx.(caller)
	t := v.thread()
	if !ok || t == nil || c.TGID() != v.pr.PID() {
		return unix.EINVAL
	}
	if i := bytes.IndexByte(data, 0); i >= 0 {
		data = data[:i]
	}
	t.SetName(string(data))
	return nil
}

func (v *view) resolveCwd(ctx vfs.Context) (vfs.VirtualDentry, string, error) {
	return v.resolveDir(ctx, Thread.Cwd)
}

func (v *view) resolveRoot(ctx vfs.Context) (vfs.VirtualDentry, string, error) {
	return v.resolveDir(ctx, Thread.Root)
}

func (v *view) resolveDir(ctx vfs.Context, which func(Thread) vfs.VirtualDentry) (vfs.VirtualDentry, string, error) {
	if err := v.mayInspect(ctx); err != nil {
		return vfs.VirtualDentry{}, "", err
	}
	t := v.thread()
	if t == nil || !t.Alive() {
		return vfs.VirtualDentry{}, "", unix.ENOENT
	}
	vd := which(t)
	if !vd.Ok() {
		return vfs.VirtualDentry{}, "", unix.ENOENT
	}
	return vd, vd.PathFrom(v.p.callerRoot(ctx)), nil
}

func (v *view) resolveExe(ctx vfs.Context) (vfs.VirtualDentry, string, error) {
	if err := v.mayInspect(ctx); err != nil {
		return vfs.VirtualDentry{}, "", err
	}
	if v.pr.Zombie() {
		return vfs.VirtualDentry{}, "", unix.ENOENT
	}
	vd := v.pr.Exe()
	if !vd.Ok() {
		return vfs.VirtualDentry{}, "", unix.ENOENT
	}
	return vd, vd.PathFrom(v.p.callerRoot(ctx)), nil
}
