package bench

import (
	"context"
	_ "embed"
	"fmt"
	"math"
	"strconv"
	"strings"
)

//go:embed helpers/syscall.c
var syscallSource []byte

// syscallSuite times raw system calls in a loop: the cost of one round trip
// into the runtime's kernel (gVisor's Performance Guide, "syscall").
type syscallSuite struct {
	helper string // path of the built helper, set by Prepare
}

// Loop counts per run for a runtime with WorkScale 1. Natively getppid costs
// 0.2-1.5 µs on the machines moat is developed on, so a full run lasts about
// a second; moat scales the count down tenfold.
const (
	syscallCalls      = 1_000_000
	syscallCallsQuick = 200_000
	syscallMinCalls   = 1_000
)

func (s *syscallSuite) Name() string { return "syscall" }
func (s *syscallSuite) Describe() string {
	return "System calls (guide figure \"syscall\"): ns per raw system call (getppid, gettimeofday) in a tight loop"
}
func (s *syscallSuite) Needs() string {
	return "gcc and a static libc to build its helper"
}
func (s *syscallSuite) Packages() []string { return []string{"gcc", "libc6-dev"} }

func (s *syscallSuite) Notes(env *Env) []string {
	return []string{"The guide's figure times `syscall(SYS_gettimeofday)`; getppid is added as the cheapest call there is. Loop counts shrink under intercepting runtimes (WorkScale); the result is per call either way."}
}

func (s *syscallSuite) Prepare(ctx context.Context, env *Env) error {
	exe, err := buildHelper(ctx, env, "syscall", syscallSource)
	if err != nil {
		return err
	}
	s.helper = exe
	return nil
}

func (s *syscallSuite) Workloads(env *Env) []Workload {
	metric := Metric{Name: "time_per_call", Unit: "ns", LowerIsBetter: true, LogAxis: true}
	var ws []Workload
	for _, call := range []string{"getppid", "gettimeofday"} {
		ws = append(ws, single(call, metric, func(ctx context.Context, env *Env, rt Runtime) (float64, error) {
			return s.run(ctx, env, rt, call)
		}))
	}
	return ws
}

// syscallCount is the loop count for one run under a runtime of this scale.
func syscallCount(quick bool, scale float64) int {
	n := syscallCalls
	if quick {
		n = syscallCallsQuick
	}
	if scale > 0 && scale < 1 {
		n = int(math.Round(float64(n) * scale))
	}
	return max(n, syscallMinCalls)
}

func (s *syscallSuite) run(ctx context.Context, env *Env, rt Runtime, call string) (float64, error) {
	n := syscallCount(env.Quick, rt.WorkScale())
	out, err := runSpec(ctx, env, rt, Spec{Argv: []string{s.helper, call, strconv.Itoa(n)}})
	if err != nil {
		return 0, err
	}
	return parseSyscallOutput(string(out))
}

// parseSyscallOutput reads the helper's `... ns_per_call=X` line.
func parseSyscallOutput(out string) (float64, error) {
	for _, line := range strings.Split(out, "\n") {
		for _, field := range strings.Fields(line) {
			v, ok := strings.CutPrefix(field, "ns_per_call=")
			if !ok {
				continue
			}
			f, err := strconv.ParseFloat(v, 64)
			if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f <= 0 {
				return 0, fmt.Errorf("unparsable output: %q", strings.TrimSpace(line))
			}
			return f, nil
		}
	}
	if l := FirstLine(out); l != "" {
		return 0, fmt.Errorf("unparsable output: %q", l)
	}
	return 0, fmt.Errorf("no output")
}
