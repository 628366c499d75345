package bench

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"log/slog"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestMedian(t *testing.T) {
	for _, tc := range []struct {
		in   []float64
		want float64
	}{
		{[]float64{5}, 5},
		{[]float64{3, 1, 2}, 2},
		{[]float64{4, 1, 3, 2}, 2.5},
		{[]float64{10, 10, 1, 1000, 11}, 10},
	} {
		in := append([]float64(nil), tc.in...)
		got, ok := Median(in)
		if !ok || got != tc.want {
			t.Errorf("Median(%v) = %v, %v; want %v", tc.in, got, ok, tc.want)
		}
		if !reflect.DeepEqual(in, tc.in) {
			t.Errorf("Median modified its input: %v", in)
		}
	}
	if _, ok := Median(nil); ok {
		t.Error("Median(nil) reported a value")
	}
}

func TestPairedRatio(t *testing.T) {
	// Drift: the machine gets slower run by run, for both runtimes alike.
	base := []float64{100, 200, 400}
	vs := []float64{1000, 2200, 3600}
	got, ok := PairedRatio(vs, base)
	if !ok || got != 10 { // per-pair ratios 10, 11, 9
		t.Errorf("PairedRatio = %v, %v; want 10", got, ok)
	}
	// A ratio of medians would give 2200/200 = 11: pairing matters.

	// Runs pair by index; extra runs and zero baselines are ignored.
	got, ok = PairedRatio([]float64{30, 40, 50, 60}, []float64{10, 0, 10})
	if !ok || got != 4 { // pairs 3 and 5
		t.Errorf("PairedRatio with a zero base = %v, %v; want 4", got, ok)
	}
	if _, ok := PairedRatio([]float64{1}, nil); ok {
		t.Error("PairedRatio without a baseline reported a value")
	}
}

func TestSummarize(t *testing.T) {
	s := Summarize([]float64{30, 10, 20}, []float64{1, 1, 1})
	want := Summary{Runs: 3, Median: 20, Min: 10, Max: 30, Ratio: 20, HasRatio: true}
	if s != want {
		t.Errorf("Summarize = %+v; want %+v", s, want)
	}
	s = Summarize([]float64{1, 2, 3}, nil)
	if s.HasRatio || !math.IsNaN(s.Ratio) {
		t.Errorf("Summarize without baseline gave ratio %v", s.Ratio)
	}
}

func TestWriteCSV(t *testing.T) {
	m := Metric{Name: "time_per_call", Unit: "ns", LowerIsBetter: true}
	results := []*Result{
		{Suite: "syscall", Workload: "getppid", Metric: m, Runtime: "native", Values: []float64{195.17, 1e6, 0.5}},
		{Suite: "syscall", Workload: "getppid", Metric: m, Runtime: "moat", Err: errors.New("boom")},
		{Suite: "syscall", Workload: "get,ppid", Metric: m, Runtime: "moat-ptrace", Values: []float64{12272.59}},
	}
	var buf bytes.Buffer
	if err := WriteCSV(&buf, results); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatalf("reading back: %v\n%s", err, buf.String())
	}
	want := [][]string{
		{"suite", "workload", "metric", "unit", "runtime", "run", "value"},
		{"syscall", "getppid", "time_per_call", "ns", "native", "1", "195.17"},
		{"syscall", "getppid", "time_per_call", "ns", "native", "2", "1000000"},
		{"syscall", "getppid", "time_per_call", "ns", "native", "3", "0.5"},
		{"syscall", "get,ppid", "time_per_call", "ns", "moat-ptrace", "1", "12272.59"},
	}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("CSV rows:\n%q\nwant\n%q", rows, want)
	}
}

func TestFormat(t *testing.T) {
	for v, want := range map[float64]string{1032: "1,032", 42357.4: "42,357", 195.5: "196", 1234567: "1,234,567", 12.345: "12.3", 0.5: "0.5", math.NaN(): "-"} {
		if got := formatValue(v); got != want {
			t.Errorf("formatValue(%v) = %q; want %q", v, got, want)
		}
	}
	if got := formatRatio(13.05); got != "13.1×" && got != "13.0×" {
		t.Errorf("formatRatio(13.05) = %q", got)
	}
	if got := formatRatio(1); got != "1.00×" {
		t.Errorf("formatRatio(1) = %q", got)
	}
}

