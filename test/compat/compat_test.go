// Package compat runs the small C programs in programs/ natively and under
// `moat do`, and requires the two runs to agree byte for byte: exit status,
// stdout and stderr. Linux is the reference: when moat differs, moat is
// wrong (or the program is listed, with the reason, in known_failures.txt).
//
// Conventions for programs/*.c:
//
//   - Each program checks one area and prints what it checks
//     ("mmap fixed: ok"); its output must be deterministic (no addresses,
//     pids or times).
//   - A program named NAME-N.c must end with status N, where a death by
//     signal S counts as 128+S (the status moat reports for it); every other
//     program must exit 0. The native run is held to this too, so a program
//     that fails natively is reported as broken rather than compared.
//   - Every program runs with the arguments in progArgs, the environment in
//     progEnv, stdin from /dev/null and stdout and stderr on pipes.
//   - Programs are built with gcc -static -O1 -Wall; any compiler output
//     fails the test. programs/compat.h holds the shared check helpers.
//   - When moat gets a program wrong, the program goes in
//     known_failures.txt with the reason; a bug found in a broad program is
//     best split into a small program of its own, so the rest keeps
//     guarding against regressions.
//
// The tests need root (moat traces its stub processes) and gcc.
package compat

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"
)

const (
	// runTimeout bounds each run of a program, native or in moat.
	runTimeout = 20 * time.Second
	// maxParallel bounds the compilers and programs running at once.
	maxParallel = 2
	// knownFailuresFile lists the programs moat is known to get wrong.
	knownFailuresFile = "known_failures.txt"
)

// progArgs are the arguments every program gets after argv[0].
var progArgs = []string{"alpha", "two words", ""}

// progEnv is the whole environment every program gets, natively and in moat
// (moat hands its own environment to the application).
var progEnv = []string{
	"PATH=/usr/bin:/bin",
	"LC_ALL=C",
	"COMPAT_GREETING=hello from the harness",
}

var (
	// moatBin is the moat binary TestMain built.
	moatBin string
	// workDir holds the compiled programs; programs also run there.
	workDir string
	// slots bounds the compilers and programs running at once.
	slots = make(chan struct{}, maxParallel)
	// builds caches the compiled programs of this run by name.
	builds sync.Map // string -> *build
)

func TestMain(m *testing.M) {
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	if os.Geteuid() != 0 {
		fmt.Fprintln(os.Stderr, "these tests need root: moat traces its stub processes with ptrace; run `go test` as root")
		return 1
	}
	if _, err := exec.LookPath("gcc"); err != nil {
		fmt.Fprintln(os.Stderr, "these tests need gcc (with static glibc) to build programs/*.c:", err)
		return 1
	}
	if err := closeInheritedFDs(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	// The sandbox has its own /tmp (a tmpfs): programs it runs must live
	// where its view of the host root shows them.
	os.Setenv("TMPDIR", "/var/tmp")
	dir, err := os.MkdirTemp("", "moat-compat-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	workDir = dir
	moatBin = filepath.Join(dir, "moat")
	build := exec.Command("go", "build", "-o", moatBin, ".")
	build.Dir = filepath.Join("..", "..", "cmd", "moat")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building moat (go build ../../cmd/moat): %v\n%s", err, out)
		return 1
	}
	return m.Run()
}

// closeInheritedFDs marks every descriptor above stderr close-on-exec, so
// that programs start with exactly fds 0, 1 and 2 natively, as they do in
// moat (os/exec passes on whatever non-close-on-exec descriptors the test
// binary inherited).
func closeInheritedFDs() error {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return err
	}
	for _, e := range ents {
		fd, err := strconv.Atoi(e.Name())
		if err != nil || fd <= 2 {
			continue
		}
		syscall.CloseOnExec(fd) // ReadDir has closed its own fd by now: harmless
	}
	return nil
}

