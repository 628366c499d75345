package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os/exec"
	"sort"
	"strings"
)

// A Suite is a group of workloads measured together: `moat bench SUITE`.
type Suite interface {
	// Name is what `moat bench` takes; it also names the suite's CSV file.
	Name() string
	// Describe says what the suite measures, in one line.
	Describe() string
	// Needs says what the suite needs on the host (tools, privileges).
	Needs() string
	// Prepare readies the suite once before any workload runs: builds
	// helpers, writes files. An error fails every workload of the suite.
	Prepare(ctx context.Context, env *Env) error
	// Workloads are measured in this order.
	Workloads() []Workload
}

// A Workload is one measured quantity of a suite.
type Workload struct {
	Name   string
	Metric Metric
	// Run measures the workload once under rt and returns one value in
	// Metric.Unit. The runner calls it for the warm-up and for every run.
	Run func(ctx context.Context, env *Env, rt Runtime) (float64, error)
}

// Metric names what a workload measures.
type Metric struct {
	Name          string // e.g. "time_per_call"
	Unit          string // e.g. "ns"
	LowerIsBetter bool
}

// Env is what suites may use from the invocation.
type Env struct {
	Quick    bool         // fewer iterations per run
	CacheDir string       // where built helpers are kept between invocations
	Log      *slog.Logger // diagnostics; never nil
}

// suiteMakers builds each known suite, in the order `moat bench` runs them.
var suiteMakers = []func() Suite{
	func() Suite { return &syscallSuite{} },
}

// AllSuites returns a fresh instance of every known suite, in run order.
func AllSuites() []Suite {
	s := make([]Suite, len(suiteMakers))
	for i, mk := range suiteMakers {
		s[i] = mk()
	}
	return s
}

// SuiteNames lists the known suites in run order.
func SuiteNames() []string {
	var names []string
	for _, s := range AllSuites() {
		names = append(names, s.Name())
	}
	return names
}

// NewSuites returns the named suites in the order given, without duplicates;
// no names means every known suite.
func NewSuites(names []string) ([]Suite, error) {
	all := AllSuites()
	if len(names) == 0 {
		return all, nil
	}
	byName := map[string]Suite{}
	for _, s := range all {
		byName[s.Name()] = s
	}
	var out []Suite
	seen := map[string]bool{}
	for _, n := range names {
		if seen[n] {
			continue
		}
		seen[n] = true
		s, ok := byName[n]
		if !ok {
			known := SuiteNames()
			sort.Strings(known)
			return nil, fmt.Errorf("unknown suite %q (have: %s; see 'moat bench list')", n, strings.Join(known, ", "))
		}
		out = append(out, s)
	}
	return out, nil
}

// runCommand runs argv under rt and returns its stdout. A failure's error is
// the first line the command wrote to stderr, or how it ended.
func runCommand(ctx context.Context, env *Env, rt Runtime, argv []string) ([]byte, error) {
	cmd := rt.Command(ctx, argv)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.WaitDelay = waitDelay
	env.Log.Debug("bench: run", "runtime", rt.Name(), "argv", cmd.Args)
	err := cmd.Run()
	if err != nil {
		env.Log.Debug("bench: run failed", "runtime", rt.Name(), "err", err, "stderr", stderr.String())
		if ctx.Err() != nil {
			return nil, fmt.Errorf("%s: %v", describeExit(err), ctx.Err())
		}
		if line := FirstLine(stderr.String()); line != "" {
			return nil, errors.New(line)
		}
		return nil, errors.New(describeExit(err))
	}
	return stdout.Bytes(), nil
}

func describeExit(err error) string {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ProcessState.String() // "exit status 1", "signal: killed"
	}
	return err.Error()
}

// FirstLine returns the first non-blank line of s, trimmed.
func FirstLine(s string) string {
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			return l
		}
	}
	return ""
}
