// Package bench measures moat against native Linux and other runtimes: the
// engine behind `moat bench`. It drives every runtime as a process (moat
// itself through `moat do`) and imports nothing of the Sentry.
//
// A Suite holds Workloads; a Workload measures one value per run under a
// Runtime. The runner gives each workload one warm-up run per runtime, then
// Runs runs with the runtimes interleaved (A B A B…) so that drift hits all of
// them alike, and reports the median, min, max and the median of per-run
// ratios to the native runtime.
package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"time"
)

// MinRuns is the fewest measured runs a median is taken over.
const MinRuns = 3

// Default run counts.
const (
	DefaultRuns      = 5
	DefaultQuickRuns = 3
)

// DefaultRunTimeout bounds one run of one workload under one runtime.
const DefaultRunTimeout = 5 * time.Minute

// waitDelay is how long a killed command's output pipes are waited for.
const waitDelay = 5 * time.Second

// Options configure Run.
type Options struct {
	Suites   []Suite
	Runtimes []Runtime // in interleaving order
	Runs     int       // measured runs per workload and runtime, ≥ MinRuns
	Quick    bool      // fewer iterations per run
	OutDir   string    // when set: one CSV per suite and report.md
	CacheDir string    // built helpers; DefaultCacheDir() when empty
	Log      *slog.Logger
	// Progress, when set, receives one-line progress updates, each
	// starting with a carriage return (for a terminal).
	Progress   io.Writer
	RunTimeout time.Duration // DefaultRunTimeout when zero

	// For the report only.
	Version     string   // moat's version
	CommandLine []string // how bench was invoked
}

// Result is one runtime's runs of one workload.
type Result struct {
	Suite    string
	Workload string
	Metric   Metric
	Runtime  string
	Values   []float64 // one per measured run, in run order
	Err      error     // why the runtime failed; Values are then dropped
}

// Report is everything one invocation measured: what `moat bench report`
// rebuilds from a results directory.
type Report struct {
	Started     time.Time
	Duration    time.Duration
	Machine     Machine
	Runs        int
	Quick       bool
	Version     string
	CommandLine []string
	Runtimes    []RuntimeInfo       // in interleaving order
	Suites      []SuiteInfo         // in run order
	Notes       map[string][]string // by suite: how the run departs from the guide
	Results     []*Result
}

// RuntimeInfo names a runtime of a report.
type RuntimeInfo struct{ Name, Describe string }

// SuiteInfo names a suite of a report and says how long it took.
type SuiteInfo struct {
	Name, Describe string
	Seconds        float64 `json:",omitempty"`
}

// Failed counts the results that failed (not those that do not apply).
func (r *Report) Failed() int {
	n := 0
	for _, res := range r.Results {
		if res.Err != nil && !IsNotApplicable(res.Err) {
			n++
		}
	}
	return n
}

// Baseline returns the native runtime's result for the workload of res, or
// nil when native was not measured or failed.
func (r *Report) Baseline(res *Result) *Result {
	for _, b := range r.Results {
		if b.Suite == res.Suite && b.Workload == res.Workload && b.Metric.Name == res.Metric.Name && b.Runtime == NativeRuntime && b.Err == nil {
			return b
		}
	}
	return nil
}

// Summary summarizes res against its baseline.
func (r *Report) Summary(res *Result) Summary {
	var base []float64
	if b := r.Baseline(res); b != nil {
		base = b.Values
	}
	return Summarize(res.Values, base)
}

