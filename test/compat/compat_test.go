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
//   - Every program is compiled once (gcc -O1 -Wall -c) and linked twice,
//     static (-static) and dynamic (run through the host's ld.so and libc);
//     each build is its own subtest, NAME/static and NAME/dynamic. Any
//     compiler or linker output fails the test. programs/compat.h holds the
//     shared check helpers.
//   - Programs that need files work in a fresh directory under /tmp
//     (compat_tmpdir in compat.h): natively it is shared by programs running
//     in parallel, in moat it is the sandbox's own tmpfs.
//   - When moat gets a program wrong, the program goes in
//     known_failures.txt with the reason, as NAME (both builds) or as
//     NAME/static or NAME/dynamic (one build); a bug found in a broad program is
//     best split into a small program of its own, so the rest keeps
//     guarding against regressions.
//
// The tests need root (moat traces its stub processes) and gcc. They build
// moat from this tree; MOAT_BIN names a prebuilt binary to test instead.
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
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/moat-sandbox/moat/internal/testutil/moatbin"
	"github.com/moat-sandbox/moat/internal/testutil/outdiff"
)

const (
	// runTimeout bounds each run of a program, native or in moat.
	runTimeout = 20 * time.Second
	// maxParallel bounds the compilers and programs running at once.
	maxParallel = 2
	// knownFailuresFile lists the programs moat is known to get wrong.
	knownFailuresFile = "known_failures.txt"
)

// compileFlags compile every program, once for all its builds.
var compileFlags = []string{"-O1", "-Wall"}

// variant is one way of linking every program.
type variant struct {
	name    string
	ldflags []string
}

// variants are the builds of every program, in subtest order.
var variants = []variant{
	{"static", []string{"-static"}},
	{"dynamic", nil},
}

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
	// builds caches the object files and linked programs of this run by
	// source ("prog.c") and variant ("static/prog.c").
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
	if err := moatbin.CloseInheritedFDs(); err != nil {
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
	if moatBin, err = moatbin.Get(dir); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return m.Run()
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
	for _, err := range checkKnownFailures(known, names) {
		t.Error(err)
	}
	sort.Strings(progs)
	for _, src := range progs {
		name := progName(src)
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			for _, v := range variants {
				t.Run(v.name, func(t *testing.T) {
					t.Parallel()
					slots <- struct{}{}
					defer func() { <-slots }()
					bin, err := compile(src, v)
					if err != nil {
						t.Fatal(err)
					}
					problems, err := compare(bin, expectedStatus(name))
					if err != nil {
						t.Fatal(err)
					}
					entry, reason, isKnown := knownFailure(known, name, v.name)
					switch {
					case isKnown && len(problems) == 0:
						t.Errorf("listed as known failure (%s) but passes: remove it from %s", entry, knownFailuresFile)
					case isKnown:
						t.Logf("known failure (%s):\n%s", reason, strings.Join(problems, "\n"))
					case len(problems) > 0:
						t.Errorf("moat differs from native Linux:\n%s", strings.Join(problems, "\n"))
					}
				})
			}
		})
	}
}

// knownFailure looks up the known_failures.txt entry covering one build
// of a program: NAME/VARIANT, else NAME.
func knownFailure(known map[string]string, name, variant string) (entry, reason string, ok bool) {
	for _, entry := range []string{name + "/" + variant, name} {
		if reason, ok := known[entry]; ok {
			return entry, reason, true
		}
	}
	return "", "", false
}

// checkKnownFailures reports entries that name no program or variant, and
// programs listed both whole and for one variant.
func checkKnownFailures(known map[string]string, names map[string]bool) []error {
	var errs []error
	entries := make([]string, 0, len(known))
	for entry := range known {
		entries = append(entries, entry)
	}
	sort.Strings(entries)
	for _, entry := range entries {
		name, v, hasVariant := strings.Cut(entry, "/")
		if !names[name] {
			errs = append(errs, fmt.Errorf("%s lists %q, which is not a program in programs/", knownFailuresFile, entry))
			continue
		}
		if !hasVariant {
			continue
		}
		if !slices.ContainsFunc(variants, func(x variant) bool { return x.name == v }) {
			errs = append(errs, fmt.Errorf("%s lists %q: %q is not a build (want NAME, NAME/static or NAME/dynamic)", knownFailuresFile, entry, v))
		}
		if _, whole := known[name]; whole {
			errs = append(errs, fmt.Errorf("%s lists both %q and %q", knownFailuresFile, name, entry))
		}
	}
	return errs
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
			return nil, fmt.Errorf("%s:%d: want one NAME or NAME/VARIANT and a # reason, got %q", path, n, line)
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

// build is one object file or program made once per run.
type build struct {
	once sync.Once
	out  string
	err  error
}

// once runs fn for key at most once per run and returns its result.
func once(key string, fn func() (string, error)) (string, error) {
	x, _ := builds.LoadOrStore(key, new(build))
	b := x.(*build)
	b.once.Do(func() { b.out, b.err = fn() })
	return b.out, b.err
}

// gcc runs gcc with args; any output (a warning) is an error.
func gcc(what string, args ...string) error {
	out, err := exec.Command("gcc", args...).CombinedOutput()
	switch {
	case err != nil:
		return fmt.Errorf("gcc %s: %v\n%s", what, err, out)
	case len(out) > 0:
		return fmt.Errorf("gcc %s printed diagnostics; keep programs warning-free:\n%s", what, out)
	}
	return nil
}

// compile builds src as variant v and returns the program,
// workDir/VARIANT/NAME; the object file both variants link is compiled
// once per run.
func compile(src string, v variant) (string, error) {
	obj, err := once(src, func() (string, error) {
		abs, err := filepath.Abs(src)
		if err != nil {
			return "", err
		}
		obj := filepath.Join(workDir, "obj", progName(src)+".o")
		if err := os.MkdirAll(filepath.Dir(obj), 0o755); err != nil {
			return "", err
		}
		args := append(slices.Clone(compileFlags), "-c", "-o", obj, abs)
		return obj, gcc(strings.Join(compileFlags, " ")+" -c "+src, args...)
	})
	if err != nil {
		return "", err
	}
	return once(v.name+"/"+src, func() (string, error) {
		bin := filepath.Join(workDir, v.name, progName(src))
		if err := os.MkdirAll(filepath.Dir(bin), 0o755); err != nil {
			return "", err
		}
		args := append(slices.Clone(v.ldflags), "-o", bin, obj)
		return bin, gcc(fmt.Sprintf("(%s link) %s", v.name, src), args...)
	})
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
	if d := outdiff.Diff("stdout", native.stdout, inMoat.stdout); d != "" {
		problems = append(problems, d)
	}
	if d := outdiff.Diff("stderr", native.stderr, inMoat.stderr); d != "" {
		problems = append(problems, d)
	}
	return problems, nil
}
