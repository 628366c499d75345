package bench

import (
	"context"
	_ "embed"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

//go:embed helpers/server.py
var serverPy []byte

//go:embed helpers/server.js
var serverJS []byte

// writeHelperFile writes an embedded script into the invocation's scratch
// directory (which every runtime sees through the host's root) and returns
// its path.
func writeHelperFile(env *Env, name string, data []byte) (string, error) {
	path := filepath.Join(env.WorkDir, name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return "", err
	}
	return path, nil
}

// startupSuite times how long a runtime takes to run `true`, and to start a
// Python and a Node web server until each answers its first request (the
// guide's "Start-up time"; the guide went through Docker, this drives each
// runtime directly, as the guide suggests).
type startupSuite struct {
	serverPy, serverJS string
}

func (s *startupSuite) Name() string { return "startup" }
func (s *startupSuite) Describe() string {
	return "Start-up time (guide figure \"startup\"): wall time to run `true`, and until a Python and a Node HTTP server answer their first request"
}
func (s *startupSuite) Needs() string      { return "python3 and node for the server workloads" }
func (s *startupSuite) Packages() []string { return []string{"python3", "nodejs"} }

func (s *startupSuite) Notes(env *Env) []string {
	return []string{
		"The guide timed `docker run` (Docker's own cost dominated); this times each runtime's own command: `moat do`, `runsc do`, `runc run` with a bundle over the host's root.",
		"`true-oci` runs `true` through a runtime's OCI path (`run --bundle`); native runs plain `true` there too, as the baseline.",
		"The servers are small stand-ins for the guide's node and ruby apps (no npm modules or gems here): they load a handful of standard modules. The clock stops at the first HTTP answer, polled every 2 ms.",
	}
}

func (s *startupSuite) Prepare(ctx context.Context, env *Env) error {
	var err error
	if s.serverPy, err = writeHelperFile(env, "server.py", serverPy); err != nil {
		return err
	}
	s.serverJS, err = writeHelperFile(env, "server.js", serverJS)
	return err
}

func (s *startupSuite) Workloads(env *Env) []Workload {
	m := Metric{Name: "startup_time", Unit: "ms", LowerIsBetter: true}
	runTrue := func(oci bool) func(ctx context.Context, env *Env, rt Runtime) (float64, error) {
		return func(ctx context.Context, env *Env, rt Runtime) (float64, error) {
			tr, err := lookTool("true")
			if err != nil {
				return 0, err
			}
			_, took, err := runSpecTimed(ctx, env, rt, Spec{Argv: []string{tr}, OCI: oci})
			if err != nil {
				return 0, err
			}
			return float64(took) / float64(time.Millisecond), nil
		}
	}
	return []Workload{
		single("true", m, runTrue(false)),
		single("true-oci", m, runTrue(true)),
		single("python-http", m, func(ctx context.Context, env *Env, rt Runtime) (float64, error) {
			return s.serverStartup(ctx, env, rt, "python3", s.serverPy)
		}),
		single("node-http", m, func(ctx context.Context, env *Env, rt Runtime) (float64, error) {
			return s.serverStartup(ctx, env, rt, "node", s.serverJS)
		}),
	}
}

// serverStartup starts script under rt and times it until it answers.
func (s *startupSuite) serverStartup(ctx context.Context, env *Env, rt Runtime, interp, script string) (float64, error) {
	bin, err := lookTool(interp)
	if err != nil {
		return 0, err
	}
	port, err := freePort()
	if err != nil {
		return 0, err
	}
	start := time.Now()
	p, err := startProc(ctx, env, rt, Spec{Argv: []string{bin, script, strconv.Itoa(port)}, HostNetwork: true})
	if err != nil {
		return 0, err
	}
	defer p.stop()
	if err := waitHTTP(ctx, p, fmt.Sprintf("http://127.0.0.1:%d/", port)); err != nil {
		return 0, err
	}
	return float64(time.Since(start)) / float64(time.Millisecond), nil
}
