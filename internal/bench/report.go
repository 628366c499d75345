package bench

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
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

// resultNote is how a result that has no values shows in a table cell.
func resultNote(res *Result) string {
	if IsNotApplicable(res.Err) {
		return "n/a"
	}
	return "failed"
}

// tableRows renders the results as rows of cells, header first. A failed
// runtime's row says "failed" (or "n/a") and, in a ninth cell past the
// others, the first line of its error.
func (r *Report) tableRows() [][]string {
	rows := [][]string{{"SUITE", "WORKLOAD", "RUNTIME", "MEDIAN", "MIN", "MAX", "UNIT", "× NATIVE"}}
	for _, res := range r.Results {
		if res.Err != nil {
			rows = append(rows, []string{res.Suite, res.Workload, res.Runtime, resultNote(res), "-", "-", res.Metric.Unit, "-", FirstLine(res.Err.Error())})
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
	for _, row := range r.tableRows() {
		fmt.Fprintln(tw, strings.Join(row, "\t"))
	}
	return tw.Flush()
}

// suiteNames lists the suites of the report in run order: those named in
// r.Suites, then any others the results hold.
func (r *Report) suiteNames() []string {
	var names []string
	seen := map[string]bool{}
	for _, s := range r.Suites {
		if !seen[s.Name] {
			seen[s.Name] = true
			names = append(names, s.Name)
		}
	}
	for _, res := range r.Results {
		if !seen[res.Suite] {
			seen[res.Suite] = true
			names = append(names, res.Suite)
		}
	}
	return names
}

// runtimeNames lists the runtimes of the report in interleaving order.
func (r *Report) runtimeNames() []string {
	var names []string
	seen := map[string]bool{}
	for _, rt := range r.Runtimes {
		if !seen[rt.Name] {
			seen[rt.Name] = true
			names = append(names, rt.Name)
		}
	}
	for _, res := range r.Results {
		if !seen[res.Runtime] {
			seen[res.Runtime] = true
			names = append(names, res.Runtime)
		}
	}
	return names
}

// outputKey identifies one row of a suite's table: a workload's metric.
type outputKey struct{ Workload, Metric string }

// suiteRows groups the results of suite by output, in result order, and
// indexes each group by runtime.
func (r *Report) suiteRows(suite string) ([]outputKey, map[outputKey]map[string]*Result) {
	var keys []outputKey
	byKey := map[outputKey]map[string]*Result{}
	for _, res := range r.Results {
		if res.Suite != suite {
			continue
		}
		k := outputKey{res.Workload, res.Metric.Name}
		if byKey[k] == nil {
			byKey[k] = map[string]*Result{}
			keys = append(keys, k)
		}
		byKey[k][res.Runtime] = res
	}
	return keys, byKey
}

// WriteMarkdown writes report.md: the machine, the settings, and per suite
// its charts, a table of medians (min–max) and ratios to native, its notes
// and the errors of what failed. charts maps a suite to its chart files.
func (r *Report) WriteMarkdown(w io.Writer, charts map[string][]string) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "# moat bench report\n\n")
	fmt.Fprintf(bw, "- date: %s (took %s)\n", r.Started.UTC().Format(time.RFC3339), r.Duration.Round(time.Second))
	if r.Version != "" {
		fmt.Fprintf(bw, "- moat: %s\n", r.Version)
	}
	if len(r.CommandLine) > 0 {
		fmt.Fprintf(bw, "- command: `%s`\n", strings.Join(r.CommandLine, " "))
	}
	var rts []string
	for _, rt := range r.Runtimes {
		rts = append(rts, fmt.Sprintf("`%s` (%s)", rt.Name, rt.Describe))
	}
	fmt.Fprintf(bw, "- runtimes, interleaved in this order: %s\n", strings.Join(rts, ", "))
	mode := "full"
	if r.Quick {
		mode = "quick: smaller workloads, a first look and not figures to quote"
	}
	fmt.Fprintf(bw, "- runs: 1 warm-up + %d measured per runtime (%s); each cell is the median (min–max) over the measured runs; × native is the median of per-run ratios to native (runs are paired: run i of every runtime was taken in the same round)\n", r.Runs, mode)
	fmt.Fprintf(bw, "\n## Machine\n\n")
	m := r.Machine
	fmt.Fprintf(bw, "- CPU: %s\n- cores: %d\n- memory: %s\n- kernel: %s\n", orUnknown(m.CPU), m.Cores, formatBytes(m.MemBytes), orUnknown(m.Kernel))

	describe := map[string]string{}
	took := map[string]float64{}
	for _, s := range r.Suites {
		describe[s.Name] = s.Describe
		took[s.Name] = s.Seconds
	}
	runtimes := r.runtimeNames()
	for _, suite := range r.suiteNames() {
		fmt.Fprintf(bw, "\n## %s\n\n", suite)
		if d := describe[suite]; d != "" {
			fmt.Fprintf(bw, "%s\n\n", d)
		}
		for _, c := range charts[suite] {
			fmt.Fprintf(bw, "![%s](%s)\n", strings.TrimSuffix(c, filepath.Ext(c)), c)
		}
		if len(charts[suite]) > 0 {
			fmt.Fprintln(bw)
		}
		keys, byKey := r.suiteRows(suite)
		header := []string{"workload", "metric"}
		for _, rt := range runtimes {
			header = append(header, rt)
			if rt != NativeRuntime {
				header = append(header, rt+" × native")
			}
		}
		writeMarkdownRow(bw, header)
		fmt.Fprintf(bw, "|%s\n", strings.Repeat("---|", len(header)))
		var errs []string // distinct "runtime: error" lines, numbered from 1
		for _, k := range keys {
			res0 := firstResult(byKey[k], runtimes)
			metric := res0.Metric.Unit
			if res0.Metric.Name != "" {
				metric = res0.Metric.Name + " (" + res0.Metric.Unit + ")"
			}
			if res0.Metric.LowerIsBetter {
				metric += " ↓"
			} else {
				metric += " ↑"
			}
			row := []string{k.Workload, metric}
			for _, rt := range runtimes {
				res := byKey[k][rt]
				cell, ratio := "", ""
				switch {
				case res == nil:
				case res.Err != nil:
					msg := rt + ": " + FirstLine(res.Err.Error())
					n := slices.Index(errs, msg)
					if n < 0 {
						errs = append(errs, msg)
						n = len(errs) - 1
					}
					cell = fmt.Sprintf("%s [%d]", resultNote(res), n+1)
					ratio = "-"
				default:
					s := r.Summary(res)
					cell = fmt.Sprintf("%s (%s–%s)", formatValue(s.Median), formatValue(s.Min), formatValue(s.Max))
					ratio = "-"
					if s.HasRatio {
						ratio = formatRatio(s.Ratio)
					}
				}
				row = append(row, cell)
				if rt != NativeRuntime {
					row = append(row, ratio)
				}
			}
			writeMarkdownRow(bw, row)
		}
		if len(errs) > 0 {
			fmt.Fprintln(bw)
			for i, e := range errs {
				fmt.Fprintf(bw, "%d. %s\n", i+1, strings.ReplaceAll(e, "|", `\|`))
			}
		}
		if notes := r.Notes[suite]; len(notes) > 0 {
			fmt.Fprintln(bw)
			for _, n := range notes {
				fmt.Fprintf(bw, "- %s\n", n)
			}
		}
		if took[suite] > 0 {
			fmt.Fprintf(bw, "\nThe suite took %s.\n", (time.Duration(took[suite]) * time.Second).Round(time.Second))
		}
	}
	return bw.Flush()
}

