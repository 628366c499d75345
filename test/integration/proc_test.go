package integration

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The sandbox's /proc and /sys: process facts are the sandbox's own,
// machine facts the host's.

// hostLines returns the lines of a host file that start with prefix.
func hostLines(t *testing.T, path, prefix string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return linesWith(string(b), prefix)
}

func linesWith(s, prefix string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, prefix) {
			out = append(out, l)
		}
	}
	return out
}

// hostPath is where cmd runs from, links resolved, as the sandbox (which
// shows the host root) names it.
func hostPath(t *testing.T, cmd string) string {
	t.Helper()
	p, err := exec.LookPath(cmd)
	if err != nil {
		t.Skipf("no %s: %v", cmd, err)
	}
	p, err = filepath.EvalSymlinks(p)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestProcSelfStatus(t *testing.T) {
	r := moat(t, "do", "cat", "/proc/self/status")
	for _, want := range []string{"Name:\tcat\n", "State:\tR (running)\n", "Tgid:\t1\n", "Pid:\t1\n", "PPid:\t0\n", "Threads:\t1\n"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("status lacks %q (exit %d):\n%s%s", want, r.status, r.stdout, r.stderr)
		}
	}
	if len(linesWith(r.stdout, "VmRSS:")) != 1 || len(linesWith(r.stdout, "VmSize:")) != 1 {
		t.Errorf("status has no memory figures:\n%s", r.stdout)
	}
}

func TestProcSelfExe(t *testing.T) {
	r := moat(t, "do", "readlink", "/proc/self/exe")
	if want := hostPath(t, "readlink") + "\n"; r.status != 0 || r.stdout != want {
		t.Errorf("readlink /proc/self/exe: %d %q, want %q (stderr %q)", r.status, r.stdout, want, r.stderr)
	}
}

func TestProcSelfFD(t *testing.T) {
	// ls reads the directory through fd 3.
	r := moat(t, "do", "ls", "/proc/self/fd")
	if r.status != 0 || r.stdout != "0\n1\n2\n3\n" {
		t.Errorf("ls /proc/self/fd: %d %q (stderr %q)", r.status, r.stdout, r.stderr)
	}
}

func TestProcSelfMaps(t *testing.T) {
	r := moat(t, "do", "cat", "/proc/self/maps")
	cat := hostPath(t, "cat")
	if len(linesWith(r.stdout, "")) < 5 || !strings.Contains(r.stdout, " [stack]\n") ||
		!strings.Contains(r.stdout, " "+cat+"\n") || !strings.Contains(r.stdout, " [vdso]\n") {
		t.Errorf("maps lacks [stack], [vdso] or %s:\n%s%s", cat, r.stdout, r.stderr)
	}
}

func TestProcCpuinfo(t *testing.T) {
	r := moat(t, "do", "cat", "/proc/cpuinfo")
	// The cpu MHz lines change from read to read; the model does not.
	got, want := linesWith(r.stdout, "model name"), hostLines(t, "/proc/cpuinfo", "model name")
	if len(want) == 0 || strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("model names: %q, host %q", got, want)
	}
	got, want = linesWith(r.stdout, "flags"), hostLines(t, "/proc/cpuinfo", "flags")
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("cpu flags differ from the host's")
	}
}

func TestProcMeminfo(t *testing.T) {
	r := moat(t, "do", "cat", "/proc/meminfo")
	got, want := linesWith(r.stdout, "MemTotal:"), hostLines(t, "/proc/meminfo", "MemTotal:")
	if len(got) != 1 || len(want) != 1 || got[0] != want[0] {
		t.Errorf("MemTotal %q, host %q", got, want)
	}
}

func TestProcThroughSyscalls(t *testing.T) {
	prog := compile(t, "procself")
	r := moat(t, "do", prog, "arg one")
	want := "exe " + prog + "\n" +
		"cmdline " + prog + " arg one \n" +
		"stat pid 1 getpid 1 state R ppid 0\n" +
		"through fd link\n" +
		"same stdout 1\n" +
		"thread-self 1/task/1\n" +
		"dirfd /etc\n"
	if r.status != 0 || r.stdout != want {
		t.Errorf("exit %d, stdout:\n%s\nwant:\n%s\nstderr: %s", r.status, r.stdout, want, r.stderr)
	}
}

func TestSys(t *testing.T) {
	host, err := os.ReadFile("/sys/devices/system/cpu/online")
	if err != nil {
		t.Skip(err)
	}
	r := moat(t, "do", "cat", "/sys/devices/system/cpu/online")
	if r.status != 0 || r.stdout != string(host) {
		t.Errorf("cpu/online %q, host %q (stderr %q)", r.stdout, host, r.stderr)
	}
	r = moat(t, "do", "stat", "-f", "-c", "%T", "/proc", "/sys")
	if r.stdout != "proc\nsysfs\n" {
		t.Errorf("filesystem types %q (stderr %q)", r.stdout, r.stderr)
	}
	r = moat(t, "do", "touch", "/sys/x")
	if r.status == 0 || !strings.Contains(r.stderr, "Read-only file system") {
		t.Errorf("touch /sys/x: %d %q", r.status, r.stderr)
	}
}
