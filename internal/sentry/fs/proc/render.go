package proc

import (
	"fmt"
	"math/bits"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/vfs"
)

const pageSize = 4096

// state is the one-letter state of the view's thread. The Sentry has no
// scheduler: a thread running application code, or making this very
// call, is running (R); one inside the Sentry is almost always blocked
// there (a read, a wait, a sleep), so it is sleeping (S).
func (v *view) state(ctx vfs.Context) byte {
	switch {
	case v.pr.Zombie():
		return 'Z'
	case v.pr.Stopped():
		return 'T'
	}
	t := v.thread()
	if t != nil && t.Exited() {
		return 'Z'
	}
	if c, ok := ctx.(caller); ok && c.TID() == v.tid {
		return 'R'
	}
	if t != nil && t.InApplication() {
		return 'R'
	}
	return 'S'
}

var stateNames = map[byte]string{
	'R': "R (running)", 'S': "S (sleeping)", 'T': "T (stopped)", 'Z': "Z (zombie)",
}

// mappings is the process's address space, with the identity of each
// mapped file as the host, which maps it natively, knows it.
func (v *view) mappings() []Mapping {
	maps := v.pr.Mappings()
	var host []hostMapping
	for i := range maps {
		m := &maps[i]
		if m.Ino != 0 || !strings.HasPrefix(m.Name, "/") {
			continue
		}
		if host == nil {
			host = v.p.readHostMaps(v.pr.HostPID())
		}
		m.Dev, m.Ino = fileAt(host, m.Start)
	}
	return maps
}

// memory sums up an address space as Linux's mm counters do.
type memory struct {
	size, data, stack, exe, lib uint64 // bytes
}

func (v *view) memory(ctx vfs.Context) memory {
	var m memory
	exe := ""
	if vd := v.pr.Exe(); vd.Ok() {
		if l := v.thread(); l != nil {
			exe = vd.PathFrom(l.Root())
		}
	}
	for _, mp := range v.pr.Mappings() {
		n := mp.End - mp.Start
		m.size += n
		switch {
		case mp.Name == "[stack]":
			m.stack += n
		case !mp.Shared && mp.Prot&unix.PROT_WRITE != 0:
			m.data += n
		}
		if mp.Prot&unix.PROT_EXEC != 0 {
			if exe != "" && mp.Name == exe {
				m.exe += n
			} else {
				m.lib += n
			}
		}
	}
	return m
}

// hostIDs are the host process, and thread for a task view, behind it.
func (v *view) hostIDs() (pid, tid int) {
	pid = v.pr.HostPID()
	if !v.whole {
		if t := v.thread(); t != nil {
			tid = t.HostTID()
		}
	}
	return pid, tid
}

// renderStat is /proc/PID/stat (proc(5)). IDs, state, signals, sizes and
// the stack layout come from the Sentry; CPU times, faults, scheduling
// and the start time from the host process that runs the application.
func (v *view) renderStat(ctx vfs.Context) ([]byte, error) {
	t := v.thread()
	name := ""
	var pending, blocked uint64
	if t != nil {
		name = t.Name()
		pending, blocked = t.Pending(), t.Blocked()
	}
	pending |= v.pr.SharedPending()
	ignored, caught := v.pr.Dispositions()
	threads := len(v.pr.Threads())
	hpid, htid := v.hostIDs()
	h := v.p.readHostStat(hpid, htid)
	var mem memory
	var l Layout
	zombie := v.pr.Zombie()
	if !zombie {
		mem = v.memory(ctx)
		l = v.pr.Layout()
	}
	rsslim, _ := v.pr.Limit(unix.RLIMIT_RSS)
	var startCode, endCode uint64
	if !zombie {
		startCode, endCode = v.codeRange()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d (%s) %c %d %d %d 0 -1 %d ", v.tid, name, v.state(ctx),
		v.pr.PPID(), v.pr.PGID(), v.pr.SID(), pfRandomize)
	// minflt cminflt majflt cmajflt utime stime cutime cstime priority nice
	for n := 10; n <= 19; n++ {
		b.WriteString(h.field(n))
		b.WriteByte(' ')
	}
	fmt.Fprintf(&b, "%d 0 %s %d %s %d %d %d %d 0 0 %d %d %d %d 0 0 0 17 %s %s %s %s %s %s 0 0 0 %d %d %d %d 0\n",
		threads, h.field(22), mem.size, h.field(24), rsslim,
		startCode, endCode, l.StackStart,
		pending, blocked, ignored, caught,
		h.field(39), h.field(40), h.field(41), h.field(42), h.field(43), h.field(44),
		l.ArgStart, l.ArgEnd, l.EnvStart, l.EnvEnd)
	return []byte(b.String()), nil
}

