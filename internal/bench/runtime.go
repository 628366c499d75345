package bench

import (
	"context"
	"debug/elf"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
)

// A Runtime runs a command the way one container runtime's users run it:
// natively, under `moat do`, under `runsc do` or an OCI bundle given to
// `runsc run`, `runc run` or `crun run`. Suites never build a runtime's
// command line themselves; they describe what to run in a Spec.
type Runtime interface {
	// Name is what --runtime takes.
	Name() string
	// Describe says in a few words how the runtime runs commands.
	Describe() string
	// Check reports why the runtime cannot run here (a missing binary, say);
	// nil when it can.
	Check() error
	// WorkScale is the fraction of a native workload's iteration count that
	// takes about as long under this runtime: 1 natively, less where every
	// system call is intercepted. Suites that loop scale their counts by it
	// so one run lasts about as long everywhere; results are per operation,
	// so the scale never changes what is reported.
	WorkScale() float64
	// Isolated is false for the native runtime only: it makes no mounts,
	// so suites use the host paths of Spec.Mounts, and its /tmp is the
	// host's (see TmpDir).
	Isolated() bool
	// Command returns the command that runs spec under the runtime, not yet
	// started, and a cleanup that ends whatever the runtime left behind (a
	// container, a bundle) once the command has ended. cleanup is never nil.
	Command(ctx context.Context, spec Spec) (cmd *exec.Cmd, cleanup func(), err error)
}

// Spec says what to run and what it needs from the runtime.
type Spec struct {
	// Argv[0] must be an absolute path that exists on the host: every
	// runtime here shows the host's root to the sandbox.
	Argv []string
	Env  []string // added to the caller's environment
	// HostNetwork: the command serves or reaches ports on the host's
	// loopback (moat do --network=host, runsc --network=host run, an OCI
	// bundle without a network namespace).
	HostNetwork bool
	// Mounts bind host directories into the sandbox, writable.
	Mounts []Mount
	// Tmpfs: the command uses the sandbox's own tmpfs at /tmp (see TmpDir).
	Tmpfs bool
	// OCI: run through the runtime's OCI bundle path (`run --bundle`) even
	// when it has a shorter everyday one; runtimes without one report
	// NotApplicableError, native runs the command as usual.
	OCI bool
}

// A Mount binds Host (a host directory) at Container inside a sandbox.
type Mount struct{ Host, Container string }

// PathIn returns where m's directory is seen under rt.
func PathIn(rt Runtime, m Mount) string {
	if rt.Isolated() {
		return m.Container
	}
	return m.Host
}

// TmpDir returns a tmpfs directory for rt: the sandbox's own /tmp (a
// sandbox-internal tmpfs: Spec.Tmpfs asks for it), or natively a directory
// on the host's /dev/shm.
func TmpDir(rt Runtime, env *Env) string {
	if rt.Isolated() {
		return "/tmp"
	}
	return env.ShmDir
}

// NativeRuntime is the name of the baseline every ratio is taken against.
const NativeRuntime = "native"

// DefaultRuntimes are the runtimes measured when --runtime is not given.
var DefaultRuntimes = []string{NativeRuntime, "moat"}

// nativeRuntime runs commands directly on the host.
type nativeRuntime struct{}

func (nativeRuntime) Name() string       { return NativeRuntime }
func (nativeRuntime) Describe() string   { return "the host kernel, no sandbox" }
func (nativeRuntime) Check() error       { return nil }
func (nativeRuntime) WorkScale() float64 { return 1 }
func (nativeRuntime) Isolated() bool     { return false }

func (nativeRuntime) Command(ctx context.Context, spec Spec) (*exec.Cmd, func(), error) {
	if len(spec.Argv) == 0 {
		return nil, nil, fmt.Errorf("empty command")
	}
	cmd := exec.CommandContext(ctx, spec.Argv[0], spec.Argv[1:]...)
	cmd.Env = append(os.Environ(), spec.Env...)
	return cmd, func() {}, nil
}

// moatRuntime runs commands with `moat do`.
type moatRuntime struct {
	name, describe string
	moat           string // the moat executable
	flags          []string
	scale          float64
}

func (r *moatRuntime) Name() string       { return r.name }
func (r *moatRuntime) Describe() string   { return r.describe }
func (r *moatRuntime) WorkScale() float64 { return r.scale }
func (r *moatRuntime) Isolated() bool     { return true }

func (r *moatRuntime) Check() error {
	if r.moat == "" {
		return fmt.Errorf("path of the moat executable unknown")
	}
	if _, err := exec.LookPath(r.moat); err != nil {
		return fmt.Errorf("moat executable: %v", err)
	}
	return nil
}

