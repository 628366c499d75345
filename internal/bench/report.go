package bench

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"golang.org/x/sys/unix"
)

// Machine describes the host the figures were measured on.
type Machine struct {
	CPU      string // model name from /proc/cpuinfo
	Cores    int    // logical CPUs
	Kernel   string // uname: sysname release version machine
	MemBytes uint64 // MemTotal
}

// ReadMachine reads the host's description; what it cannot read stays empty.
func ReadMachine() Machine {
	m := Machine{Cores: runtime.NumCPU()}
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		procs := 0
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			k, v, ok := strings.Cut(sc.Text(), ":")
			if !ok {
				continue
			}
			switch strings.TrimSpace(k) {
			case "processor":
				procs++
			case "model name":
				if m.CPU == "" {
					m.CPU = strings.TrimSpace(v)
				}
			}
		}
		f.Close()
		if procs > 0 {
			m.Cores = procs
		}
	}
	var u unix.Utsname
	if unix.Uname(&u) == nil {
		m.Kernel = strings.Join([]string{
			unix.ByteSliceToString(u.Sysname[:]), unix.ByteSliceToString(u.Release[:]),
			unix.ByteSliceToString(u.Version[:]), unix.ByteSliceToString(u.Machine[:]),
		}, " ")
	}
	if f, err := os.Open("/proc/meminfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if v, ok := strings.CutPrefix(sc.Text(), "MemTotal:"); ok {
				fs := strings.Fields(v)
				if len(fs) > 0 {
					if kb, err := strconv.ParseUint(fs[0], 10, 64); err == nil {
						m.MemBytes = kb * 1024
					}
				}
				break
			}
		}
		f.Close()
	}
	return m
}

// String is the machine on one line.
func (m Machine) String() string {
	cpu := m.CPU
	if cpu == "" {
		cpu = "unknown CPU"
	}
	return fmt.Sprintf("%s, %d cores, %s RAM, %s", cpu, m.Cores, formatBytes(m.MemBytes), m.Kernel)
}

func formatBytes(b uint64) string {
	if b == 0 {
		return "unknown"
	}
	return fmt.Sprintf("%.1f GiB", float64(b)/(1<<30))
}

// CSVHeader is the header of every suite's CSV file: one row per measured run.
var CSVHeader = []string{"suite", "workload", "metric", "unit", "runtime", "run", "value"}

// WriteCSV writes one row per measured run of results (failed runtimes have
// none), runs numbered from 1.
func WriteCSV(w io.Writer, results []*Result) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	for _, r := range results {
		if r.Err != nil {
			continue
		}
		for i, v := range r.Values {
			row := []string{r.Suite, r.Workload, r.Metric.Name, r.Metric.Unit, r.Runtime,
				strconv.Itoa(i + 1), strconv.FormatFloat(v, 'f', -1, 64)}
			if err := cw.Write(row); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// tableRows renders the results as rows of cells, header first. A failed
// runtime's row says "failed: " and the first line of its error in the
// MEDIAN cell or, with trailing, "failed" there and the error in a ninth
// cell past the others (a text table keeps its columns narrow that way).
func (r *Report) tableRows(trailing bool) [][]string {
	rows := [][]string{{"SUITE", "WORKLOAD", "RUNTIME", "MEDIAN", "MIN", "MAX", "UNIT", "× NATIVE"}}
	for _, res := range r.Results {
		if res.Err != nil {
			msg := FirstLine(res.Err.Error())
			if trailing {
				rows = append(rows, []string{res.Suite, res.Workload, res.Runtime, "failed", "-", "-", res.Metric.Unit, "-", msg})
			} else {
				rows = append(rows, []string{res.Suite, res.Workload, res.Runtime, "failed: " + msg, "-", "-", res.Metric.Unit, "-"})
			}
			continue
		}
		s := r.Summary(res)
		ratio := "-"
		if s.HasRatio {
			ratio = formatRatio(s.Ratio)
		}
		rows = append(rows, []string{res.Suite, res.Workload, res.Runtime,
			formatValue(s.Median), formatValue(s.Min), formatValue(s.Max), res.Metric.Unit, ratio})
	}
	return rows
}

// WriteTable writes the results as an aligned text table.
func (r *Report) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, row := range r.tableRows(true) {
		fmt.Fprintln(tw, strings.Join(row, "\t"))
	}
	return tw.Flush()
}

// WriteMarkdown writes report.md: the machine, the settings and the table.
func (r *Report) WriteMarkdown(w io.Writer) error {
	bw := bufio.NewWriter(w)
	o := r.Options
	fmt.Fprintf(bw, "# moat bench report\n\n")
	fmt.Fprintf(bw, "- date: %s (took %s)\n", r.Started.UTC().Format(time.RFC3339), r.Duration.Round(time.Second))
	if o.Version != "" {
		fmt.Fprintf(bw, "- moat: %s\n", o.Version)
	}
	if len(o.CommandLine) > 0 {
		fmt.Fprintf(bw, "- command: `%s`\n", strings.Join(o.CommandLine, " "))
	}
	var rts []string
	for _, rt := range o.Runtimes {
		rts = append(rts, fmt.Sprintf("`%s` (%s)", rt.Name(), rt.Describe()))
	}
	fmt.Fprintf(bw, "- runtimes, interleaved in this order: %s\n", strings.Join(rts, ", "))
	mode := "full"
	if o.Quick {
		mode = "quick"
	}
	fmt.Fprintf(bw, "- runs: 1 warm-up + %d measured per runtime (%s); median, min and max over the measured runs; × native is the median of per-run ratios\n", o.Runs, mode)
	fmt.Fprintf(bw, "\n## Machine\n\n")
	m := r.Machine
	fmt.Fprintf(bw, "- CPU: %s\n- cores: %d\n- memory: %s\n- kernel: %s\n", orUnknown(m.CPU), m.Cores, formatBytes(m.MemBytes), orUnknown(m.Kernel))
	fmt.Fprintf(bw, "\n## Results\n\n")
	for i, row := range r.tableRows(false) {
		for j := range row {
			row[j] = strings.ReplaceAll(row[j], "|", `\|`)
		}
		fmt.Fprintf(bw, "| %s |\n", strings.Join(row, " | "))
		if i == 0 {
			fmt.Fprintf(bw, "|%s\n", strings.Repeat("---|", len(row)))
		}
	}
	return bw.Flush()
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// formatValue prints a measured value: whole numbers with thousands
// separators from 100 up, three significant digits below.
func formatValue(v float64) string {
	switch {
	case math.IsNaN(v):
		return "-"
	case math.Abs(v) >= 100:
		return groupThousands(strconv.FormatFloat(math.Round(v), 'f', 0, 64))
	default:
		return strconv.FormatFloat(v, 'g', 3, 64)
	}
}

func groupThousands(digits string) string {
	neg := strings.HasPrefix(digits, "-")
	digits = strings.TrimPrefix(digits, "-")
	var b strings.Builder
	for i, c := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

func formatRatio(r float64) string {
	if r >= 10 {
		return fmt.Sprintf("%.1f×", r)
	}
	return fmt.Sprintf("%.2f×", r)
}
