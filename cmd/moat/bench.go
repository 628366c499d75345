package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/bench"
)

func newBenchCommand(g *globalFlags) *cobra.Command {
	var (
		runtimes []string
		runs     int
		quick    bool
		out      string
	)
	cmd := &cobra.Command{
		Use:   "bench [flags] [SUITE...]",
		Short: "Measure moat against native Linux",
		Long: `Measure moat against native Linux and other runtimes. Each workload gets one
warm-up run per runtime, then --runs runs with the runtimes interleaved; the
table shows the median, min and max, and the median of per-run ratios to
native. Without SUITE, every suite runs; 'moat bench list' names them.

Suites: ` + strings.Join(bench.SuiteNames(), ", ") + `
Runtimes: ` + strings.Join(bench.RuntimeNames(), ", "),
		Example: `  moat bench
  moat bench --quick syscall
  moat bench --runtime=native --runtime=moat-ptrace --runs=7 --out=results syscall`,
		RunE: func(cmd *cobra.Command, args []string) error {
			suites, err := bench.NewSuites(args)
			if err != nil {
				return &exitError{2, "bench: " + err.Error()}
			}
			exe, err := os.Executable()
			if err != nil {
				return &exitError{125, "bench: cannot find the moat executable: " + err.Error()}
			}
			rts, err := bench.NewRuntimes(runtimes, exe)
			if err != nil {
				return &exitError{2, "bench: --runtime: " + err.Error()}
			}
			if !cmd.Flags().Changed("runs") {
				runs = bench.DefaultRuns
				if quick {
					runs = bench.DefaultQuickRuns
				}
			}
			if runs < bench.MinRuns {
				return &exitError{2, fmt.Sprintf("bench: --runs must be at least %d", bench.MinRuns)}
			}
			log, closeLog, err := openDebugLog(g.debugLog)
			if err != nil {
				return &exitError{125, err.Error()}
			}
			defer closeLog()
			var progress io.Writer
			if isTerminal(os.Stderr) {
				progress = os.Stderr
			}
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()

			rep, err := bench.Run(ctx, bench.Options{
				Suites:      suites,
				Runtimes:    rts,
				Runs:        runs,
				Quick:       quick,
				OutDir:      out,
				Log:         log,
				Progress:    progress,
				Version:     Version,
				CommandLine: os.Args,
			})
			if err != nil {
				if errors.Is(err, context.Canceled) {
					return &exitError{130, "bench: interrupted"}
				}
				return &exitError{1, "bench: " + err.Error()}
			}
			fmt.Printf("moat bench on %s\n\n", rep.Machine)
			rep.WriteTable(os.Stdout)
			if out != "" {
				fmt.Printf("\nwrote %s (one CSV per suite, report.md)\n", out)
			}
			if n := rep.Failed(); n > 0 {
				return &exitError{1, fmt.Sprintf("bench: %d of %d measurements failed", n, len(rep.Results))}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringSliceVar(&runtimes, "runtime", slices.Clone(bench.DefaultRuntimes), "runtimes to measure, in run order (repeat or comma-separate `NAME`s): "+strings.Join(bench.RuntimeNames(), ", "))
	f.IntVar(&runs, "runs", bench.DefaultRuns, fmt.Sprintf("measured runs per workload and runtime, after one warm-up (at least %d; --quick: %d)", bench.MinRuns, bench.DefaultQuickRuns))
	f.BoolVar(&quick, "quick", false, "fewer iterations and runs: a quick look, not figures to quote")
	f.StringVar(&out, "out", "", "also write one CSV per suite and report.md into `DIR`")
	cmd.AddCommand(newBenchListCommand())
	return cmd
}

func newBenchListCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the benchmark suites, what each needs, and the runtimes",
		Args:  cobra.NoArgs,
		Run: func(cmd *cobra.Command, args []string) {
			tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "SUITE\tMEASURES\tNEEDS")
			for _, s := range bench.AllSuites() {
				fmt.Fprintf(tw, "%s\t%s\t%s\n", s.Name(), s.Describe(), s.Needs())
			}
			tw.Flush()
			fmt.Println()
			exe, _ := os.Executable()
			rts, _ := bench.NewRuntimes(bench.RuntimeNames(), exe)
			tw = tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "RUNTIME\tRUNS COMMANDS WITH\tDEFAULT")
			for _, rt := range rts {
				def := ""
				if slices.Contains(bench.DefaultRuntimes, rt.Name()) {
					def = "yes"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\n", rt.Name(), rt.Describe(), def)
			}
			tw.Flush()
		},
	}
}

// isTerminal reports whether f is a terminal.
func isTerminal(f *os.File) bool {
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}