func (r *moatRuntime) Command(ctx context.Context, spec Spec) (*exec.Cmd, func(), error) {
	if len(spec.Argv) == 0 {
		return nil, nil, fmt.Errorf("empty command")
	}
	if spec.OCI {
		return nil, nil, notApplicable("moat has no OCI run verb yet")
	}
	args := append([]string{"do"}, r.flags...)
	if spec.HostNetwork {
		args = append(args, "--network=host")
	}
	for _, m := range spec.Mounts {
		args = append(args, "--volume="+m.Host+":"+m.Container)
	}
	// moat's /tmp is always a sandbox-internal tmpfs: spec.Tmpfs needs no flag.
	args = append(args, "--")
	args = append(args, spec.Argv...)
	cmd := exec.CommandContext(ctx, r.moat, args...)
	cmd.Env = append(os.Environ(), spec.Env...)
	return cmd, func() {}, nil
}

// ociRuntime drives an OCI runtime binary (runsc, runc, crun) by name. runsc
// runs plain commands with `runsc --network=none do` and anything that needs the host's
// network, a mount or its own tmpfs through an OCI bundle over the host's
// root with `runsc --overlay2=root:memory --network=host run`; runc and crun
// have no `do` and always run a bundle.
type ociRuntime struct {
	name     string
	binary   string   // looked up on PATH
	flags    []string // global flags, e.g. --platform=ptrace
	runsc    bool
	scale    float64
	stateDir string // --root, created on first use
}

var containerSeq atomic.Int64

func (r *ociRuntime) Name() string       { return r.name }
func (r *ociRuntime) WorkScale() float64 { return r.scale }
func (r *ociRuntime) Isolated() bool     { return true }

func (r *ociRuntime) Describe() string {
	bin := strings.Join(append([]string{r.binary}, r.flags...), " ")
	if r.runsc {
		return bin + " --network=none do; " + bin + " --overlay2=root:memory --network=host run --bundle for servers and tmpfs (--overlay2=none with bind mounts)"
	}
	return bin + " run with an OCI bundle of the host's root (its directories bind-mounted)"
}

func (r *ociRuntime) Check() error {
	path, err := exec.LookPath(r.binary)
	if err != nil {
		if r.runsc {
			return fmt.Errorf("runsc not found on PATH (a static build: CGO_ENABLED=0 go install gvisor.dev/gvisor/runsc@VERSION)")
		}
		return fmt.Errorf("%s not found on PATH", r.binary)
	}
	if r.runsc {
		if f, err := elf.Open(path); err == nil {
			defer f.Close()
			for _, p := range f.Progs {
				if p.Type == elf.PT_INTERP {
					return fmt.Errorf("%s is dynamically linked; runsc must be a static build (CGO_ENABLED=0 go install gvisor.dev/gvisor/runsc@VERSION)", path)
				}
			}
		}
	}
	return nil
}

func (r *ociRuntime) root() (string, error) {
	if r.stateDir == "" {
		r.stateDir = filepath.Join("/run/moat-bench", r.name)
	}
	return r.stateDir, os.MkdirAll(r.stateDir, 0o700)
}

func (r *ociRuntime) Command(ctx context.Context, spec Spec) (*exec.Cmd, func(), error) {
	if len(spec.Argv) == 0 {
		return nil, nil, fmt.Errorf("empty command")
	}
	root, err := r.root()
	if err != nil {
		return nil, nil, err
	}
	global := append([]string{"--root=" + root}, r.flags...)
	if r.runsc && !spec.OCI && !spec.HostNetwork && !spec.Tmpfs && len(spec.Mounts) == 0 {
		// runsc do's default network (a veth behind NAT) needs iptables
		// and adds host NAT rules: commands that need no network get none.
		args := append(global, "--network=none", "do")
		args = append(args, spec.Argv...)
		cmd := exec.CommandContext(ctx, r.binary, args...)
		cmd.Env = append(os.Environ(), spec.Env...)
		return cmd, func() {}, nil
	}
	id := fmt.Sprintf("moat-bench-%d-%d", os.Getpid(), containerSeq.Add(1))
	bundle, err := os.MkdirTemp("", id+"-bundle-")
	if err != nil {
		return nil, nil, err
	}
	rootfs := "/"
	if !r.runsc {
		rootfs = filepath.Join(bundle, "rootfs")
		if err = os.Mkdir(rootfs, 0o755); err == nil {
			err = bindRoot(rootfs)
		}
	}
	var cfg []byte
	if err == nil {
		cfg, err = ociConfig(spec, append(os.Environ(), spec.Env...), rootfs)
	}
	if err == nil {
		err = os.WriteFile(filepath.Join(bundle, "config.json"), cfg, 0o644)
	}
	if err != nil {
		os.RemoveAll(bundle)
		return nil, nil, fmt.Errorf("writing the OCI bundle: %v", err)
	}
	args := global
	if r.runsc {
		// The root (the host's /) is an overlay in memory, as moat's is.
		// With it, runsc's gofer remounts the root read-only in its own
		// mount namespace, and bind mounts whose source lies under the
		// root become read-only too (EROFS): a spec that binds host
		// directories runs with the root served directly instead (the
		// workload writes only to its mounts then).
		overlay := "--overlay2=root:memory"
		if len(spec.Mounts) > 0 {
			overlay = "--overlay2=none"
		}
		args = append(args, overlay)
		if spec.HostNetwork {
			args = append(args, "--network=host")
		}
	}
	args = append(args, "run", "--bundle", bundle, id)
	cmd := exec.CommandContext(ctx, r.binary, args...)
	cmd.Env = os.Environ()
	cleanup := func() {
		// `run` deletes a container that ended by itself; one that was
		// killed from outside is still there.
		del := exec.Command(r.binary, append(append([]string(nil), global...), "delete", "--force", id)...)
		del.Run()
		os.RemoveAll(bundle)
	}
	return cmd, cleanup, nil
}

