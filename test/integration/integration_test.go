// Package integration checks moat from the outside: the CLI's behaviour, the
// confinement of the stub processes, and that application system calls never
// reach the host.
package integration

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/moat-sandbox/moat/internal/testutil/moatbin"
)

var (
	moatBin string
	progDir string
)

func TestMain(m *testing.M) {
	if os.Geteuid() != 0 {
		fmt.Fprintln(os.Stderr, "integration tests need root (moat ptraces its stubs and installs seccomp filters); run go test as root")
		os.Exit(1)
	}
	// The sandbox has its own /tmp (a tmpfs): programs it runs must live
	// where its view of the host root shows them.
	os.Setenv("TMPDIR", "/var/tmp")
	dir, err := os.MkdirTemp("", "moat-integration-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	progDir = dir
	if moatBin, err = moatbin.Get(dir); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// compile builds testdata/name.c as a static binary.
func compile(t *testing.T, name string) string {
	t.Helper()
	out := filepath.Join(progDir, name)
	if _, err := os.Stat(out); err == nil {
		return out
	}
	cmd := exec.Command("gcc", "-static", "-O1", "-Wall", "-o", out, filepath.Join("testdata", name+".c"))
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("gcc %s: %v\n%s", name, err, b)
	}
	return out
}

type result struct {
	status         int
	stdout, stderr string
}

func moat(t *testing.T, args ...string) result {
	t.Helper()
	cmd := exec.Command(moatBin, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	st := 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatalf("running moat %v: %v", args, err)
		}
		st = ee.ExitCode()
	}
	return result{st, out.String(), errb.String()}
}

func TestNoHostSyscalls(t *testing.T) {
	prog := compile(t, "nohost")
	watch := t.TempDir()
	os.WriteFile(filepath.Join(watch, "existing"), []byte("host\n"), 0o644)
	r := moat(t, "do", prog, watch)
	want := "mkdir: ok\nopen: ok\nwrite: ok\nrename: ok\nstat renamed: ok\nsize 5\n" +
		"stat old name: No such file or directory\nsocket: ok\nconnect outside: Network is unreachable\n"
	if r.status != 0 || r.stdout != want {
		t.Fatalf("status %d, stdout:\n%s\nwant:\n%s\nstderr: %s", r.status, r.stdout, want, r.stderr)
	}
	entries, _ := os.ReadDir(watch)
	if len(entries) != 1 || entries[0].Name() != "existing" {
		t.Errorf("the sandboxed program changed the host: %v", entries)
	}
}