func TestParseSyscallOutput(t *testing.T) {
	v, err := parseSyscallOutput("syscall=getppid calls=1000 ns_per_call=198.28\n")
	if err != nil || v != 198.28 {
		t.Errorf("parse = %v, %v", v, err)
	}
	for _, bad := range []string{"", "hello\n", "ns_per_call=abc", "ns_per_call=-1", "ns_per_call=NaN"} {
		if _, err := parseSyscallOutput(bad); err == nil {
			t.Errorf("parse(%q) succeeded", bad)
		}
	}
}

func TestSyscallCount(t *testing.T) {
	if n := syscallCount(false, 1); n != 1_000_000 {
		t.Errorf("native count %d", n)
	}
	if n := syscallCount(false, 0.1); n != 100_000 {
		t.Errorf("moat count %d", n)
	}
	if n := syscallCount(true, 0.1); n >= 100_000 {
		t.Errorf("quick moat count %d not below the full one", n)
	}
	if n := syscallCount(true, 1e-9); n != syscallMinCalls {
		t.Errorf("tiny scale gave %d", n)
	}
}

func TestNames(t *testing.T) {
	if _, err := NewRuntimes([]string{"native", "nosuch"}, "/bin/true"); err == nil || !strings.Contains(err.Error(), `"nosuch"`) {
		t.Errorf("unknown runtime: %v", err)
	}
	rts, err := NewRuntimes([]string{"moat", "native", "moat"}, "/bin/true")
	if err != nil || len(rts) != 2 || rts[0].Name() != "moat" || rts[1].Name() != "native" {
		t.Errorf("NewRuntimes = %v, %v", rts, err)
	}
	if got := rts[0].Command(context.Background(), []string{"/x", "a"}).Args; !reflect.DeepEqual(got, []string{"/bin/true", "do", "/x", "a"}) {
		t.Errorf("moat command %q", got)
	}
	if got := rts[1].Command(context.Background(), []string{"/x", "a"}).Args; !reflect.DeepEqual(got, []string{"/x", "a"}) {
		t.Errorf("native command %q", got)
	}
	if _, err := NewSuites([]string{"syscall", "nosuch"}); err == nil || !strings.Contains(err.Error(), `"nosuch"`) {
		t.Errorf("unknown suite: %v", err)
	}
	if s, err := NewSuites(nil); err != nil || len(s) != len(suiteMakers) {
		t.Errorf("default suites %v, %v", s, err)
	}
}

// fakeRuntime measures nothing; fakeSuite's workload asks it for a value.
type fakeRuntime struct {
	name  string
	value float64
	fail  int // fail from this call on (1-based); 0: never
	calls int
	log   *[]string
}

func (r *fakeRuntime) Name() string       { return r.name }
func (r *fakeRuntime) Describe() string   { return "fake" }
func (r *fakeRuntime) Check() error       { return nil }
func (r *fakeRuntime) WorkScale() float64 { return 1 }
func (r *fakeRuntime) Command(ctx context.Context, argv []string) *exec.Cmd {
	return exec.CommandContext(ctx, argv[0], argv[1:]...)
}

type fakeSuite struct{ prepErr error }

func (s *fakeSuite) Name() string                                { return "fake" }
func (s *fakeSuite) Describe() string                            { return "fake" }
func (s *fakeSuite) Needs() string                               { return "nothing" }
func (s *fakeSuite) Prepare(ctx context.Context, env *Env) error { return s.prepErr }
func (s *fakeSuite) Workloads() []Workload {
	return []Workload{{Name: "w", Metric: Metric{Name: "m", Unit: "ns"}, Run: func(ctx context.Context, env *Env, rt Runtime) (float64, error) {
		f := rt.(*fakeRuntime)
		f.calls++
		*f.log = append(*f.log, f.name)
		if f.fail != 0 && f.calls >= f.fail {
			return 0, errors.New("exit status 3\nsecond line")
		}
		return f.value * float64(f.calls), nil
	}}}
}

