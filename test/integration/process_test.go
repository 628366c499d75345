package integration

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// stubsOf lists every stub process that descends from moat's process pid
// (the stubs' parent is a thread of moat).
func stubsOf(pid int) []int {
	var out []int
	tasks, _ := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	for _, task := range tasks {
		b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/children", pid, task.Name()))
		for _, f := range strings.Fields(string(b)) {
			c, _ := strconv.Atoi(f)
			comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", c))
			if strings.TrimSpace(string(comm)) == "moat-stub" {
				out = append(out, c)
			}
		}
	}
	return out
}

// gone reports whether a process no longer runs (absent or a zombie).
func gone(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	return err != nil || strings.Contains(string(b), ") Z ")
}

func TestKillingMoatKillsForkedAndThreadedStubs(t *testing.T) {
	prog := compile(t, "forkpark")
	for _, sig := range []syscall.Signal{syscall.SIGKILL, syscall.SIGTERM} {
		cmd := exec.Command(moatBin, "do", prog)
		stdin, _ := cmd.StdinPipe()
		stdout, _ := cmd.StdoutPipe()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		line, err := bufio.NewReader(stdout).ReadString('\n')
		if err != nil || line != "ready\n" {
			cmd.Process.Kill()
			t.Fatalf("forkpark did not start: %q %v", line, err)
		}
		stubs := stubsOf(cmd.Process.Pid)
		if len(stubs) != 4 {
			t.Errorf("found %d stub processes, want 4 (a parent and three forked children)", len(stubs))
		}
		cmd.Process.Signal(sig)
		cmd.Wait()
		stdin.Close()
		deadline := time.Now().Add(5 * time.Second)
		for _, s := range stubs {
			for !gone(s) {
				if time.Now().After(deadline) {
					t.Fatalf("stub %d outlived moat killed by %v", s, sig)
				}
				time.Sleep(20 * time.Millisecond)
			}
		}
	}
}

func TestForkAndThreadBombsHitTheTaskLimit(t *testing.T) {
	for _, c := range []struct{ prog, want string }{
		{"forkbomb", "fork failed with EAGAIN after many\n"},
		{"threadbomb", "pthread_create failed with EAGAIN after many\n"},
	} {
		prog := compile(t, c.prog)
		start := time.Now()
		r := moat(t, "do", "--max-tasks=64", prog)
		if r.status != 0 || r.stdout != c.want {
			t.Errorf("%s: status %d stdout %q stderr %q, want %q", c.prog, r.status, r.stdout, r.stderr, c.want)
		}
		if d := time.Since(start); d > 30*time.Second {
			t.Errorf("%s took %v", c.prog, d)
		}
	}
}