// stubOf returns the stub process that moat (pid) started.
func stubOf(t *testing.T, pid int) int {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		tasks, _ := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
		for _, task := range tasks {
			b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/children", pid, task.Name()))
			for _, f := range strings.Fields(string(b)) {
				c, _ := strconv.Atoi(f)
				comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", c))
				if strings.TrimSpace(string(comm)) == "moat-stub" {
					return c
				}
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no stub process found under moat (pid %d)", pid)
	return 0
}

// startParked runs park.c in moat and waits until it says ready.
func startParked(t *testing.T) (*exec.Cmd, *os.File, int) {
	t.Helper()
	prog := compile(t, "park")
	cmd := exec.Command(moatBin, "do", prog)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || line != "ready\n" {
		cmd.Process.Kill()
		t.Fatalf("park did not start: %q %v", line, err)
	}
	_ = stdin
	return cmd, stdin.(*os.File), stubOf(t, cmd.Process.Pid)
}

func TestStubConfinement(t *testing.T) {
	cmd, stdin, stub := startParked(t)
	defer func() {
		stdin.Write([]byte("x"))
		cmd.Wait()
	}()
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", stub))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(status), "Seccomp:\t2\n") {
		t.Errorf("stub is not under a seccomp filter:\n%s", status)
	}
	if !strings.Contains(string(status), "NoNewPrivs:\t1\n") {
		t.Errorf("stub lacks no_new_privs")
	}
	fds, _ := os.ReadDir(fmt.Sprintf("/proc/%d/fd", stub))
	if len(fds) != 1 {
		t.Errorf("stub holds %d fds, want its socket only", len(fds))
	}
	for _, fd := range fds {
		l, _ := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", stub, fd.Name()))
		if !strings.HasPrefix(l, "socket:") {
			t.Errorf("stub fd %s is %s, not a socket", fd.Name(), l)
		}
	}
	adj, _ := os.ReadFile(fmt.Sprintf("/proc/%d/oom_score_adj", stub))
	if strings.TrimSpace(string(adj)) != "1000" {
		t.Errorf("stub oom_score_adj = %q, want 1000", adj)
	}
	// Every mapping is the stub's own page, the host vDSO/vvar/vsyscall, or
	// one the Sentry made (anonymous, or the program's file): the host never
	// placed a stack or heap of its own.
	maps, _ := os.ReadFile(fmt.Sprintf("/proc/%d/maps", stub))
	prog, _ := filepath.Abs(filepath.Join(progDir, "park"))
	sawStub := false
	for _, line := range strings.Split(strings.TrimSpace(string(maps)), "\n") {
		f := strings.Fields(line)
		name := ""
		if len(f) >= 6 {
			name = f[5]
		}
		switch {
		case strings.HasPrefix(f[0], "7ff000000000-"), strings.HasPrefix(f[0], "7ff000001000-"):
			sawStub = true
		case name == "[vdso]", strings.HasPrefix(name, "[vvar"), name == "[vsyscall]":
		case name == "" || name == prog:
		default:
			t.Errorf("unexpected mapping in the stub: %s", line)
		}
	}
	if !sawStub {
		t.Errorf("stub page not found in maps:\n%s", maps)
	}
}

func TestKillingMoatKillsTheStub(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGKILL, syscall.SIGTERM} {
		cmd, _, stub := startParked(t)
		cmd.Process.Signal(sig)
		cmd.Wait()
		deadline := time.Now().Add(5 * time.Second)
		for {
			if err := syscall.Kill(stub, 0); err == syscall.ESRCH {
				break
			}
			// A zombie awaiting its parent's exit counts as gone.
			if b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/stat", stub)); bytes.Contains(b, []byte(") Z ")) || len(b) == 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("stub %d outlived moat killed by %v", stub, sig)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}

func TestStrace(t *testing.T) {
	prog := compile(t, "hello")
	out := filepath.Join(t.TempDir(), "trace")
	r := moat(t, "do", "--strace="+out, prog)
	if r.status != 0 || r.stdout != "hello\n" {
		t.Fatalf("status %d stdout %q stderr %q", r.status, r.stdout, r.stderr)
	}
	b, _ := os.ReadFile(out)
	for _, want := range []string{`write(1, "hello\n", 6) = 6`, "exit_group(0) = ?", "brk(NULL) = 0x"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("strace output lacks %q:\n%s", want, b)
		}
	}
	// Without a file, the trace goes to stderr.
	r = moat(t, "do", "--strace", prog)
	if !strings.Contains(r.stderr, `write(1, "hello\n", 6) = 6`) || r.stdout != "hello\n" {
		t.Errorf("--strace to stderr: stdout %q stderr %q", r.stdout, r.stderr)
	}
}

func TestCLI(t *testing.T) {
	notELF := filepath.Join(t.TempDir(), "notelf")
	os.WriteFile(notELF, []byte("\x00\x01garbage"), 0o755)
	cases := []struct {
		name   string
		args   []string
		status int
		stdout string
		stderr string // a substring; "" means empty
	}{
		{"version", []string{"version"}, 0, "moat version ", ""},
		{"help", []string{"--help"}, 0, "moat do", ""},
		{"do help", []string{"do", "--help"}, 0, "--strace", ""},
		{"bad flag", []string{"do", "--no-such-flag", "true"}, 2, "", "unknown flag: --no-such-flag"},
		{"no command", []string{"do"}, 2, "", "no command given"},
		{"missing", []string{"do", "no-such-command-here"}, 127, "", "moat: no-such-command-here: command not found"},
		{"missing path", []string{"do", "/no/such/file"}, 127, "", "No such file or directory"},
		{"not elf", []string{"do", notELF}, 126, "", "Exec format error"},
		{"directory", []string{"do", "/"}, 126, "", "Is a directory"},
		{"bad platform", []string{"do", "--platform=nope", "true"}, 125, "", "unknown platform"},
		{"flags stop at CMD", []string{"do", "busybox", "echo", "-n", "--strace"}, 0, "--strace", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := moat(t, c.args...)
			if r.status != c.status {
				t.Errorf("status %d, want %d (stderr %q)", r.status, c.status, r.stderr)
			}
			if !strings.Contains(r.stdout, c.stdout) {
				t.Errorf("stdout %q lacks %q", r.stdout, c.stdout)
			}
			if c.stderr == "" && r.stderr != "" {
				t.Errorf("unexpected stderr %q", r.stderr)
			}
			if c.stderr != "" {
				if !strings.Contains(r.stderr, c.stderr) {
					t.Errorf("stderr %q lacks %q", r.stderr, c.stderr)
				}
				if n := strings.Count(strings.TrimSpace(r.stderr), "\n"); n != 0 {
					t.Errorf("error is %d lines, want one: %q", n+1, r.stderr)
				}
			}
		})
	}
}

func TestBusybox(t *testing.T) {
	if _, err := os.Stat("/bin/busybox"); err != nil {
		t.Fatal("needs busybox-static (/bin/busybox), which .ci/run installs")
	}
	for _, args := range [][]string{{"echo", "hello", "world"}, {"uname", "-a"}, {"true"}, {"false"}, {"printf", "%s-%d\n", "x", "42"}} {
		native := exec.Command("/bin/busybox", args...)
		var nout bytes.Buffer
		native.Stdout = &nout
		nerr := native.Run()
		nstatus := 0
		if ee, ok := nerr.(*exec.ExitError); ok {
			nstatus = ee.ExitCode()
		}
		r := moat(t, append([]string{"do", "/bin/busybox"}, args...)...)
		if r.status != nstatus || r.stdout != nout.String() {
			t.Errorf("busybox %v: moat gave %d %q, native %d %q (stderr %q)", args, r.status, r.stdout, nstatus, nout.String(), r.stderr)
		}
	}
}
