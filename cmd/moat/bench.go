package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
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
		Short: "Measure moat against native Linux and other runtimes",
		Long: `Measure moat against native Linux and other runtimes, one suite per figure of
gVisor's Performance Guide. Each workload gets one warm-up run per runtime,
then --runs runs with the runtimes interleaved; the table shows the median,
min and max, and the median of per-run ratios to native. Without SUITE, every
suite runs; 'moat bench list' names them and what each needs, 'moat bench
deps' prints the apt-get line for the tools, 'moat bench report DIR' rebuilds
the charts and report.md of a results directory from its CSVs.

Runtimes: native; moat, moat-PLATFORM (moat do --platform=PLATFORM); runsc,
runsc-PLATFORM (runsc --platform=PLATFORM; a static build on PATH); runc,
crun or any other OCI runtime on PATH by name (an OCI bundle over the host's
root).

Suites: ` + strings.Join(bench.SuiteNames(), ", "),
		Example: `  moat bench --quick syscall startup
  moat bench --runtime=native,moat,runsc --out=results
  moat bench --runtime=native --runtime=moat-ptrace --runs=7 --out=results syscall
  moat bench report results`,
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

			if out != "" {
				if abs, err := filepath.Abs(out); err == nil {
					out = abs
				}
			}
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
				fmt.Printf("\nwrote %s (one CSV per suite, charts as SVG and PNG, %s, %s)\n", out, bench.ReportFile, bench.MetaFile)
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
	f.StringVar(&out, "out", "", "also write one CSV per suite, charts (SVG, PNG) and report.md into `DIR`")
	cmd.AddCommand(newBenchListCommand(), newBenchDepsCommand(), newBenchReportCommand())
	return cmd
}

func newBenchListCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the benchmark suites, what each needs, and the runtimes",
		Args:  cobra.NoArgs,
		Run: func(cmd *cobra.Command, args []string) {
			for _, s := range bench.AllSuites() {
				fmt.Printf("%s\n    %s\n    needs: %s (Debian: %s)\n", s.Name(), s.Describe(), s.Needs(), strings.Join(s.Packages(), " "))
			}
			fmt.Println()
			tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
			exe, _ := os.Executable()
			rts, _ := bench.NewRuntimes(bench.RuntimeNames(), exe)
			tw = tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "RUNTIME\tRUNS COMMANDS WITH\tDEFAULT\tHERE")
			for _, rt := range rts {
				def := ""
				if slices.Contains(bench.DefaultRuntimes, rt.Name()) {
					def = "yes"
				}
				here := "ok"
				if err := rt.Check(); err != nil {
					here = err.Error()
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", rt.Name(), rt.Describe(), def, here)
			}
			tw.Flush()
		},
	}
}

func newBenchDepsCommand() *cobra.Command {
	var all bool
	cmd := &cobra.Command{
		Use:   "deps [SUITE...]",
		Short: "Print the apt-get line that installs what the suites need",
		Long: `Print the apt-get command that installs the Debian packages the named suites
(all of them by default) need and this machine lacks; with --all, every
package whether installed or not.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			suites, err := bench.NewSuites(args)
			if err != nil {
				return &exitError{2, "bench deps: " + err.Error()}
			}
			pkgs := bench.Packages(suites)
			if !all {
				pkgs = bench.MissingPackages(pkgs)
			}
			if len(pkgs) == 0 {
				fmt.Println("# every package the suites need is installed")
				return nil
			}
			fmt.Printf("apt-get install -y %s\n", strings.Join(pkgs, " "))
			return nil
		},
	}
	cmd.Flags().BoolVar(&all, "all", false, "list every package, installed or not")
	return cmd
}

func newBenchReportCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "report DIR",
		Short: "Rebuild the charts and report.md of a results directory from its CSVs",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			rep, err := bench.LoadDir(args[0])
			if err != nil {
				return &exitError{1, "bench report: " + err.Error()}
			}
			if err := rep.WriteDir(args[0]); err != nil {
				return &exitError{1, "bench report: " + err.Error()}
			}
			rep.WriteTable(os.Stdout)
			fmt.Printf("\nwrote the charts and %s in %s\n", bench.ReportFile, args[0])
			return nil
		},
	}
}

// isTerminal reports whether f is a terminal.
func isTerminal(f *os.File) bool {
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}
