package bench

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"time"
)

// densitySuite measures host memory per sandbox the guide's way: drop the
// page cache, read MemAvailable, start N sandboxes, let them settle, drop
// the cache again, read MemAvailable again, divide the difference by N.
type densitySuite struct {
	serverPy, serverJS string
}

// Sandboxes per density run. The guide started 50 (5 for redis).
const (
	densityN      = 20
	densityRedisN = 3
)

func (s *densitySuite) Name() string { return "density" }
func (s *densitySuite) Describe() string {
	return "Memory usage (guide figure \"density\"): host memory per sandbox of sleep, a Python and a Node HTTP app, and redis holding data"
}
func (s *densitySuite) Needs() string {
	return "root (drops the page cache), python3, node, redis-server and redis-benchmark"
}
func (s *densitySuite) Packages() []string {
	return []string{"python3", "nodejs", "redis-server", "redis-tools"}
}

func (s *densitySuite) redisRequests(env *Env) int {
	if env.Quick {
		return 10_000
	}
	return 100_000
}

func (s *densitySuite) Notes(env *Env) []string {
	return []string{
		fmt.Sprintf("N = %d sandboxes per run (the guide: 50) and %d for redis (the guide: 5), for a 2-core machine.", densityN, densityRedisN),
		fmt.Sprintf("redis is loaded with `redis-benchmark -d 10000 -t lpush -n %d` per instance (about %d MB of values; the guide's ~1 GB is -n 100000).", s.redisRequests(env), s.redisRequests(env)*10000/1_000_000),
		"The method charges everything a sandbox costs the host to it: the runtime's own processes, page tables, kernel objects. On a machine shared with other work, MemAvailable moves by itself; the min–max spread shows how much.",
	}
}

func (s *densitySuite) Prepare(ctx context.Context, env *Env) error {
	if os.Geteuid() != 0 {
		return fmt.Errorf("density needs root: it drops the page cache")
	}
	var err error
	if s.serverPy, err = writeHelperFile(env, "server.py", serverPy); err != nil {
		return err
	}
	s.serverJS, err = writeHelperFile(env, "server.js", serverJS)
	return err
}

func (s *densitySuite) Workloads(env *Env) []Workload {
	m := Metric{Name: "memory_per_sandbox", Unit: "MiB", LowerIsBetter: true, LogAxis: true}
	return []Workload{
		single("sleep", m, func(ctx context.Context, env *Env, rt Runtime) (float64, error) {
			sleep, err := lookTool("sleep")
			if err != nil {
				return 0, err
			}
			return s.measure(ctx, env, rt, densityN, func(int) []string { return []string{sleep, "100000"} }, nil)
		}),
		single("python-http", m, func(ctx context.Context, env *Env, rt Runtime) (float64, error) {
			return s.servers(ctx, env, rt, "python3", s.serverPy)
		}),
		single("node-http", m, func(ctx context.Context, env *Env, rt Runtime) (float64, error) {
			return s.servers(ctx, env, rt, "node", s.serverJS)
		}),
		single("redis", m, func(ctx context.Context, env *Env, rt Runtime) (float64, error) {
			bins, err := lookTools("redis-server", "redis-benchmark")
			if err != nil {
				return 0, err
			}
			ports, err := freePorts(densityRedisN)
			if err != nil {
				return 0, err
			}
			argv := func(i int) []string { return redisServerArgv(bins[0], ports[i]) }
			ready := func(ctx context.Context, ps []*proc) error {
				for i, p := range ps {
					if err := waitTCP(ctx, p, fmt.Sprintf("127.0.0.1:%d", ports[i])); err != nil {
						return err
					}
				}
				for i := range ps {
					if _, err := runHost(ctx, env, bins[1], "-h", "127.0.0.1", "-p", strconv.Itoa(ports[i]), "-q",
						"-d", "10000", "-t", "lpush", "-n", strconv.Itoa(s.redisRequests(env))); err != nil {
						return fmt.Errorf("loading redis: %v", err)
					}
				}
				return nil
			}
			return s.measure(ctx, env, rt, densityRedisN, argv, ready)
		}),
	}
}

// servers measures N copies of an HTTP server script.
func (s *densitySuite) servers(ctx context.Context, env *Env, rt Runtime, interp, script string) (float64, error) {
	bin, err := lookTool(interp)
	if err != nil {
		return 0, err
	}
	ports, err := freePorts(densityN)
	if err != nil {
		return 0, err
	}
	return s.measure(ctx, env, rt, densityN,
		func(i int) []string { return []string{bin, script, strconv.Itoa(ports[i])} },
		func(ctx context.Context, ps []*proc) error {
			for i, p := range ps {
				if err := waitHTTP(ctx, p, fmt.Sprintf("http://127.0.0.1:%d/", ports[i])); err != nil {
					return err
				}
			}
			return nil
		})
}

// measure starts n sandboxes of argv(i), waits until ready says they are
// up (when given) and a settling pause, and returns the MemAvailable they
// took, in MiB per sandbox.
func (s *densitySuite) measure(ctx context.Context, env *Env, rt Runtime, n int, argv func(int) []string,
	ready func(context.Context, []*proc) error) (float64, error) {
	if err := dropCaches(); err != nil {
		return 0, err
	}
	before, err := memAvailable()
	if err != nil {
		return 0, err
	}
	var ps []*proc
	defer func() {
		for _, p := range ps {
			p.stop()
		}
	}()
	for i := range n {
		p, err := startProc(ctx, env, rt, Spec{Argv: argv(i), HostNetwork: ready != nil})
		if err != nil {
			return 0, err
		}
		ps = append(ps, p)
	}
	if ready != nil {
		if err := ready(ctx, ps); err != nil {
			return 0, err
		}
	}
	settle := 2 * time.Second
	if env.Quick {
		settle = time.Second
	}
	if err := waitOrDone(ctx, nil, settle); err != nil {
		return 0, err
	}
	for _, p := range ps {
		if p.exited() {
			return 0, p.failure()
		}
	}
	if err := dropCaches(); err != nil {
		return 0, err
	}
	after, err := memAvailable()
	if err != nil {
		return 0, err
	}
	return (float64(before) - float64(after)) / float64(n) / (1 << 20), nil
}

// redisServerArgv runs redis-server on 127.0.0.1:port in the foreground,
// with no persistence and no config file.
func redisServerArgv(bin string, port int) []string {
	return []string{bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
		"--protected-mode", "no", "--daemonize", "no", "--loglevel", "warning"}
}