// TestCompat runs each program natively and in moat and compares the runs.
func TestCompat(t *testing.T) {
	progs, err := filepath.Glob(filepath.Join("programs", "*.c"))
	if err != nil {
		t.Fatal(err)
	}
	if len(progs) == 0 {
		t.Fatal("no programs in programs/*.c")
	}
	known, err := readKnownFailures(knownFailuresFile)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, p := range progs {
		names[progName(p)] = true
	}
	for name := range known {
		if !names[name] {
			t.Errorf("%s lists %q, which is not a program in programs/", knownFailuresFile, name)
		}
	}
	sort.Strings(progs)
	for _, src := range progs {
		name := progName(src)
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			slots <- struct{}{}
			defer func() { <-slots }()
			bin, err := compile(src)
			if err != nil {
				t.Fatal(err)
			}
			problems, err := compare(bin, expectedStatus(name))
			if err != nil {
				t.Fatal(err)
			}
			reason, isKnown := known[name]
			switch {
			case isKnown && len(problems) == 0:
				t.Errorf("listed as known failure but passes: remove it from %s", knownFailuresFile)
			case isKnown:
				t.Logf("known failure (%s):\n%s", reason, strings.Join(problems, "\n"))
			case len(problems) > 0:
				t.Errorf("moat differs from native Linux:\n%s", strings.Join(problems, "\n"))
			}
		})
	}
}

// progName is a program's name: its file name without ".c".
func progName(src string) string {
	return strings.TrimSuffix(filepath.Base(src), ".c")
}

var statusSuffix = regexp.MustCompile(`-([0-9]+)$`)

// expectedStatus is the status a program must end with: N for NAME-N,
// else 0.
func expectedStatus(name string) int {
	if m := statusSuffix.FindStringSubmatch(name); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n
	}
	return 0
}

// readKnownFailures parses the known failures: "NAME # reason" a line,
// with blank lines and "#" comments allowed.
func readKnownFailures(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	known := map[string]string{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, reason, _ := strings.Cut(line, "#")
		name, reason = strings.TrimSpace(name), strings.TrimSpace(reason)
		if strings.ContainsAny(name, " \t") {
			return nil, fmt.Errorf("%s:%d: want one program name and a # reason, got %q", path, n, line)
		}
		if reason == "" {
			return nil, fmt.Errorf("%s:%d: %s has no # reason", path, n, name)
		}
		if _, dup := known[name]; dup {
			return nil, fmt.Errorf("%s:%d: %s listed twice", path, n, name)
		}
		known[name] = reason
	}
	return known, sc.Err()
}

// build is one program compiled once per run.
type build struct {
	once sync.Once
	bin  string
	err  error
}

// compile builds src with gcc, once per run, and returns the binary.
func compile(src string) (string, error) {
	v, _ := builds.LoadOrStore(src, new(build))
	b := v.(*build)
	b.once.Do(func() {
		bin := filepath.Join(workDir, progName(src))
		abs, err := filepath.Abs(src)
		if err != nil {
			b.err = err
			return
		}
		cmd := exec.Command("gcc", "-static", "-O1", "-Wall", "-o", bin, abs)
		out, err := cmd.CombinedOutput()
		switch {
		case err != nil:
			b.err = fmt.Errorf("gcc %s: %v\n%s", src, err, out)
		case len(out) > 0:
			b.err = fmt.Errorf("gcc %s printed diagnostics; keep programs warning-free:\n%s", src, out)
		default:
			b.bin = bin
		}
	})
	return b.bin, b.err
}

// result is how one run ended.
type result struct {
	// status is the exit code, or 128+N after a death by signal N.
	status int
	// how describes the end for messages ("exit 0", "killed by signal 11").
	how            string
	stdout, stderr []byte
}

