// Package proc is the sandbox's /proc. Everything about processes, fds,
// mounts and limits is generated from the Sentry's own state (through the
// Sandbox interface); machine facts the application could learn natively
// (CPU model and flags, memory size and use, kernel version, load, uptime,
// CPU times) are read from the host's /proc when the file is opened, never
// invented.
package proc

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/fs/synth"
	"github.com/moat-sandbox/moat/internal/sentry/ipc/shm"
	"github.com/moat-sandbox/moat/internal/sentry/vfs"
)

// Magic is PROC_SUPER_MAGIC, proc's statfs f_type.
const Magic = 0x9fa0

// Options configure /proc.
type Options struct {
	// Sandbox is the kernel's state. Until it has processes, /proc has
	// none either.
	Sandbox Sandbox
	// Host is the host's /proc, read for machine facts.
	Host synth.HostDir
	// Filesystems lists the filesystem types /proc/filesystems shows;
	// those without a device are prefixed "nodev ".
	Filesystems []string
	// PIDMax is /proc/sys/kernel/pid_max, NrOpen /proc/sys/fs/nr_open
	// and CapLastCap /proc/sys/kernel/cap_last_cap: the Sentry's limits.
	PIDMax     int32
	NrOpen     uint64
	CapLastCap int
}

// procFS builds and renders one /proc.
type procFS struct {
	o      Options
	fs     *synth.FS
	host   synth.HostDir
	bootID string
}

// New builds /proc. The caller mounts the returned filesystem with its
// root directory.
func New(o Options) *synth.FS {
	p := &procFS{o: o, host: o.Host, fs: synth.New(synth.Options{Name: "proc", Magic: Magic})}
	p.bootID = newUUID()
	p.buildRoot(p.fs.Root())
	return p.fs
}

func (p *procFS) file(d *synth.Dir, name string, perm uint32, r synth.Render) *synth.File {
	return d.Add(name, p.fs.NewFile(perm, r)).(*synth.File)
}

// hostFile is a file copied from the host's /proc at each open.
func (p *procFS) hostFile(d *synth.Dir, name, hostName string) {
	p.file(d, name, 0o444, p.host.HostFile(hostName))
}

func (p *procFS) buildRoot(root *synth.Dir) {
	// Machine facts, as the host shows them.
	p.hostFile(root, "cpuinfo", "cpuinfo")
	p.hostFile(root, "meminfo", "meminfo")
	p.hostFile(root, "version", "version")
	p.hostFile(root, "uptime", "uptime")
	p.hostFile(root, "vmstat", "vmstat")
	p.hostFile(root, "swaps", "swaps")
	p.file(root, "loadavg", 0o444, p.renderLoadavg)
	p.file(root, "stat", 0o444, p.renderStat)
	p.file(root, "filesystems", 0o444, synth.Static(renderFilesystems(p.o.Filesystems)))
	root.Add("mounts", p.fs.NewSymlink("self/mounts"))
	root.Add("net", p.fs.NewSymlink("self/net"))
	root.Add("self", p.fs.NewDynamicSymlink(func(ctx vfs.Context) (string, error) {
		c, ok := ctx.(caller)
		if !ok {
			return "", unix.ENOENT
		}
		return strconv.Itoa(int(c.TGID())), nil
	}))
	root.Add("thread-self", p.fs.NewDynamicSymlink(func(ctx vfs.Context) (string, error) {
		c, ok := ctx.(caller)
		if !ok {
			return "", unix.ENOENT
		}
		return fmt.Sprintf("%d/task/%d", c.TGID(), c.TID()), nil
	}))

	sys := root.Subdir("sys")
	kern := sys.Subdir("kernel")
	p.hostFile(kern, "hostname", "sys/kernel/hostname")
	p.hostFile(kern, "ostype", "sys/kernel/ostype")
	p.hostFile(kern, "osrelease", "sys/kernel/osrelease")
	p.hostFile(kern, "version", "sys/kernel/version")
	p.file(kern, "pid_max", 0o444, synth.Static(fmt.Sprintf("%d\n", p.o.PIDMax)))
	p.file(kern, "cap_last_cap", 0o444, synth.Static(fmt.Sprintf("%d\n", p.o.CapLastCap)))
	p.hostFile(kern, "ngroups_max", "sys/kernel/ngroups_max")
	// System V shared memory's limits, the sandbox's own (read-only).
	p.file(kern, "shmmax", 0o444, synth.Static(fmt.Sprintf("%d\n", shm.SHMMAX)))
	p.file(kern, "shmall", 0o444, synth.Static(fmt.Sprintf("%d\n", shm.SHMALL)))
	p.file(kern, "shmmni", 0o444, synth.Static(fmt.Sprintf("%d\n", shm.SHMMNI)))
	random := kern.Subdir("random")
	p.file(random, "boot_id", 0o444, synth.Static(p.bootID+"\n"))
	p.file(random, "uuid", 0o444, func(vfs.Context) ([]byte, error) { return []byte(newUUID() + "\n"), nil })
	vm := sys.Subdir("vm")
	// The host's memory policy governs the application's pages, which are
	// native.
	p.hostFile(vm, "overcommit_memory", "sys/vm/overcommit_memory")
	p.hostFile(vm, "max_map_count", "sys/vm/max_map_count")
	fsDir := sys.Subdir("fs")
	p.file(fsDir, "nr_open", 0o444, synth.Static(fmt.Sprintf("%d\n", p.o.NrOpen)))

	root.SetGenerator(&synth.Generator{
		Names: func(ctx vfs.Context) []string {
			procs := p.sandbox().Processes()
			pids := make([]int, 0, len(procs))
			for _, pr := range procs {
				pids = append(pids, int(pr.PID()))
			}
			sort.Ints(pids)
			names := make([]string, len(pids))
			for i, pid := range pids {
				names[i] = strconv.Itoa(pid)
			}
			return names
		},
		Lookup: func(ctx vfs.Context, name string) (synth.Node, error) {
			id, ok := parseID(name)
			if !ok {
				return nil, unix.ENOENT
			}
			sb := p.sandbox()
			if pr := sb.Process(id); pr != nil {
				return p.processDir(pr, pr.Leader(), true), nil
			}
			// A thread that leads no process is not listed, but its
			// directory is there for those who name it.
			if t := sb.Thread(id); t != nil {
				return p.processDir(t.Process(), t, true), nil
			}
			return nil, unix.ENOENT
		},
		Valid: func(ctx vfs.Context, name string, n synth.Node) bool {
			d, ok := n.(*synth.Dir)
			if !ok {
				return false
			}
			return stillThere(d.Tag())
		},
	})
}

