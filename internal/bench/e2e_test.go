package bench

import (
	"context"
	"encoding/csv"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// TestBenchEndToEnd builds moat and runs `moat bench --quick syscall --out
// DIR`, as a user would, then checks the CSV holds numbers for both default
// runtimes. moat needs root (ptrace, namespaces), so this test does too.
func TestBenchEndToEnd(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Fatal("this test needs root: moat do uses ptrace and namespaces (run go test as root)")
	}
	if _, err := exec.LookPath("gcc"); err != nil {
		t.Fatal("this test needs gcc and a static libc (libc6-dev) to build the syscall helper")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	// The sandbox has its own /tmp: the helper must be built where moat's
	// view of the host root shows it.
	tmp, err := os.MkdirTemp("/var/tmp", "moat-bench-e2e-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(tmp)
	moat := filepath.Join(tmp, "moat")
	// go test puts its own go command first in PATH.
	build := exec.CommandContext(ctx, "go", "build", "-o", moat, "github.com/moat-sandbox/moat/cmd/moat")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building moat: %v\n%s", err, out)
	}

	outDir := filepath.Join(tmp, "results")
	cmd := exec.CommandContext(ctx, moat, "bench", "--quick", "syscall", "--out", outDir)
	cmd.Env = append(os.Environ(), "XDG_CACHE_HOME="+filepath.Join(tmp, "cache")) // build the helper afresh
	out, err := cmd.CombinedOutput()
	t.Logf("moat bench output:\n%s", out)
	if err != nil {
		t.Fatalf("moat bench: %v", err)
	}

	f, err := os.Open(filepath.Join(outDir, "syscall.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) == 0 || len(rows[0]) != len(CSVHeader) || rows[0][4] != "runtime" || rows[0][6] != "value" {
		t.Fatalf("CSV header %q", rows[:min(1, len(rows))])
	}
	// runtime -> workload -> numeric runs
	got := map[string]map[string]int{}
	for _, r := range rows[1:] {
		v, err := strconv.ParseFloat(r[6], 64)
		if err != nil || v <= 0 {
			t.Errorf("row %q: value is not a positive number", r)
			continue
		}
		if got[r[4]] == nil {
			got[r[4]] = map[string]int{}
		}
		got[r[4]][r[1]]++
	}
	for _, rt := range DefaultRuntimes {
		for _, w := range []string{"getppid", "gettimeofday"} {
			if n := got[rt][w]; n != DefaultQuickRuns {
				t.Errorf("%s/%s: %d numeric rows, want %d", rt, w, n, DefaultQuickRuns)
			}
		}
	}
	if _, err := os.Stat(filepath.Join(outDir, "report.md")); err != nil {
		t.Error(err)
	}
}