// Run measures every suite under every runtime. A runtime that fails a
// workload is recorded in its Result and the run goes on; Run returns an
// error only when its options are unusable, the context ends, or the output
// files cannot be written.
func Run(ctx context.Context, opts Options) (*Report, error) {
	if opts.Runs < MinRuns {
		return nil, fmt.Errorf("runs must be at least %d, not %d", MinRuns, opts.Runs)
	}
	if len(opts.Runtimes) == 0 || len(opts.Suites) == 0 {
		return nil, errors.New("nothing to run")
	}
	if opts.CacheDir == "" {
		opts.CacheDir = DefaultCacheDir()
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.RunTimeout == 0 {
		opts.RunTimeout = DefaultRunTimeout
	}
	if opts.OutDir != "" {
		if err := os.MkdirAll(opts.OutDir, 0o755); err != nil {
			return nil, fmt.Errorf("--out: %v", err)
		}
	}
	env, cleanup, err := newEnv(opts)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	rep := &Report{Started: time.Now(), Machine: ReadMachine(), Runs: opts.Runs, Quick: opts.Quick,
		Version: opts.Version, CommandLine: opts.CommandLine, Notes: map[string][]string{}}
	for _, rt := range opts.Runtimes {
		rep.Runtimes = append(rep.Runtimes, RuntimeInfo{Name: rt.Name(), Describe: rt.Describe()})
	}
	p := &progress{w: opts.Progress}
	defer p.done()

	for _, s := range opts.Suites {
		suiteStart := time.Now()
		rep.Suites = append(rep.Suites, SuiteInfo{Name: s.Name(), Describe: s.Describe()})
		p.printf("%s: preparing", s.Name())
		prepErr := s.Prepare(ctx, env)
		if ctx.Err() != nil {
			return rep, ctx.Err()
		}
		rep.Notes[s.Name()] = s.Notes(env)
		var results []*Result
		for _, w := range s.Workloads(env) {
			// rs[o][i]: output o under runtime i.
			rs := make([][]*Result, len(w.Outputs))
			for o, out := range w.Outputs {
				rs[o] = make([]*Result, len(opts.Runtimes))
				for i, rt := range opts.Runtimes {
					r := &Result{Suite: s.Name(), Workload: out.Workload, Metric: out.Metric, Runtime: rt.Name()}
					if prepErr != nil {
						r.Err = prepErr
					} else if err := rt.Check(); err != nil {
						r.Err = err
					}
					rs[o][i] = r
				}
			}
			if prepErr == nil {
				if err := runWorkload(ctx, env, opts, p, s, w, rs); err != nil {
					return rep, err
				}
			}
			for _, row := range rs {
				results = append(results, row...)
			}
		}
		if c, ok := s.(interface{ Cleanup() }); ok {
			c.Cleanup()
		}
		rep.Results = append(rep.Results, results...)
		rep.Suites[len(rep.Suites)-1].Seconds = time.Since(suiteStart).Seconds()
		if opts.OutDir != "" {
			if err := writeFile(filepath.Join(opts.OutDir, s.Name()+".csv"), func(f io.Writer) error {
				return WriteCSV(f, results)
			}); err != nil {
				return rep, err
			}
		}
	}
	rep.Duration = time.Since(rep.Started)
	if opts.OutDir != "" {
		p.printf("writing charts and the report")
		if err := rep.WriteDir(opts.OutDir); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

// newEnv makes the scratch directories of one invocation.
func newEnv(opts Options) (*Env, func(), error) {
	env := &Env{Quick: opts.Quick, Cores: runtime.NumCPU(), CacheDir: opts.CacheDir, Log: opts.Log}
	// On the host's root filesystem, not under /tmp: a sandbox has a /tmp
	// of its own, but sees the host's /var/tmp through its root.
	work, err := os.MkdirTemp("/var/tmp", "moat-bench-")
	if err != nil {
		work, err = os.MkdirTemp("", "moat-bench-")
		if err != nil {
			return nil, nil, fmt.Errorf("scratch directory: %v", err)
		}
	}
	os.Chmod(work, 0o755) // servers that drop privileges serve files from it
	env.WorkDir = work
	shm, err := os.MkdirTemp("/dev/shm", "moat-bench-")
	if err != nil {
		shm = filepath.Join(work, "shm") // no /dev/shm: not a tmpfs, said in the fio notes
		err = os.Mkdir(shm, 0o755)
	}
	if err != nil {
		os.RemoveAll(work)
		return nil, nil, fmt.Errorf("scratch directory: %v", err)
	}
	env.ShmDir = shm
	return env, func() {
		os.RemoveAll(work)
		os.RemoveAll(shm)
	}, nil
}

// runWorkload runs the warm-up and then opts.Runs rounds, each round running
// every runtime still standing once, in order. rs[o][i] is output o of
// runtime i.
func runWorkload(ctx context.Context, env *Env, opts Options, p *progress, s Suite, w Workload, rs [][]*Result) error {
	for round := 0; round <= opts.Runs; round++ {
		for i, rt := range opts.Runtimes {
			if rs[0][i].Err != nil {
				continue
			}
			if round == 0 {
				p.printf("%s/%s: %s warm-up", s.Name(), w.Name, rt.Name())
			} else {
				p.printf("%s/%s: %s run %d/%d", s.Name(), w.Name, rt.Name(), round, opts.Runs)
			}
			rctx, cancel := context.WithTimeout(ctx, opts.RunTimeout)
			vs, err := w.Run(rctx, env, rt)
			cancel()
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if err == nil && len(vs) != len(w.Outputs) {
				err = fmt.Errorf("internal error: %d values for %d outputs", len(vs), len(w.Outputs))
			}
			if err != nil {
				if !IsNotApplicable(err) {
					if round == 0 {
						err = fmt.Errorf("warm-up: %w", err)
					} else {
						err = fmt.Errorf("run %d: %w", round, err)
					}
				}
				for o := range rs {
					rs[o][i].Err = err
					rs[o][i].Values = nil
				}
				env.Log.Info("bench: runtime failed", "suite", s.Name(), "workload", w.Name, "runtime", rt.Name(), "err", err)
				continue
			}
			if round > 0 {
				for o := range rs {
					rs[o][i].Values = append(rs[o][i].Values, vs[o])
				}
			}
		}
	}
	return nil
}

// writeFile writes path through fill, replacing it only when fill succeeds.
func writeFile(path string, fill func(io.Writer) error) error {
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	err = fill(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("writing %s: %v", path, err)
	}
	return nil
}

// progress overwrites one status line on a terminal.
type progress struct {
	w    io.Writer
	used bool
}

func (p *progress) printf(format string, args ...any) {
	if p.w == nil {
		return
	}
	fmt.Fprintf(p.w, "\r\033[K"+format, args...)
	p.used = true
}

func (p *progress) done() {
	if p.w != nil && p.used {
		fmt.Fprint(p.w, "\r\033[K")
	}
}
