package bench

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
)

// A Suite is a group of workloads measured together: `moat bench SUITE`.
// Most suites reproduce one figure of gVisor's Performance Guide.
type Suite interface {
	// Name is what `moat bench` takes; it also names the suite's CSV file.
	Name() string
	// Describe says what the suite measures, in one line.
	Describe() string
	// Needs says what the suite needs on the host (tools, privileges).
	Needs() string
	// Packages are the Debian packages that provide what Needs names.
	Packages() []string
	// Prepare readies the suite once before any workload runs: finds its
	// tools, builds helpers, writes input files. An error fails every
	// workload of the suite.
	Prepare(ctx context.Context, env *Env) error
	// Workloads are measured in this order; they may depend on env (quick
	// mode, the core count).
	Workloads(env *Env) []Workload
	// Notes say how this invocation departs from the guide's parameters
	// (scaled down for a small machine, a tool substituted); the report
	// prints them under the suite's table.
	Notes(env *Env) []string
}

// A Workload is one thing run per measured run. A run yields one value per
// Output: most workloads measure one quantity, some (a redis-benchmark run, a
// web server under several loads) measure several at once.
type Workload struct {
	Name    string   // what progress lines and errors call it
	Outputs []Output // what one run yields, in order
	// Run measures the workload once under rt and returns one value per
	// Output, in Output order. The runner calls it for the warm-up and for
	// every measured run.
	Run func(ctx context.Context, env *Env, rt Runtime) ([]float64, error)
}

// An Output is one measured quantity: one row of the report's table per
// runtime, one bar of a chart.
type Output struct {
	// Workload names the row (the CSV's workload column). A name with a
	// slash, "bind/read-1M", puts the row in the chart named by what stands
	// before the slash ("fio-bind") and labels its bar group with the rest.
	Workload string
	Metric   Metric
}

// Metric names what an output measures.
type Metric struct {
	Name          string // e.g. "time_per_call"
	Unit          string // e.g. "ns"
	LowerIsBetter bool
	LogAxis       bool // chart it on a logarithmic axis, as the guide does
}

// single makes the common workload: one run, one value.
func single(name string, m Metric, run func(ctx context.Context, env *Env, rt Runtime) (float64, error)) Workload {
	return Workload{
		Name:    name,
		Outputs: []Output{{Workload: name, Metric: m}},
		Run: func(ctx context.Context, env *Env, rt Runtime) ([]float64, error) {
			v, err := run(ctx, env, rt)
			if err != nil {
				return nil, err
			}
			return []float64{v}, nil
		},
	}
}

// Env is what suites may use from the invocation.
type Env struct {
	Quick    bool         // fewer iterations per run
	Cores    int          // logical CPUs of the host
	CacheDir string       // where built helpers and generated inputs are kept between invocations
	WorkDir  string       // scratch directory on the host's root filesystem, removed at the end
	ShmDir   string       // scratch directory on a host tmpfs, removed at the end
	Log      *slog.Logger // diagnostics; never nil
}

// NotApplicableError says a workload does not apply to a runtime (an OCI
// path for a runtime that has none). The report shows it as "n/a", not as a
// failure.
type NotApplicableError struct{ Reason string }

func (e *NotApplicableError) Error() string { return e.Reason }

func notApplicable(format string, args ...any) error {
	return &NotApplicableError{Reason: fmt.Sprintf(format, args...)}
}

// IsNotApplicable reports whether err says a workload does not apply.
func IsNotApplicable(err error) bool {
	var na *NotApplicableError
	return errors.As(err, &na)
}

// suiteMakers builds each known suite, in the order `moat bench` runs them.
var suiteMakers = []func() Suite{
	func() Suite { return &syscallSuite{} },
	func() Suite { return &startupSuite{} },
	func() Suite { return &densitySuite{} },
	func() Suite { return &sysbenchSuite{kind: "cpu"} },
	func() Suite { return &sysbenchSuite{kind: "memory"} },
	func() Suite { return &fioSuite{} },
	func() Suite { return &redisSuite{} },
	func() Suite { return &httpSuite{} },
	func() Suite { return &httpdSuite{} },
	func() Suite { return &iperfSuite{} },
	func() Suite { return &ffmpegSuite{} },
	func() Suite { return &mlSuite{} },
	func() Suite { return &hackbenchSuite{} },
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

// FirstLine returns the first non-blank line of s, trimmed.
func FirstLine(s string) string {
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			return l
		}
	}
	return ""
}