// stillThere reports whether the process or thread a node was made for
// still exists.
func stillThere(tag any) bool {
	switch x := tag.(type) {
	case Thread:
		return x.Alive()
	case Process:
		return x.Alive()
	}
	return false
}

func (p *procFS) sandbox() Sandbox {
	if p.o.Sandbox == nil {
		return emptySandbox{}
	}
	return p.o.Sandbox
}

// parseID parses a PID as Linux names it: decimal digits, no sign, no
// leading zero.
func parseID(s string) (int32, bool) {
	if s == "" || s[0] == '0' || len(s) > 10 {
		return 0, false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(s, 10, 32)
	if err != nil || n <= 0 {
		return 0, false
	}
	return int32(n), true
}

func renderFilesystems(types []string) string {
	var b strings.Builder
	for _, t := range types {
		if rest, ok := strings.CutPrefix(t, "nodev "); ok {
			fmt.Fprintf(&b, "nodev\t%s\n", rest)
		} else {
			fmt.Fprintf(&b, "\t%s\n", t)
		}
	}
	return b.String()
}

// newUUID returns a random (version 4) UUID.
func newUUID() string {
	var u [16]byte
	rand.Read(u[:])
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}

// threadCounts counts the sandbox's threads, and those running: running
// application code or making this very call.
func (p *procFS) threadCounts(ctx vfs.Context) (running, total int) {
	self := int32(-1)
	if c, ok := ctx.(caller); ok {
		self = c.TID()
	}
	for _, pr := range p.sandbox().Processes() {
		for _, t := range pr.Threads() {
			total++
			if t.TID() == self || t.InApplication() {
				running++
			}
		}
	}
	return running, total
}

// renderLoadavg keeps the host's load averages (a fact of the machine the
// sandbox shares) and reports the sandbox's own threads and last PID.
func (p *procFS) renderLoadavg(ctx vfs.Context) ([]byte, error) {
	host, err := p.host.ReadFile("loadavg")
	if err != nil {
		return nil, err
	}
	f := strings.Fields(string(host))
	if len(f) < 3 {
		return nil, unix.EIO
	}
	running, total := p.threadCounts(ctx)
	return fmt.Appendf(nil, "%s %s %s %d/%d %d\n", f[0], f[1], f[2], running, total, p.sandbox().LastPID()), nil
}

// renderStat keeps the host's CPU times, interrupts and boot time, and
// reports the sandbox's own process counts.
func (p *procFS) renderStat(ctx vfs.Context) ([]byte, error) {
	host, err := p.host.ReadFile("stat")
	if err != nil {
		return nil, err
	}
	running, _ := p.threadCounts(ctx)
	var b bytes.Buffer
	for _, line := range strings.SplitAfter(string(host), "\n") {
		key, _, _ := strings.Cut(line, " ")
		switch key {
		case "processes":
			fmt.Fprintf(&b, "processes %d\n", p.sandbox().LastPID())
		case "procs_running":
			fmt.Fprintf(&b, "procs_running %d\n", running)
		case "procs_blocked":
			b.WriteString("procs_blocked 0\n")
		default:
			b.WriteString(line)
		}
	}
	return b.Bytes(), nil
}

// emptySandbox has no processes: /proc before the kernel exists.
type emptySandbox struct{}

func (emptySandbox) Processes() []Process        { return nil }
func (emptySandbox) Process(int32) Process       { return nil }
func (emptySandbox) Thread(int32) Thread         { return nil }
func (emptySandbox) Mounts() *vfs.MountNamespace { return nil }
func (emptySandbox) LastPID() int32              { return 0 }
