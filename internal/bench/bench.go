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

// Report is everything one invocation measured.
type Report struct {
	Started  time.Time
	Duration time.Duration
	Machine  Machine
	Options  Options
	Results  []*Result
}

// Failed counts the results that failed.
func (r *Report) Failed() int {
	n := 0
	for _, res := range r.Results {
		if res.Err != nil {
			n++
		}
	}
	return n
}

// Baseline returns the native runtime's result for the workload of res, or
// nil when native was not measured or failed.
func (r *Report) Baseline(res *Result) *Result {
	for _, b := range r.Results {
		if b.Suite == res.Suite && b.Workload == res.Workload && b.Runtime == NativeRuntime && b.Err == nil {
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
	rep := &Report{Started: time.Now(), Machine: ReadMachine(), Options: opts}
	env := &Env{Quick: opts.Quick, CacheDir: opts.CacheDir, Log: opts.Log}
	p := &progress{w: opts.Progress}
	defer p.done()

	for _, s := range opts.Suites {
		p.printf("%s: preparing", s.Name())
		prepErr := s.Prepare(ctx, env)
		if ctx.Err() != nil {
			return rep, ctx.Err()
		}
		var results []*Result
		for _, w := range s.Workloads() {
			rs := make([]*Result, len(opts.Runtimes))
			for i, rt := range opts.Runtimes {
				rs[i] = &Result{Suite: s.Name(), Workload: w.Name, Metric: w.Metric, Runtime: rt.Name()}
				if prepErr != nil {
					rs[i].Err = prepErr
				} else if err := rt.Check(); err != nil {
					rs[i].Err = err
				}
			}
			if prepErr == nil {
				if err := runWorkload(ctx, env, opts, p, s, w, rs); err != nil {
					return rep, err
				}
			}
			results = append(results, rs...)
		}
		rep.Results = append(rep.Results, results...)
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
		if err := writeFile(filepath.Join(opts.OutDir, "report.md"), rep.WriteMarkdown); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

// runWorkload runs the warm-up and then opts.Runs rounds, each round running
// every runtime still standing once, in order.
func runWorkload(ctx context.Context, env *Env, opts Options, p *progress, s Suite, w Workload, rs []*Result) error {
	for round := 0; round <= opts.Runs; round++ {
		for i, rt := range opts.Runtimes {
			res := rs[i]
			if res.Err != nil {
				continue
			}
			if round == 0 {
				p.printf("%s/%s: %s warm-up", s.Name(), w.Name, rt.Name())
			} else {
				p.printf("%s/%s: %s run %d/%d", s.Name(), w.Name, rt.Name(), round, opts.Runs)
			}
			rctx, cancel := context.WithTimeout(ctx, opts.RunTimeout)
			v, err := w.Run(rctx, env, rt)
			cancel()
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if err != nil {
				if round == 0 {
					res.Err = fmt.Errorf("warm-up: %w", err)
				} else {
					res.Err = fmt.Errorf("run %d: %w", round, err)
				}
				res.Values = nil
				env.Log.Info("bench: runtime failed", "suite", s.Name(), "workload", w.Name, "runtime", rt.Name(), "err", res.Err)
				continue
			}
			if round > 0 {
				res.Values = append(res.Values, v)
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