// RuntimeNames lists the runtimes moat knows by name, sorted. Any other OCI
// runtime on PATH is taken by its binary's name too.
func RuntimeNames() []string {
	return []string{"crun", "moat", "moat-ptrace", "native", "runc", "runsc", "runsc-ptrace", "runsc-systrap"}
}

// NewRuntime returns the runtime called name: native; moat (moat do with
// its default platform) or moat-PLATFORM (moat do --platform=PLATFORM);
// moat-nopin (ptrace with tracer and thread unpinned, for measurement);
// runsc or runsc-PLATFORM (runsc --platform=PLATFORM); or any other OCI
// runtime binary on PATH by name (runc, crun).
func NewRuntime(name, moatPath string) (Runtime, error) {
	switch {
	case name == NativeRuntime:
		return nativeRuntime{}, nil
	case name == "moat":
		return &moatRuntime{name: name, describe: "moat do, default platform", moat: moatPath, scale: 0.1}, nil
	case name == "moat-nopin":
		// Unpinned tracer/tracee pairs hand off across CPUs: several times slower.
		return &moatRuntime{name: name, describe: "moat do --platform=ptrace --no-pin: tracer and thread left unpinned",
			moat: moatPath, flags: []string{"--platform=ptrace", "--no-pin"}, scale: 0.02}, nil
	case strings.HasPrefix(name, "moat-"):
		p := strings.TrimPrefix(name, "moat-")
		return &moatRuntime{name: name, describe: "moat do --platform=" + p, moat: moatPath, flags: []string{"--platform=" + p}, scale: 0.1}, nil
	case name == "runsc":
		return &ociRuntime{name: name, binary: "runsc", runsc: true, scale: 0.1}, nil
	case strings.HasPrefix(name, "runsc-"):
		p := strings.TrimPrefix(name, "runsc-")
		scale := 0.1
		if p == "ptrace" {
			scale = 0.03
		}
		return &ociRuntime{name: name, binary: "runsc", flags: []string{"--platform=" + p}, runsc: true, scale: scale}, nil
	case name == "runc" || name == "crun":
		return &ociRuntime{name: name, binary: name, scale: 1}, nil
	case name == "" || strings.ContainsAny(name, "/ \t"):
		return nil, fmt.Errorf("bad runtime name %q", name)
	}
	if _, err := exec.LookPath(name); err != nil {
		return nil, fmt.Errorf("unknown runtime %q: not one of %s, and no OCI runtime binary of that name on PATH", name, strings.Join(RuntimeNames(), ", "))
	}
	return &ociRuntime{name: name, binary: name, scale: 1}, nil
}

// NewRuntimes returns the named runtimes in order, without duplicates.
func NewRuntimes(names []string, moatPath string) ([]Runtime, error) {
	var rts []Runtime
	seen := map[string]bool{}
	for _, n := range names {
		if seen[n] {
			continue
		}
		seen[n] = true
		rt, err := NewRuntime(n, moatPath)
		if err != nil {
			return nil, err
		}
		rts = append(rts, rt)
	}
	if len(rts) == 0 {
		return nil, fmt.Errorf("no runtime given")
	}
	return rts, nil
}

// sortedKeys returns m's keys, sorted.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