// run runs argv with the harness's stdio and environment, killing its
// process group if it outlives runTimeout.
func run(argv ...string) (*result, error) {
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = progEnv
	cmd.Dir = workDir
	cmd.Stdout, cmd.Stderr = &stdout, &stderr // stdin stays /dev/null
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 2 * time.Second
	err := cmd.Run()
	if ctx.Err() == context.DeadlineExceeded {
		return nil, fmt.Errorf("%q: timed out after %v (process group killed)", argv, runTimeout)
	}
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		return nil, fmt.Errorf("%q: %v", argv, err)
	}
	r := &result{stdout: stdout.Bytes(), stderr: stderr.Bytes()}
	ws := cmd.ProcessState.Sys().(syscall.WaitStatus)
	switch {
	case ws.Signaled():
		r.status = 128 + int(ws.Signal())
		r.how = fmt.Sprintf("killed by signal %d (%v)", ws.Signal(), ws.Signal())
	default:
		r.status = ws.ExitStatus()
		r.how = fmt.Sprintf("exit %d", r.status)
	}
	return r, nil
}

// compare runs bin natively and in moat and returns how the moat run
// differs. An error means the comparison could not be made: a timeout, or
// a native run that does not end as the program's name says.
func compare(bin string, want int) ([]string, error) {
	args := append([]string{bin}, progArgs...)
	native, err := run(args...)
	if err != nil {
		return nil, fmt.Errorf("native run: %v", err)
	}
	if native.status != want {
		return nil, fmt.Errorf("native run ended with %s, want status %d: the program is broken\nstdout:\n%s\nstderr:\n%s",
			native.how, want, native.stdout, native.stderr)
	}
	inMoat, err := run(append([]string{moatBin, "do", "--"}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("moat run: %v", err)
	}
	var problems []string
	if inMoat.status != native.status {
		how := fmt.Sprintf("exit %d", inMoat.status)
		if inMoat.how != how {
			how = "moat itself " + inMoat.how
		}
		problems = append(problems, fmt.Sprintf("status: native %s (status %d), moat %s", native.how, native.status, how))
	}
	if d := diff("stdout", native.stdout, inMoat.stdout); d != "" {
		problems = append(problems, d)
	}
	if d := diff("stderr", native.stderr, inMoat.stderr); d != "" {
		problems = append(problems, d)
	}
	return problems, nil
}

// Diff context: lines shown before the first difference, and differing
// lines shown from each side.
const (
	diffBefore = 3
	diffAfter  = 6
)

// diff describes where native and moat output first differ, or returns ""
// when they are equal.
func diff(what string, native, moat []byte) string {
	if bytes.Equal(native, moat) {
		return ""
	}
	a, b := splitLines(native), splitLines(moat)
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s differs from line %d (native: %d lines, moat: %d lines):\n", what, i+1, len(a), len(b))
	for j := max(0, i-diffBefore); j < i; j++ {
		fmt.Fprintf(&sb, "          %s\n", showLine(a[j]))
	}
	side := func(label string, lines []string) {
		if i >= len(lines) {
			fmt.Fprintf(&sb, "  %s (end of output)\n", label)
			return
		}
		for j := i; j < len(lines) && j < i+diffAfter; j++ {
			fmt.Fprintf(&sb, "  %s %s\n", label, showLine(lines[j]))
			label = strings.Repeat(" ", len(label))
		}
		if n := len(lines) - (i + diffAfter); n > 0 {
			fmt.Fprintf(&sb, "  %s ... %d more lines\n", label, n)
		}
	}
	side("native:", a)
	side("moat:  ", b)
	return strings.TrimSuffix(sb.String(), "\n")
}

// splitLines splits output after each newline; a last line without one
// keeps no newline, so that difference shows.
func splitLines(b []byte) []string {
	var lines []string
	for len(b) > 0 {
		n := bytes.IndexByte(b, '\n') + 1
		if n == 0 {
			n = len(b)
		}
		lines = append(lines, string(b[:n]))
		b = b[n:]
	}
	return lines
}

// showLine prints a line plainly when it is printable text, quoted
// otherwise, and marks a missing final newline.
func showLine(l string) string {
	body, nl := strings.CutSuffix(l, "\n")
	plain := utf8.ValidString(body) && !strings.ContainsFunc(body, func(r rune) bool {
		return r < ' ' && r != '\t' || r == 0x7f
	})
	if !plain {
		body = strconv.Quote(body)
	}
	if !nl {
		body += "  [no newline at end]"
	}
	return body
}