// pfRandomize is PF_RANDOMIZE: the loader randomises the address space.
const pfRandomize = 0x400000

// codeRange is where the executable's code is mapped.
func (v *view) codeRange() (uint64, uint64) {
	vd := v.pr.Exe()
	l := v.thread()
	if !vd.Ok() || l == nil {
		return 0, 0
	}
	exe := vd.PathFrom(l.Root())
	for _, m := range v.pr.Mappings() {
		if m.Name == exe && m.Prot&unix.PROT_EXEC != 0 {
			return m.Start, m.End
		}
	}
	return 0, 0
}

// renderStatm is /proc/PID/statm: sizes from the Sentry's mappings,
// residency from the host.
func (v *view) renderStatm(ctx vfs.Context) ([]byte, error) {
	if v.pr.Zombie() {
		return []byte("0 0 0 0 0 0 0\n"), nil
	}
	m := v.memory(ctx)
	h := v.p.readHostStatm(v.pr.HostPID())
	return fmt.Appendf(nil, "%d %d %d %d 0 %d 0\n", m.size/pageSize, h[1], h[2], h[3],
		(m.data+m.stack)/pageSize), nil
}

// renderStatus is /proc/PID/status.
func (v *view) renderStatus(ctx vfs.Context) ([]byte, error) {
	t := v.thread()
	if t == nil {
		return nil, unix.ESRCH
	}
	c := t.Creds()
	hpid, htid := v.hostIDs()
	h := v.p.readHostStatus(hpid, htid)
	var b strings.Builder
	host := func(keys ...string) {
		for _, k := range keys {
			if val, ok := h[k]; ok {
				fmt.Fprintf(&b, "%s:%s\n", k, val)
			}
		}
	}
	fmt.Fprintf(&b, "Name:\t%s\n", escapeName(t.Name()))
	fmt.Fprintf(&b, "Umask:\t%04o\n", t.Umask())
	fmt.Fprintf(&b, "State:\t%s\n", stateNames[v.state(ctx)])
	fmt.Fprintf(&b, "Tgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t%d\nTracerPid:\t0\n", v.pr.PID(), v.tid, v.pr.PPID())
	fmt.Fprintf(&b, "Uid:\t%d\t%d\t%d\t%d\n", c.RealUID, c.EffectiveUID, c.SavedUID, c.FilesystemUID)
	fmt.Fprintf(&b, "Gid:\t%d\t%d\t%d\t%d\n", c.RealGID, c.EffectiveGID, c.SavedGID, c.FilesystemGID)
	fmt.Fprintf(&b, "FDSize:\t%d\n", fdSize(v.fdList()))
	b.WriteString("Groups:\t")
	for _, g := range c.Groups {
		fmt.Fprintf(&b, "%d ", g)
	}
	b.WriteByte('\n')
	fmt.Fprintf(&b, "NStgid:\t%d\nNSpid:\t%d\nNSpgid:\t%d\nNSsid:\t%d\n", v.pr.PID(), v.tid, v.pr.PGID(), v.pr.SID())
	if !v.pr.Zombie() {
		m := v.memory(ctx)
		host("VmPeak")
		fmt.Fprintf(&b, "VmSize:\t%8d kB\n", m.size/1024)
		host("VmLck", "VmPin", "VmHWM", "VmRSS", "RssAnon", "RssFile", "RssShmem")
		fmt.Fprintf(&b, "VmData:\t%8d kB\nVmStk:\t%8d kB\nVmExe:\t%8d kB\nVmLib:\t%8d kB\n",
			m.data/1024, m.stack/1024, m.exe/1024, m.lib/1024)
		host("VmPTE", "VmSwap", "HugetlbPages")
	}
	b.WriteString("CoreDumping:\t0\n")
	host("THP_enabled")
	fmt.Fprintf(&b, "Threads:\t%d\n", len(v.pr.Threads()))
	pending := t.Pending()
	shared := v.pr.SharedPending()
	sigLimit, _ := v.pr.Limit(unix.RLIMIT_SIGPENDING)
	fmt.Fprintf(&b, "SigQ:\t%d/%d\n", bits.OnesCount64(pending|shared), sigLimit)
	ignored, caught := v.pr.Dispositions()
	fmt.Fprintf(&b, "SigPnd:\t%016x\nShdPnd:\t%016x\nSigBlk:\t%016x\nSigIgn:\t%016x\nSigCgt:\t%016x\n",
		pending, shared, t.Blocked(), ignored, caught)
	fmt.Fprintf(&b, "CapInh:\t%016x\nCapPrm:\t%016x\nCapEff:\t%016x\nCapBnd:\t%016x\nCapAmb:\t%016x\n",
		c.Inheritable, c.Permitted, c.Effective, c.Bounding, c.Ambient)
	// The application cannot set no_new_privs or install seccomp filters
	// in the sandbox.
	b.WriteString("NoNewPrivs:\t0\nSeccomp:\t0\nSeccomp_filters:\t0\n")
	host("Speculation_Store_Bypass", "SpeculationIndirectBranch",
		"Cpus_allowed", "Cpus_allowed_list", "Mems_allowed", "Mems_allowed_list",
		"voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")
	return []byte(b.String()), nil
}

