package bench

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"image/png"
	"log/slog"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
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
	if _, err := NewRuntimes([]string{"native", "nosuch-runtime-xyz"}, "/bin/true"); err == nil || !strings.Contains(err.Error(), `"nosuch-runtime-xyz"`) {
		t.Errorf("unknown runtime: %v", err)
	}
	rts, err := NewRuntimes([]string{"moat", "native", "moat", "moat-ptrace", "runsc-ptrace", "runc"}, "/bin/true")
	if err != nil || len(rts) != 5 || rts[0].Name() != "moat" || rts[1].Name() != "native" {
		t.Fatalf("NewRuntimes = %v, %v", rts, err)
	}
	args := func(rt Runtime, spec Spec) []string {
		t.Helper()
		cmd, cleanup, err := rt.Command(context.Background(), spec)
		if err != nil {
			t.Fatalf("%s: %v", rt.Name(), err)
		}
		defer cleanup()
		return cmd.Args
	}
	if got := args(rts[0], Spec{Argv: []string{"/x", "a"}}); !reflect.DeepEqual(got, []string{"/bin/true", "do", "--", "/x", "a"}) {
		t.Errorf("moat command %q", got)
	}
	got := args(rts[0], Spec{Argv: []string{"/x"}, HostNetwork: true, Mounts: []Mount{{"/h", "/data"}}, Tmpfs: true})
	if want := []string{"/bin/true", "do", "--network=host", "--volume=/h:/data", "--", "/x"}; !reflect.DeepEqual(got, want) {
		t.Errorf("moat server command %q, want %q", got, want)
	}
	if got := args(rts[2], Spec{Argv: []string{"/x"}}); !reflect.DeepEqual(got, []string{"/bin/true", "do", "--platform=ptrace", "--", "/x"}) {
		t.Errorf("moat-ptrace command %q", got)
	}
	if _, _, err := rts[0].Command(context.Background(), Spec{Argv: []string{"/x"}, OCI: true}); !IsNotApplicable(err) {
		t.Errorf("moat OCI path: %v, want not applicable", err)
	}
	if got := args(rts[1], Spec{Argv: []string{"/x", "a"}, HostNetwork: true, OCI: true}); !reflect.DeepEqual(got, []string{"/x", "a"}) {
		t.Errorf("native command %q", got)
	}
	// runsc: do for plain commands, a bundle over / for servers.
	runsc := rts[3].(*ociRuntime)
	runsc.stateDir = t.TempDir()
	if got := args(runsc, Spec{Argv: []string{"/x"}}); !reflect.DeepEqual(got, []string{"runsc", "--root=" + runsc.stateDir, "--platform=ptrace", "--network=none", "do", "/x"}) {
		t.Errorf("runsc do command %q", got)
	}
	cmd, cleanup, err := runsc.Command(context.Background(), Spec{Argv: []string{"/x"}, HostNetwork: true})
	if err != nil {
		t.Fatal(err)
	}
	bundle := cmd.Args[len(cmd.Args)-2]
	if want := []string{"runsc", "--root=" + runsc.stateDir, "--platform=ptrace", "--overlay2=root:memory", "--network=host", "run", "--bundle"}; !reflect.DeepEqual(cmd.Args[:len(want)], want) {
		t.Errorf("runsc run command %q", cmd.Args)
	}
	var cfg ociSpec
	data, err := os.ReadFile(filepath.Join(bundle, "config.json"))
	if err == nil {
		err = json.Unmarshal(data, &cfg)
	}
	if err != nil {
		t.Fatalf("bundle: %v", err)
	}
	if cfg.Root.Path != "/" || !reflect.DeepEqual(cfg.Process.Args, []string{"/x"}) || slices.Contains(cfg.Linux.Namespaces, ociNamespace{"network"}) {
		t.Errorf("runsc bundle config %+v", cfg)
	}
	cleanup()
	if _, err := os.Stat(bundle); !os.IsNotExist(err) {
		t.Errorf("bundle left behind: %v", err)
	}
	// runc: a bundle whose root binds the host's directories, with a
	// network namespace of its own unless asked for the host's.
	runc := rts[4].(*ociRuntime)
	runc.stateDir = t.TempDir()
	cmd, cleanup, err = runc.Command(context.Background(), Spec{Argv: []string{"/x"}, Mounts: []Mount{{"/h", "/data"}}})
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	bundle = cmd.Args[len(cmd.Args)-2]
	data, _ = os.ReadFile(filepath.Join(bundle, "config.json"))
	cfg = ociSpec{}
	if err := json.Unmarshal(data, &cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.Root.Path != filepath.Join(bundle, "rootfs") || !slices.Contains(cfg.Linux.Namespaces, ociNamespace{"network"}) ||
		!slices.ContainsFunc(cfg.Mounts, func(m ociMount) bool { return m.Destination == "/usr" && m.Type == "bind" }) ||
		!slices.ContainsFunc(cfg.Mounts, func(m ociMount) bool { return m.Destination == "/data" && m.Source == "/h" }) ||
		!slices.ContainsFunc(cfg.Mounts, func(m ociMount) bool { return m.Destination == "/tmp" && m.Type == "tmpfs" }) {
		t.Errorf("runc bundle config %s", data)
	}
	if _, err := os.Stat(filepath.Join(bundle, "rootfs", "usr")); err != nil {
		t.Errorf("rootfs mount point: %v", err)
	}

	if _, err := NewSuites([]string{"syscall", "nosuch"}); err == nil || !strings.Contains(err.Error(), `"nosuch"`) {
		t.Errorf("unknown suite: %v", err)
	}
	if s, err := NewSuites(nil); err != nil || len(s) != len(suiteMakers) {
		t.Errorf("default suites %v, %v", s, err)
	}
	if s, err := NewSuites([]string{"fio", "syscall", "fio"}); err != nil || len(s) != 2 || s[0].Name() != "fio" {
		t.Errorf("NewSuites(fio, syscall, fio) = %v, %v", s, err)
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
func (r *fakeRuntime) Isolated() bool     { return r.name != NativeRuntime }
func (r *fakeRuntime) Command(ctx context.Context, spec Spec) (*exec.Cmd, func(), error) {
	return exec.CommandContext(ctx, spec.Argv[0], spec.Argv[1:]...), func() {}, nil
}

// fakeSuite has one single-output workload "w" that asks the runtime for a
// value, and one two-output workload "pair" that does not apply to
// runtimes named "na".
type fakeSuite struct{ prepErr error }

func (s *fakeSuite) Name() string                                { return "fake" }
func (s *fakeSuite) Describe() string                            { return "a fake suite" }
func (s *fakeSuite) Needs() string                               { return "nothing" }
func (s *fakeSuite) Packages() []string                          { return []string{"coreutils"} }
func (s *fakeSuite) Notes(env *Env) []string                     { return []string{"scaled down for a test"} }
func (s *fakeSuite) Prepare(ctx context.Context, env *Env) error { return s.prepErr }
func (s *fakeSuite) Workloads(env *Env) []Workload {
	return []Workload{
		single("w", Metric{Name: "m", Unit: "ns", LowerIsBetter: true}, func(ctx context.Context, env *Env, rt Runtime) (float64, error) {
			f := rt.(*fakeRuntime)
			f.calls++
			*f.log = append(*f.log, f.name)
			if f.fail != 0 && f.calls >= f.fail {
				return 0, errors.New("exit status 3\nsecond line")
			}
			return f.value * float64(f.calls), nil
		}),
		{
			Name:    "pair",
			Outputs: []Output{{Workload: "g/a", Metric: Metric{Name: "rate", Unit: "op/s"}}, {Workload: "g/a", Metric: Metric{Name: "latency", Unit: "ms", LowerIsBetter: true}}},
			Run: func(ctx context.Context, env *Env, rt Runtime) ([]float64, error) {
				if rt.Name() == "na" {
					return nil, notApplicable("no such path")
				}
				return []float64{100, 2}, nil
			},
		},
	}
}

func TestRunInterleavesAndSurvivesFailure(t *testing.T) {
	var order []string
	native := &fakeRuntime{name: "native", value: 10, log: &order}
	slow := &fakeRuntime{name: "slow", value: 100, log: &order}
	broken := &fakeRuntime{name: "broken", value: 1, fail: 3, log: &order}
	na := &fakeRuntime{name: "na", value: 10, log: &order}
	dir := t.TempDir()
	rep, err := Run(context.Background(), Options{
		Suites:   []Suite{&fakeSuite{}},
		Runtimes: []Runtime{native, slow, broken, na},
		Runs:     3,
		OutDir:   dir,
		CacheDir: t.TempDir(),
	})
	if err != nil {
		t.Fatal(err)
	}
	// Warm-up, then three rounds; broken fails in run 2 and is dropped.
	want := strings.Fields("native slow broken na  native slow broken na  native slow broken na  native slow na")
	if !reflect.DeepEqual(order, want) {
		t.Errorf("run order %v\nwant %v", order, want)
	}
	// w under 4 runtimes, then pair's two outputs under 4.
	if len(rep.Results) != 12 || rep.Failed() != 1 {
		t.Fatalf("%d results, %d failed: %+v", len(rep.Results), rep.Failed(), rep.Results)
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
	if r := rep.Results[4]; r.Workload != "g/a" || r.Metric.Name != "rate" || !reflect.DeepEqual(r.Values, []float64{100, 100, 100}) {
		t.Errorf("pair's first output %+v", r)
	}
	if r := rep.Results[8]; r.Metric.Name != "latency" || r.Runtime != "native" || !reflect.DeepEqual(r.Values, []float64{2, 2, 2}) {
		t.Errorf("pair's second output %+v", r)
	}
	if r := rep.Results[11]; r.Runtime != "na" || !IsNotApplicable(r.Err) || r.Err.Error() != "no such path" {
		t.Errorf("not applicable result %+v", r)
	}
	var table bytes.Buffer
	rep.WriteTable(&table)
	if !strings.Contains(table.String(), "failed") || !strings.Contains(table.String(), "run 2: exit status 3") || strings.Contains(table.String(), "second line") {
		t.Errorf("table:\n%s", table.String())
	}
	checkResultsDir(t, dir, 1+3*3+2*3*3)
	md, err := os.ReadFile(filepath.Join(dir, ReportFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"## Machine", "kernel:", "## fake", "a fake suite",
		"| workload | metric | native | slow | slow × native | broken | broken × native | na | na × native |",
		"| w | m (ns) ↓ | 30 (20–40) | 300 (200–400) | 10.0× | failed [1] | - | 30 (20–40) | 1.00× |",
		"| g/a | rate (op/s) ↑ | 100 (100–100) | 100 (100–100) | 1.00× | 100 (100–100) | 1.00× | n/a [2] | - |",
		"| g/a | latency (ms) ↓ | 2 (2–2) | 2 (2–2) | 1.00× | 2 (2–2) | 1.00× | n/a [2] | - |",
		"1. broken: run 2: exit status 3", "2. na: no such path", "- scaled down for a test",
		"![fake-m](fake-m.png)", "![fake-g-latency](fake-g-latency.png)"} {
		if !strings.Contains(string(md), s) {
			t.Errorf("report.md lacks %q:\n%s", s, md)
		}
	}

	// The report rebuilds from the directory alone, identically.
	for _, f := range []string{ReportFile, "fake-m.png", "fake-g-rate.svg"} {
		os.Remove(filepath.Join(dir, f))
	}
	loaded, err := LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := loaded.WriteDir(dir); err != nil {
		t.Fatal(err)
	}
	md2, err := os.ReadFile(filepath.Join(dir, ReportFile))
	if err != nil {
		t.Fatal(err)
	}
	if string(md2) != string(md) {
		t.Errorf("rebuilt report differs:\n%s\n--- was ---\n%s", md2, md)
	}
	checkResultsDir(t, dir, 1+3*3+2*3*3)
}

// checkResultsDir checks that dir holds a well-formed fake.csv of rows
// lines, and a PNG and an SVG for every chart the report names.
func checkResultsDir(t *testing.T, dir string, rows int) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "fake.csv"))
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil || len(recs) != rows || !reflect.DeepEqual(recs[0], CSVHeader) {
		t.Errorf("fake.csv (%v):\n%s", err, data)
	}
	for _, name := range []string{"fake-m", "fake-g-rate", "fake-g-latency"} {
		checkChart(t, filepath.Join(dir, name))
	}
}

// checkChart checks base.png is a PNG image and base.svg an SVG document.
func checkChart(t *testing.T, base string) {
	t.Helper()
	f, err := os.Open(base + ".png")
	if err != nil {
		t.Error(err)
		return
	}
	defer f.Close()
	if cfg, err := png.DecodeConfig(f); err != nil || cfg.Width < 100 || cfg.Height < 100 {
		t.Errorf("%s.png: %v %+v", base, err, cfg)
	}
	svg, err := os.ReadFile(base + ".svg")
	if err != nil {
		t.Error(err)
		return
	}
	var doc struct {
		XMLName xml.Name
	}
	if err := xml.Unmarshal(svg, &doc); err != nil || doc.XMLName.Local != "svg" {
		t.Errorf("%s.svg: %v, root %q", base, err, doc.XMLName.Local)
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
	if len(order) != 0 || rep.Failed() != 3 || rep.Results[0].Err.Error() != "gcc not found" {
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
	native := nativeRuntime{}
	_, err := runSpec(context.Background(), env, native, Spec{Argv: []string{"/bin/sh", "-c", "echo >&2; echo 'oops: no such thing' >&2; echo more >&2; exit 3"}})
	if err == nil || err.Error() != "oops: no such thing" {
		t.Errorf("stderr failure: %v", err)
	}
	_, err = runSpec(context.Background(), env, native, Spec{Argv: []string{"/bin/sh", "-c", "exit 4"}})
	if err == nil || err.Error() != "exit status 4" {
		t.Errorf("silent failure: %v", err)
	}
	s := &syscallSuite{helper: "/bin/echo"}
	if _, err := s.run(context.Background(), env, native, "getppid"); err == nil || !strings.Contains(err.Error(), "unparsable output") {
		t.Errorf("echo as helper: %v", err)
	}
	// A server that dies before it answers fails with its first line.
	p, err := startProc(context.Background(), env, native, Spec{Argv: []string{"/bin/sh", "-c", "echo 'moat: unknown flag: --network' >&2; exit 125"}})
	if err != nil {
		t.Fatal(err)
	}
	defer p.stop()
	port, _ := freePort()
	if err := waitHTTP(context.Background(), p, fmt.Sprintf("http://127.0.0.1:%d/", port)); err == nil || err.Error() != "moat: unknown flag: --network" {
		t.Errorf("dead server: %v", err)
	}
}

func TestParseTools(t *testing.T) {
	ab := `This is ApacheBench, Version 2.3 <$Revision: 1903618 $>
Document Path:          /latin100k.txt
Document Length:        102400 bytes
Concurrency Level:      25
Time taken for tests:   0.210 seconds
Complete requests:      2000
Failed requests:        0
Non-2xx responses:      0
Total transferred:      205284000 bytes
Requests per second:    9523.81 [#/sec] (mean)
Time per request:       2.625 [ms] (mean)
Time per request:       0.105 [ms] (mean, across all concurrent requests)
Transfer rate:          954628.14 [Kbytes/sec] received
`
	r, err := parseAB(ab)
	if err != nil || r.RPS != 9523.81 || r.LatencyMS != 2.625 || r.TransferKiBs != 954628.14 {
		t.Errorf("parseAB = %+v, %v", r, err)
	}
	if _, err := parseAB(strings.Replace(ab, "Failed requests:        0", "Failed requests:        7", 1)); err == nil || !strings.Contains(err.Error(), "7 of 2000 requests failed") {
		t.Errorf("parseAB with failures: %v", err)
	}
	wrk := `Running 2s test @ http://127.0.0.1:8080/
  2 threads and 25 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   812.50us  200.10us   5.00ms   90.00%
    Req/Sec    15.00k     1.00k   17.00k    70.00%
  60000 requests in 2.00s, 1.50MB read
Requests/sec:  30000.00
Transfer/sec:      2.50MB
`
	r, err = parseWrk(wrk)
	if err != nil || r.RPS != 30000 || r.LatencyMS != 0.8125 || r.TransferKiBs != 2560 {
		t.Errorf("parseWrk = %+v, %v", r, err)
	}
	if _, err := parseWrk(wrk + "  Socket errors: connect 0, read 3, write 0, timeout 0\n"); err == nil {
		t.Error("parseWrk ignored socket errors")
	}

	redisOut := `"test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
"PING_INLINE","84033.61","0.311","0.080","0.295","0.455","0.615","1.311"
"PING_MBULK","86956.52","0.300","0.072","0.287","0.439","0.583","0.999"
"LPUSH","80000.00","0.3","0.1","0.3","0.4","0.5","0.9"
"LPUSH (needed to benchmark LRANGE)","1.00","0.3","0.1","0.3","0.4","0.5","0.9"
"LRANGE_100 (first 100 elements)","30000.50","0.3","0.1","0.3","0.4","0.5","0.9"
`
	rps, err := parseRedisCSV(redisOut)
	want := map[string]float64{"PING_INLINE": 84033.61, "PING_BULK": 86956.52, "LPUSH": 80000, "LRANGE_100": 30000.5}
	if err != nil || !reflect.DeepEqual(rps, want) {
		t.Errorf("parseRedisCSV = %v, %v", rps, err)
	}
	// redis 5's CSV has no header.
	if rps, err := parseRedisCSV(`"SET","30257.19"` + "\n"); err != nil || rps["SET"] != 30257.19 {
		t.Errorf("parseRedisCSV(redis 5) = %v, %v", rps, err)
	}

	fio := []byte("fio: some warning\n{\"jobs\": [{\"error\": 0, \"read\": {\"bw_bytes\": 1048576}, \"write\": {\"bw_bytes\": 0}}]}")
	if v, err := parseFioOutput(fio, true); err != nil || v != 1 {
		t.Errorf("parseFioOutput(read) = %v, %v", v, err)
	}
	if _, err := parseFioOutput(fio, false); err == nil {
		t.Error("parseFioOutput(write) found bandwidth in a read job")
	}
	if _, err := parseFioOutput([]byte("fio: failed to open /data/fio.dat\n"), true); err == nil || !strings.Contains(err.Error(), "failed to open") {
		t.Errorf("parseFioOutput(error) = %v", err)
	}

	iperf := []byte(`{"start": {}, "end": {"sum_sent": {"bits_per_second": 2.1e10}, "sum_received": {"bits_per_second": 2.0e10}}}`)
	if v, err := parseIperfJSON(iperf); err != nil || v != 20 {
		t.Errorf("parseIperfJSON = %v, %v", v, err)
	}
	if _, err := parseIperfJSON([]byte(`{"error": "unable to connect to server: Connection refused"}`)); err == nil || !strings.Contains(err.Error(), "Connection refused") {
		t.Errorf("parseIperfJSON(error) = %v", err)
	}

	cpu := "CPU speed:\n    events per second:  1234.56\n\nGeneral statistics:\n"
	if v, err := parseFloatRE(sysbenchEventsRE, cpu); err != nil || v != 1234.56 {
		t.Errorf("sysbench cpu = %v, %v", v, err)
	}
	mem := "Total operations: 5000 (999.0 per second)\n\n102400.00 MiB transferred (20478.48 MiB/sec)\n"
	if v, err := parseFloatRE(sysbenchMiBRE, mem); err != nil || v != 20478.48 {
		t.Errorf("sysbench memory = %v, %v", v, err)
	}
	if v, err := parseFloatRE(hackbenchRE, "mode=pipe kind=thread tasks=80 messages=400000 ns_per_message=1063.07\n"); err != nil || v != 1063.07 {
		t.Errorf("hackbench = %v, %v", v, err)
	}
}

// Every suite declares its metrics without being prepared (the report of a
// directory without meta.json relies on it), names Debian packages, and
// uses workload names that make charts.
func TestSuitesDeclare(t *testing.T) {
	env := &Env{Cores: 2, Quick: true}
	seen := map[string]bool{}
	for _, s := range AllSuites() {
		if seen[s.Name()] {
			t.Errorf("suite %s twice", s.Name())
		}
		seen[s.Name()] = true
		if len(s.Packages()) == 0 || s.Describe() == "" || s.Needs() == "" || len(s.Notes(env)) == 0 {
			t.Errorf("suite %s lacks a description, needs, packages or notes", s.Name())
		}
		ws := s.Workloads(env)
		if len(ws) == 0 {
			t.Errorf("suite %s has no workloads", s.Name())
		}
		outs := map[string]bool{}
		for _, w := range ws {
			if len(w.Outputs) == 0 || w.Run == nil {
				t.Errorf("%s/%s: no outputs or no Run", s.Name(), w.Name)
			}
			for _, o := range w.Outputs {
				k := o.Workload + "\x00" + o.Metric.Name
				if outs[k] || o.Metric.Unit == "" || strings.Count(o.Workload, "/") > 1 {
					t.Errorf("%s: output %q %q duplicated, without a unit or badly named", s.Name(), o.Workload, o.Metric.Name)
				}
				outs[k] = true
			}
		}
	}
	if got := Packages(AllSuites()); !slices.Contains(got, "sysbench") || !slices.Contains(got, "redis-tools") || !slices.IsSorted(got) {
		t.Errorf("Packages = %v", got)
	}
}

// A chart on a log axis copes with failed runtimes (NaN) and values spanning
// decades.
func TestChartLogAxis(t *testing.T) {
	dir := t.TempDir()
	c := &chart{File: "c", Title: "t", Metric: Metric{Name: "bw", Unit: "MiB/s", LogAxis: true},
		Groups: []string{"a", "b"}, Runtimes: []string{"native", "moat"},
		Values: [][]float64{{4000, 60}, {math.NaN(), 0.5}}}
	if err := c.write(dir); err != nil {
		t.Fatal(err)
	}
	checkChart(t, filepath.Join(dir, "c"))
	if lo, hi := (&groupedBars{values: c.Values, log: true}).yRange(); lo != 0.1 || hi != 100000 {
		t.Errorf("log range %v..%v", lo, hi)
	}
}