func TestRunInterleavesAndSurvivesFailure(t *testing.T) {
	var order []string
	native := &fakeRuntime{name: "native", value: 10, log: &order}
	slow := &fakeRuntime{name: "slow", value: 100, log: &order}
	broken := &fakeRuntime{name: "broken", value: 1, fail: 3, log: &order}
	dir := t.TempDir()
	rep, err := Run(context.Background(), Options{
		Suites:   []Suite{&fakeSuite{}},
		Runtimes: []Runtime{native, slow, broken},
		Runs:     3,
		OutDir:   dir,
		CacheDir: t.TempDir(),
	})
	if err != nil {
		t.Fatal(err)
	}
	// Warm-up, then three rounds; broken fails in run 2 and is dropped.
	want := strings.Fields("native slow broken  native slow broken  native slow broken  native slow")
	if !reflect.DeepEqual(order, want) {
		t.Errorf("run order %v\nwant %v", order, want)
	}
	if len(rep.Results) != 3 || rep.Failed() != 1 {
		t.Fatalf("results %+v", rep.Results)
	}
	// Values grow with the call count, warm-up (call 1) excluded.
	if got := rep.Results[1].Values; !reflect.DeepEqual(got, []float64{200, 300, 400}) {
		t.Errorf("slow values %v", got)
	}
	if s := rep.Summary(rep.Results[1]); !s.HasRatio || s.Ratio != 10 || s.Median != 300 {
		t.Errorf("slow summary %+v", s)
	}
	if err := rep.Results[2].Err; err == nil || !strings.HasPrefix(err.Error(), "run 2: exit status 3") {
		t.Errorf("broken error %v", err)
	}
	var table bytes.Buffer
	rep.WriteTable(&table)
	if !strings.Contains(table.String(), "failed") || !strings.Contains(table.String(), "run 2: exit status 3") || strings.Contains(table.String(), "second line") {
		t.Errorf("table:\n%s", table.String())
	}
	data, err := os.ReadFile(filepath.Join(dir, "fake.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(data), "\n"); n != 1+3+3 {
		t.Errorf("fake.csv has %d lines:\n%s", n, data)
	}
	md, err := os.ReadFile(filepath.Join(dir, "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"## Machine", "kernel:", "| fake | w | slow | 300 | 200 | 400 | ns | 10.0× |", "failed: run 2: exit status 3"} {
		if !strings.Contains(string(md), s) {
			t.Errorf("report.md lacks %q:\n%s", s, md)
		}
	}
}

func TestRunPrepareFailure(t *testing.T) {
	var order []string
	rep, err := Run(context.Background(), Options{
		Suites:   []Suite{&fakeSuite{prepErr: errors.New("gcc not found")}},
		Runtimes: []Runtime{&fakeRuntime{name: "native", log: &order}},
		Runs:     3,
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(order) != 0 || rep.Failed() != 1 || rep.Results[0].Err.Error() != "gcc not found" {
		t.Errorf("order %v, results %+v", order, rep.Results[0])
	}
	if _, err := Run(context.Background(), Options{Suites: []Suite{&fakeSuite{}}, Runtimes: []Runtime{&fakeRuntime{name: "x", log: &order}}, Runs: 2}); err == nil {
		t.Error("Run accepted 2 runs")
	}
}

// A command that fails reports the first line of its stderr; a command whose
// output makes no sense is a failure too.
func TestCommandFailures(t *testing.T) {
	env := &Env{Log: slog.New(slog.DiscardHandler)}
	native, _ := NewRuntimes([]string{"native"}, "")
	_, err := runCommand(context.Background(), env, native[0], []string{"/bin/sh", "-c", "echo >&2; echo 'oops: no such thing' >&2; echo more >&2; exit 3"})
	if err == nil || err.Error() != "oops: no such thing" {
		t.Errorf("stderr failure: %v", err)
	}
	_, err = runCommand(context.Background(), env, native[0], []string{"/bin/sh", "-c", "exit 4"})
	if err == nil || err.Error() != "exit status 4" {
		t.Errorf("silent failure: %v", err)
	}
	s := &syscallSuite{helper: "/bin/echo"}
	if _, err := s.run(context.Background(), env, native[0], "getppid"); err == nil || !strings.Contains(err.Error(), "unparsable output") {
		t.Errorf("echo as helper: %v", err)
	}
}
