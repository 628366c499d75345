// Package sys is the sandbox's /sys: the few read-only entries common
// programs read, with the host's values (which CPUs exist and are online,
// the transparent huge page policy), since those are facts of the machine
// the application runs on. It is mounted read-only.
package sys

import (
	"sort"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/fs/synth"
	"github.com/moat-sandbox/moat/internal/sentry/vfs"
)

// Magic is SYSFS_MAGIC, sysfs's statfs f_type.
const Magic = 0x62656572

// Options configure /sys.
type Options struct {
	// Host is the host's /sys.
	Host synth.HostDir
}

// New builds /sys. The caller mounts the returned filesystem with its
// root directory.
func New(o Options) *synth.FS {
	fs := synth.New(synth.Options{Name: "sysfs", Magic: Magic, FileSize: 4096, DirPerm: 0o755})
	root := fs.Root()
	host := func(d *synth.Dir, name, hostPath string) {
		d.Add(name, fs.NewFile(0o444, o.Host.HostFile(hostPath)))
	}

	cpu := root.Subdir("devices").Subdir("system").Subdir("cpu")
	for _, name := range []string{"online", "possible", "present", "kernel_max"} {
		host(cpu, name, "devices/system/cpu/"+name)
	}
	// cpu0, cpu1...: glibc counts them for _SC_NPROCESSORS_CONF.
	cpu.SetGenerator(&synth.Generator{
		Names: func(vfs.Context) []string { return hostCPUs(o.Host) },
		Lookup: func(ctx vfs.Context, name string) (synth.Node, error) {
			for _, c := range hostCPUs(o.Host) {
				if c == name {
					return fs.NewDir(0o755), nil
				}
			}
			return nil, unix.ENOENT
		},
		Valid: func(vfs.Context, string, synth.Node) bool { return true },
	})

	// No cgroup hierarchy is shown yet: an empty mount point.
	root.Subdir("fs").Subdir("cgroup")

	thp := root.Subdir("kernel").Subdir("mm").Subdir("transparent_hugepage")
	for _, name := range []string{"enabled", "defrag", "hpage_pmd_size", "shmem_enabled"} {
		host(thp, name, "kernel/mm/transparent_hugepage/"+name)
	}
	return fs
}

// hostCPUs lists the host's cpuN directories.
func hostCPUs(h synth.HostDir) []string {
	names, err := h.ReadDir("devices/system/cpu")
	if err != nil {
		return nil
	}
	var out []string
	for _, n := range names {
		rest, ok := strings.CutPrefix(n, "cpu")
		if !ok || rest == "" || strings.Trim(rest, "0123456789") != "" {
			continue
		}
		out = append(out, n)
	}
	sort.Slice(out, func(i, j int) bool {
		a, _ := strconv.Atoi(out[i][3:])
		b, _ := strconv.Atoi(out[j][3:])
		return a < b
	})
	return out
}