// escapeName writes a command name as status shows it.
func escapeName(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\n':
			b.WriteString(`\n`)
		case '\\':
			b.WriteString(`\\`)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// fdSize is the size of the fd array Linux would have grown: a power of
// two, at least 64, above the highest fd.
func fdSize(fds []int32) int {
	n := 64
	if len(fds) > 0 {
		for int(fds[len(fds)-1]) >= n {
			n *= 2
		}
	}
	return n
}

// perms renders a mapping's protections as maps shows them.
func perms(m *Mapping) string {
	b := []byte("---p")
	if m.Prot&unix.PROT_READ != 0 {
		b[0] = 'r'
	}
	if m.Prot&unix.PROT_WRITE != 0 {
		b[1] = 'w'
	}
	if m.Prot&unix.PROT_EXEC != 0 {
		b[2] = 'x'
	}
	if m.Shared {
		b[3] = 's'
	}
	return string(b)
}

// mapsHeader writes a mapping's line of /proc/PID/maps (without the
// newline): the name starts at column 74, as Linux pads it.
func mapsHeader(b *strings.Builder, m *Mapping) {
	start := b.Len()
	fmt.Fprintf(b, "%08x-%08x %s %08x %02x:%02x %d ", m.Start, m.End, perms(m), m.Offset,
		unix.Major(m.Dev), unix.Minor(m.Dev), m.Ino)
	if m.Name != "" {
		if pad := 72 - (b.Len() - start); pad > 0 {
			b.WriteString(strings.Repeat(" ", pad))
		}
		b.WriteByte(' ')
		b.WriteString(m.Name)
	}
}

// renderMaps is /proc/PID/maps, from the Sentry's mappings.
func (v *view) renderMaps(ctx vfs.Context) ([]byte, error) {
	if err := v.mayInspect(ctx); err != nil {
		return nil, err
	}
	if v.pr.Zombie() {
		return nil, nil
	}
	var b strings.Builder
	for _, m := range v.mappings() {
		mapsHeader(&b, &m)
		b.WriteByte('\n')
	}
	return []byte(b.String()), nil
}

// vmFlags renders a mapping's VmFlags line of smaps.
func vmFlags(m *Mapping) string {
	var f []string
	if m.Prot&unix.PROT_READ != 0 {
		f = append(f, "rd")
	}
	if m.Prot&unix.PROT_WRITE != 0 {
		f = append(f, "wr")
	}
	if m.Prot&unix.PROT_EXEC != 0 {
		f = append(f, "ex")
	}
	if m.Shared {
		f = append(f, "sh", "mr")
		if m.Prot&unix.PROT_WRITE != 0 {
			f = append(f, "mw")
		}
		f = append(f, "me", "ms")
	} else {
		f = append(f, "mr", "mw", "me")
		if m.Ino == 0 && m.Prot&unix.PROT_WRITE != 0 {
			f = append(f, "ac")
		}
	}
	return strings.Join(f, " ") + " "
}

// renderSmaps is /proc/PID/smaps: each of the Sentry's mappings with the
// residency figures of the host's mappings at the same addresses.
func (v *view) renderSmaps(ctx vfs.Context) ([]byte, error) {
	if err := v.mayInspect(ctx); err != nil {
		return nil, err
	}
	if v.pr.Zombie() {
		return nil, nil
	}
	host := v.p.readHostSmaps(v.pr.HostPID(), "smaps")
	var b strings.Builder
	for _, m := range v.mappings() {
		mapsHeader(&b, &m)
		b.WriteByte('\n')
		sums := map[string]uint64{}
		var keys []string
		other := map[string]string{}
		for _, h := range host {
			if h.start < m.Start || h.start >= m.End {
				continue
			}
			for _, k := range h.keys {
				if _, seen := sums[k]; !seen {
					if _, seen := other[k]; !seen {
						keys = append(keys, k)
					}
				}
				if n, ok := kB(h.vals[k]); ok {
					sums[k] += n
				} else if _, seen := other[k]; !seen {
					other[k] = h.vals[k]
				}
			}
		}
		fmt.Fprintf(&b, "%-16s%8d kB\n", "Size:", (m.End-m.Start)/1024)
		fmt.Fprintf(&b, "%-16s%8d kB\n%-16s%8d kB\n", "KernelPageSize:", 4, "MMUPageSize:", 4)
		for _, k := range keys {
			switch k {
			case "Size", "KernelPageSize", "MMUPageSize", "VmFlags":
				continue
			}
			if val, ok := other[k]; ok {
				fmt.Fprintf(&b, "%-16s%s\n", k+":", val)
			} else {
				fmt.Fprintf(&b, "%-16s%8d kB\n", k+":", sums[k])
			}
		}
		fmt.Fprintf(&b, "VmFlags: %s\n", vmFlags(&m))
	}
	return []byte(b.String()), nil
}

// renderSmapsRollup is /proc/PID/smaps_rollup: the span of the Sentry's
// mappings, with the host's totals.
func (v *view) renderSmapsRollup(ctx vfs.Context) ([]byte, error) {
	if err := v.mayInspect(ctx); err != nil {
		return nil, err
	}
	maps := v.pr.Mappings()
	if v.pr.Zombie() || len(maps) == 0 {
		return nil, nil
	}
	var b strings.Builder
	mapsHeader(&b, &Mapping{Start: maps[0].Start, End: maps[len(maps)-1].End, Name: "[rollup]"})
	b.WriteByte('\n')
	for _, h := range v.p.readHostSmaps(v.pr.HostPID(), "smaps_rollup") {
		for _, k := range h.keys {
			if n, ok := kB(h.vals[k]); ok {
				fmt.Fprintf(&b, "%-16s%8d kB\n", k+":", n)
			} else {
				fmt.Fprintf(&b, "%-16s%s\n", k+":", h.vals[k])
			}
		}
	}
	return []byte(b.String()), nil
}

// limitNames name the resource limits in RLIMIT_* order, with units.
var limitNames = [...]struct{ name, unit string }{
	{"Max cpu time", "seconds"},
	{"Max file size", "bytes"},
	{"Max data size", "bytes"},
	{"Max stack size", "bytes"},
	{"Max core file size", "bytes"},
	{"Max resident set", "bytes"},
	{"Max processes", "processes"},
	{"Max open files", "files"},
	{"Max locked memory", "bytes"},
	{"Max address space", "bytes"},
	{"Max file locks", "locks"},
	{"Max pending signals", "signals"},
	{"Max msgqueue size", "bytes"},
	{"Max nice priority", ""},
	{"Max realtime priority", ""},
	{"Max realtime timeout", "us"},
}

// renderLimits is /proc/PID/limits.
func (v *view) renderLimits(ctx vfs.Context) ([]byte, error) {
	lim := func(n uint64) string {
		if n == unix.RLIM_INFINITY {
			return "unlimited"
		}
		return fmt.Sprint(n)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%-25s %-20s %-20s %-10s\n", "Limit", "Soft Limit", "Hard Limit", "Units")
	for r, l := range limitNames {
		cur, max := v.pr.Limit(r)
		fmt.Fprintf(&b, "%-25s %-20s %-20s ", l.name, lim(cur), lim(max))
		if l.unit != "" {
			fmt.Fprintf(&b, "%-10s", l.unit)
		}
		b.WriteByte('\n')
	}
	return []byte(b.String()), nil
}

// mangle escapes a path or source as mount tables show them.
func mangle(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case ' ', '\t', '\n', '\\':
			fmt.Fprintf(&b, "\\%03o", c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// mountPoint is where m is attached.
func mountPoint(m *vfs.Mount) vfs.VirtualDentry {
	if m.Parent() == nil {
		return vfs.VirtualDentry{Mount: m, Dentry: m.Root()}
	}
	return vfs.VirtualDentry{Mount: m.Parent(), Dentry: m.Point()}
}

// mountFlags renders the per-mount flags.
func mountFlags(m *vfs.Mount) string {
	s := "rw"
	if m.ReadOnly() {
		s = "ro"
	}
	if m.Flags&vfs.MountNoSuid != 0 {
		s += ",nosuid"
	}
	if m.Flags&vfs.MountNoDev != 0 {
		s += ",nodev"
	}
	if m.Flags&vfs.MountNoExec != 0 {
		s += ",noexec"
	}
	return s + ",relatime"
}

// perMount are the options that belong to a mount, not to its
// filesystem: mountinfo shows them apart.
var perMount = map[string]bool{"nosuid": true, "nodev": true, "noexec": true, "relatime": true,
	"noatime": true, "strictatime": true, "nodiratime": true}

// superOptions are a mount's filesystem options: rw or ro, and those
// particular to the filesystem.
func superOptions(opts string) string {
	var keep []string
	for _, o := range strings.Split(opts, ",") {
		if o != "" && !perMount[o] {
			keep = append(keep, o)
		}
	}
	if len(keep) == 0 {
		return "rw"
	}
	return strings.Join(keep, ",")
}

// mounts lists the mounts and the root paths are shown from.
func (v *view) mounts() ([]*vfs.Mount, vfs.VirtualDentry) {
	ns := v.p.sandbox().Mounts()
	if ns == nil {
		return nil, vfs.VirtualDentry{}
	}
	root := ns.Root()
	if t := v.thread(); t != nil {
		if r := t.Root(); r.Ok() {
			root = r
		}
	}
	return ns.Mounts(), root
}

// renderMounts is /proc/PID/mounts.
func (v *view) renderMounts(ctx vfs.Context) ([]byte, error) {
	mounts, root := v.mounts()
	var b strings.Builder
	for _, m := range mounts {
		opts := m.Options
		if opts == "" {
			opts = mountFlags(m)
		}
		fmt.Fprintf(&b, "%s %s %s %s 0 0\n", mangle(m.Source), mangle(mountPoint(m).PathFrom(root)),
			m.FS.Name(), opts)
	}
	return []byte(b.String()), nil
}

// renderMountinfo is /proc/PID/mountinfo.
func (v *view) renderMountinfo(ctx vfs.Context) ([]byte, error) {
	mounts, root := v.mounts()
	var b strings.Builder
	for _, m := range mounts {
		parent := 0
		if m.Parent() != nil {
			parent = m.Parent().ID
		}
		var dev uint64
		if st, err := m.Root().Inode().Stat(ctx); err == nil {
			dev = st.Dev
		}
		fmt.Fprintf(&b, "%d %d %d:%d / %s %s - %s %s %s\n", m.ID, parent, unix.Major(dev), unix.Minor(dev),
			mangle(mountPoint(m).PathFrom(root)), mountFlags(m), m.FS.Name(), mangle(m.Source),
			superOptions(m.Options))
	}
	return []byte(b.String()), nil
}