func firstResult(m map[string]*Result, order []string) *Result {
	for _, rt := range order {
		if r := m[rt]; r != nil {
			return r
		}
	}
	return nil
}

func writeMarkdownRow(w io.Writer, cells []string) {
	esc := make([]string, len(cells))
	for i, c := range cells {
		esc[i] = strings.ReplaceAll(c, "|", `\|`)
	}
	fmt.Fprintf(w, "| %s |\n", strings.Join(esc, " | "))
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

// MetaFile is the file of a results directory that holds what the CSVs do
// not: the machine, the settings, the metrics' directions, the failures.
const MetaFile = "meta.json"

// ReportFile is the Markdown report of a results directory.
const ReportFile = "report.md"

type metaJSON struct {
	Started     time.Time           `json:"started"`
	DurationSec float64             `json:"duration_seconds"`
	Machine     Machine             `json:"machine"`
	Runs        int                 `json:"runs"`
	Quick       bool                `json:"quick"`
	Version     string              `json:"version,omitempty"`
	CommandLine []string            `json:"command_line,omitempty"`
	Runtimes    []RuntimeInfo       `json:"runtimes"`
	Suites      []SuiteInfo         `json:"suites"`
	Notes       map[string][]string `json:"notes,omitempty"`
	Outputs     []metaOutput        `json:"outputs"`
}

// metaOutput is one result without its values (those are in the CSV).
type metaOutput struct {
	Suite         string `json:"suite"`
	Workload      string `json:"workload"`
	Metric        string `json:"metric"`
	Unit          string `json:"unit"`
	Runtime       string `json:"runtime"`
	LowerIsBetter bool   `json:"lower_is_better,omitempty"`
	LogAxis       bool   `json:"log_axis,omitempty"`
	Error         string `json:"error,omitempty"`
	NotApplicable bool   `json:"not_applicable,omitempty"`
}

// WriteMeta writes meta.json.
func (r *Report) WriteMeta(w io.Writer) error {
	m := metaJSON{Started: r.Started, DurationSec: r.Duration.Seconds(), Machine: r.Machine, Runs: r.Runs, Quick: r.Quick,
		Version: r.Version, CommandLine: r.CommandLine, Runtimes: r.Runtimes, Suites: r.Suites, Notes: r.Notes}
	for _, res := range r.Results {
		o := metaOutput{Suite: res.Suite, Workload: res.Workload, Metric: res.Metric.Name, Unit: res.Metric.Unit, Runtime: res.Runtime,
			LowerIsBetter: res.Metric.LowerIsBetter, LogAxis: res.Metric.LogAxis}
		if res.Err != nil {
			o.Error = FirstLine(res.Err.Error())
			o.NotApplicable = IsNotApplicable(res.Err)
		}
		m.Outputs = append(m.Outputs, o)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(m)
}

// WriteDir writes meta.json, the charts and report.md into dir (the CSVs
// are written as each suite ends).
func (r *Report) WriteDir(dir string) error {
	if err := writeFile(filepath.Join(dir, MetaFile), r.WriteMeta); err != nil {
		return err
	}
	charts, err := r.WriteCharts(dir)
	if err != nil {
		return err
	}
	return writeFile(filepath.Join(dir, ReportFile), func(w io.Writer) error { return r.WriteMarkdown(w, charts) })
}

// LoadDir rebuilds a report from a results directory: every *.csv in it and,
// when present, meta.json. Without meta.json, the metrics' directions come
// from the suites moat knows and the machine is left unknown.
func LoadDir(dir string) (*Report, error) {
	csvs, err := filepath.Glob(filepath.Join(dir, "*.csv"))
	if err != nil {
		return nil, err
	}
	if len(csvs) == 0 {
		return nil, fmt.Errorf("no CSV files in %s", dir)
	}
	r := &Report{Notes: map[string][]string{}}
	var meta metaJSON
	haveMeta := false
	if data, err := os.ReadFile(filepath.Join(dir, MetaFile)); err == nil {
		if err := json.Unmarshal(data, &meta); err != nil {
			return nil, fmt.Errorf("%s: %v", MetaFile, err)
		}
		haveMeta = true
		r.Started, r.Duration, r.Machine = meta.Started, time.Duration(meta.DurationSec*float64(time.Second)), meta.Machine
		r.Runs, r.Quick, r.Version, r.CommandLine = meta.Runs, meta.Quick, meta.Version, meta.CommandLine
		r.Runtimes, r.Suites = meta.Runtimes, meta.Suites
		if meta.Notes != nil {
			r.Notes = meta.Notes
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	type rkey struct{ suite, workload, metric, runtime string }
	byKey := map[rkey]*Result{}
	var order []*Result
	add := func(res *Result) *Result {
		k := rkey{res.Suite, res.Workload, res.Metric.Name, res.Runtime}
		if old := byKey[k]; old != nil {
			return old
		}
		byKey[k] = res
		order = append(order, res)
		return res
	}
	known := knownMetrics()
	// meta.json gives the order, the directions and the failures.
	for _, o := range meta.Outputs {
		res := add(&Result{Suite: o.Suite, Workload: o.Workload, Runtime: o.Runtime,
			Metric: Metric{Name: o.Metric, Unit: o.Unit, LowerIsBetter: o.LowerIsBetter, LogAxis: o.LogAxis}})
		if o.Error != "" {
			if o.NotApplicable {
				res.Err = &NotApplicableError{Reason: o.Error}
			} else {
				res.Err = errors.New(o.Error)
			}
		}
	}
	for _, path := range csvs {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		rows, err := csv.NewReader(f).ReadAll()
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %v", path, err)
		}
		if len(rows) == 0 || !slices.Equal(rows[0], CSVHeader) {
			return nil, fmt.Errorf("%s: not a moat bench CSV (header %q)", path, rows[:min(1, len(rows))])
		}
		for i, row := range rows[1:] {
			v, err := strconv.ParseFloat(row[6], 64)
			if err != nil {
				return nil, fmt.Errorf("%s:%d: value %q: %v", path, i+2, row[6], err)
			}
			m := Metric{Name: row[2], Unit: row[3]}
			if km, ok := known[row[0]+"\x00"+row[2]]; ok {
				m.LowerIsBetter, m.LogAxis = km.LowerIsBetter, km.LogAxis
			}
			res := add(&Result{Suite: row[0], Workload: row[1], Metric: m, Runtime: row[4]})
			if res.Err == nil {
				res.Values = append(res.Values, v)
			}
		}
	}
	r.Results = order
	if !haveMeta {
		for _, res := range order {
			if !slices.ContainsFunc(r.Runtimes, func(i RuntimeInfo) bool { return i.Name == res.Runtime }) {
				r.Runtimes = append(r.Runtimes, RuntimeInfo{Name: res.Runtime, Describe: "from the CSV"})
			}
		}
		for _, s := range AllSuites() {
			for _, res := range order {
				if res.Suite == s.Name() {
					r.Suites = append(r.Suites, SuiteInfo{Name: s.Name(), Describe: s.Describe()})
					break
				}
			}
		}
		// Runs: the most any result holds.
		for _, res := range order {
			r.Runs = max(r.Runs, len(res.Values))
		}
	}
	return r, nil
}

// knownMetrics indexes the metrics of every known suite by suite and metric
// name, for CSVs without meta.json.
func knownMetrics() map[string]Metric {
	m := map[string]Metric{}
	env := &Env{Cores: runtime.NumCPU()}
	for _, s := range AllSuites() {
		for _, w := range s.Workloads(env) {
			for _, o := range w.Outputs {
				m[s.Name()+"\x00"+o.Metric.Name] = o.Metric
			}
		}
	}
	return m
}
