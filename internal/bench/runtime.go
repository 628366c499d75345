package bench

import (
	"context"
	"fmt"
	"os/exec"
	"sort"
	"strings"
)

// A Runtime runs a command line the way one container runtime would: natively,
// under moat, later under runsc, runc or crun. Suites never build a runtime's
// command line themselves; they hand argv to Command.
type Runtime interface {
	// Name is what --runtime takes.
	Name() string
	// Describe says in a few words what the runtime is.
	Describe() string
	// Check reports why the runtime cannot run here (a missing binary, say);
	// nil when it can.
	Check() error
	// WorkScale is the fraction of a native workload's iteration count that
	// takes about as long under this runtime: 1 natively, less where every
	// system call is intercepted. Suites that loop scale their counts by it so
	// one run lasts about as long everywhere; results are per-operation, so
	// the scale never changes what is reported.
	WorkScale() float64
	// Command returns the command that runs argv under the runtime. argv[0]
	// must be an absolute path to a static executable.
	Command(ctx context.Context, argv []string) *exec.Cmd
}

// prefixRuntime runs argv behind a fixed prefix (`moat do`, later `runsc do`).
// An empty prefix runs argv directly.
type prefixRuntime struct {
	name, describe string
	prefix         []string
	scale          float64
	check          func() error
}

func (r *prefixRuntime) Name() string       { return r.name }
func (r *prefixRuntime) Describe() string   { return r.describe }
func (r *prefixRuntime) WorkScale() float64 { return r.scale }

func (r *prefixRuntime) Check() error {
	if r.check != nil {
		return r.check()
	}
	return nil
}

func (r *prefixRuntime) Command(ctx context.Context, argv []string) *exec.Cmd {
	full := append(append([]string(nil), r.prefix...), argv...)
	return exec.CommandContext(ctx, full[0], full[1:]...)
}

// NativeRuntime is the name of the baseline every ratio is taken against.
const NativeRuntime = "native"

// DefaultRuntimes are the runtimes measured when --runtime is not given.
var DefaultRuntimes = []string{NativeRuntime, "moat"}

// runtimeMakers builds each known runtime; moatPath is the moat executable
// that `moat do` runtimes run.
var runtimeMakers = map[string]func(moatPath string) Runtime{
	NativeRuntime: func(string) Runtime {
		return &prefixRuntime{name: NativeRuntime, describe: "the host kernel, no sandbox", scale: 1}
	},
	"moat": func(moat string) Runtime {
		return moatRuntime("moat", "moat do, default platform", moat, 0.1)
	},
	"moat-ptrace": func(moat string) Runtime {
		return moatRuntime("moat-ptrace", "moat do --platform=ptrace", moat, 0.1, "--platform=ptrace")
	},
	"moat-nopin": func(moat string) Runtime {
		// Unpinned tracer/tracee pairs hand off across CPUs: several times slower.
		return moatRuntime("moat-nopin", "moat do --platform=ptrace --no-pin: tracer and thread left unpinned", moat, 0.02, "--platform=ptrace", "--no-pin")
	},
	// runsc: &prefixRuntime{prefix: []string{"runsc", "--platform=systrap", "do"}, check: lookPath("runsc")}
	// fits here as is; runc and crun need an OCI bundle and get a Runtime of their own.
}

func moatRuntime(name, describe, moatPath string, scale float64, flags ...string) Runtime {
	return &prefixRuntime{
		name:     name,
		describe: describe,
		prefix:   append([]string{moatPath, "do"}, flags...),
		scale:    scale,
		check: func() error {
			if moatPath == "" {
				return fmt.Errorf("path of the moat executable unknown")
			}
			if _, err := exec.LookPath(moatPath); err != nil {
				return fmt.Errorf("moat executable: %v", err)
			}
			return nil
		},
	}
}

// RuntimeNames lists the known runtimes, sorted.
func RuntimeNames() []string {
	names := make([]string, 0, len(runtimeMakers))
	for n := range runtimeMakers {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
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
		mk, ok := runtimeMakers[n]
		if !ok {
			return nil, fmt.Errorf("unknown runtime %q (have: %s)", n, strings.Join(RuntimeNames(), ", "))
		}
		rts = append(rts, mk(moatPath))
	}
	if len(rts) == 0 {
		return nil, fmt.Errorf("no runtime given")
	}
	return rts, nil
}
