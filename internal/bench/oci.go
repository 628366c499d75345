package bench

import (
	"encoding/json"
	"os"
	"path/filepath"
)

// The parts of an OCI runtime configuration (config.json) that bench's
// bundles use. Written out by hand: bench needs a dozen fields.
type ociSpec struct {
	OCIVersion string     `json:"ociVersion"`
	Process    ociProcess `json:"process"`
	Root       ociRoot    `json:"root"`
	Hostname   string     `json:"hostname"`
	Mounts     []ociMount `json:"mounts"`
	Linux      ociLinux   `json:"linux"`
}

type ociProcess struct {
	Terminal        bool            `json:"terminal"`
	User            ociUser         `json:"user"`
	Args            []string        `json:"args"`
	Env             []string        `json:"env"`
	Cwd             string          `json:"cwd"`
	Capabilities    ociCapabilities `json:"capabilities"`
	NoNewPrivileges bool            `json:"noNewPrivileges"`
}

type ociUser struct {
	UID uint32 `json:"uid"`
	GID uint32 `json:"gid"`
}

type ociCapabilities struct {
	Bounding    []string `json:"bounding"`
	Effective   []string `json:"effective"`
	Permitted   []string `json:"permitted"`
	Inheritable []string `json:"inheritable"`
}

type ociRoot struct {
	Path     string `json:"path"`
	Readonly bool   `json:"readonly"`
}

type ociMount struct {
	Destination string   `json:"destination"`
	Type        string   `json:"type"`
	Source      string   `json:"source"`
	Options     []string `json:"options,omitempty"`
}

type ociLinux struct {
	Namespaces    []ociNamespace `json:"namespaces"`
	MaskedPaths   []string       `json:"maskedPaths"`
	ReadonlyPaths []string       `json:"readonlyPaths"`
}

type ociNamespace struct {
	Type string `json:"type"`
}

// dockerCaps is the capability set Docker gives a container by default.
var dockerCaps = []string{
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD",
	"CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
	"CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
}

// ociConfig builds the config.json of a bundle that runs spec over the
// host's root, as a container engine would for an image: its own pid, ipc,
// uts and mount namespaces, /proc, /dev and a tmpfs /tmp of its own,
// Docker's default capabilities, and a network namespace of its own unless
// spec.HostNetwork.
//
// rootfs "/" gives the host's root itself as the container's root (runsc,
// which never mounts it in the host's kernel). Otherwise rootfs is a
// directory that bindRoot filled with the host's top-level symlinks, and
// the host's top-level directories are bind mounts into it: runc and crun
// cannot pivot_root into "/" itself, nor mount a second sysfs of the host's
// network namespace, so /sys is bound too.
func ociConfig(spec Spec, env []string, rootfs string) ([]byte, error) {
	s := ociSpec{
		OCIVersion: "1.0.2",
		Process: ociProcess{
			Args: spec.Argv,
			Env:  env,
			Cwd:  "/",
			Capabilities: ociCapabilities{
				Bounding: dockerCaps, Effective: dockerCaps, Permitted: dockerCaps, Inheritable: []string{},
			},
			NoNewPrivileges: true,
		},
		Root:     ociRoot{Path: rootfs},
		Hostname: "moat-bench",
		Mounts: []ociMount{
			{Destination: "/proc", Type: "proc", Source: "proc"},
			{Destination: "/dev", Type: "tmpfs", Source: "tmpfs", Options: []string{"nosuid", "strictatime", "mode=755", "size=65536k"}},
			{Destination: "/dev/pts", Type: "devpts", Source: "devpts", Options: []string{"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"}},
			{Destination: "/dev/shm", Type: "tmpfs", Source: "shm", Options: []string{"nosuid", "noexec", "nodev", "mode=1777"}},
		},
		Linux: ociLinux{
			Namespaces: []ociNamespace{{Type: "pid"}, {Type: "ipc"}, {Type: "uts"}, {Type: "mount"}},
			MaskedPaths: []string{"/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
				"/proc/sched_debug", "/sys/firmware"},
			ReadonlyPaths: []string{"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"},
		},
	}
	if rootfs == "/" {
		s.Mounts = append(s.Mounts, ociMount{Destination: "/sys", Type: "sysfs", Source: "sysfs", Options: []string{"nosuid", "noexec", "nodev", "ro"}})
	} else {
		s.Mounts = append(s.Mounts, ociMount{Destination: "/sys", Type: "bind", Source: "/sys", Options: []string{"rbind", "ro", "nosuid", "noexec", "nodev"}})
		dirs, err := hostTopDirs()
		if err != nil {
			return nil, err
		}
		for _, d := range dirs {
			s.Mounts = append(s.Mounts, ociMount{Destination: d, Type: "bind", Source: d, Options: []string{"rbind", "rw"}})
		}
	}
	s.Mounts = append(s.Mounts, ociMount{Destination: "/tmp", Type: "tmpfs", Source: "tmpfs", Options: []string{"nosuid", "nodev", "mode=1777"}})
	if !spec.HostNetwork {
		s.Linux.Namespaces = append(s.Linux.Namespaces, ociNamespace{Type: "network"})
	}
	for _, m := range spec.Mounts {
		s.Mounts = append(s.Mounts, ociMount{Destination: m.Container, Type: "bind", Source: m.Host, Options: []string{"rbind", "rw"}})
	}
	return json.MarshalIndent(s, "", "\t")
}

// ociSkip are the host's top-level directories a bundle does not bind: the
// container gets its own.
var ociSkip = map[string]bool{"/proc": true, "/sys": true, "/dev": true, "/tmp": true, "/lost+found": true}

// hostTopDirs lists the host's top-level directories to bind into a bundle.
func hostTopDirs() ([]string, error) {
	ents, err := os.ReadDir("/")
	if err != nil {
		return nil, err
	}
	var dirs []string
	for _, e := range ents {
		p := "/" + e.Name()
		if e.IsDir() && !ociSkip[p] {
			dirs = append(dirs, p)
		}
	}
	return dirs, nil
}

// bindRoot fills rootfs, an empty directory, with the host's top-level
// symlinks (/bin -> usr/bin on a merged-/usr system) and empty mount points
// for its directories.
func bindRoot(rootfs string) error {
	ents, err := os.ReadDir("/")
	if err != nil {
		return err
	}
	for _, e := range ents {
		p := "/" + e.Name()
		dst := filepath.Join(rootfs, e.Name())
		switch {
		case e.Type()&os.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			if err := os.Symlink(target, dst); err != nil {
				return err
			}
		case e.IsDir():
			if err := os.Mkdir(dst, 0o755); err != nil {
				return err
			}
		}
	}
	return nil
}
