package integration

import (
	"bytes"
	"errors"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// runNative runs a program on the host, as moat's runs are compared
// against: stdin empty, stdout and stderr captured. A death by signal S is
// status 128+S, as moat reports it.
func runNative(t *testing.T, name string, args ...string) result {
	t.Helper()
	cmd := exec.Command(name, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	st := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		if ws := ee.Sys().(syscall.WaitStatus); ws.Signaled() {
			st = 128 + int(ws.Signal())
		} else {
			st = ws.ExitStatus()
		}
	case err != nil:
		t.Fatalf("running %s %v: %v", name, args, err)
	}
	return result{st, out.String(), errb.String()}
}

// wantStatus is the status a program's name promises: NAME-N ends with N.
func wantStatus(name string) int {
	if i := strings.LastIndexByte(name, '-'); i >= 0 {
		if n, err := strconv.Atoi(name[i+1:]); err == nil {
			return n
		}
	}
	return 0
}

// sameAsNative fails t unless moat's run printed what the native one did
// and ended the same way.
func sameAsNative(t *testing.T, native, sandboxed result) {
	t.Helper()
	if native.status == sandboxed.status && native.stdout == sandboxed.stdout {
		return
	}
	t.Errorf("moat: status %d, native: status %d\n%s\nmoat stderr: %s",
		sandboxed.status, native.status, lineDiff(native.stdout, sandboxed.stdout), sandboxed.stderr)
}

// lineDiff shows two outputs line by line, marking the lines that differ.
func lineDiff(native, sandboxed string) string {
	a, b := strings.Split(native, "\n"), strings.Split(sandboxed, "\n")
	var s strings.Builder
	for i := 0; i < max(len(a), len(b)); i++ {
		var x, y string
		if i < len(a) {
			x = a[i]
		}
		if i < len(b) {
			y = b[i]
		}
		if x == y {
			fmt.Fprintf(&s, "    %s\n", x)
		} else {
			fmt.Fprintf(&s, "  - %s (native)\n  + %s (moat)\n", x, y)
		}
	}
	return s.String()
}

// comparePrograms builds each testdata program and checks that it ends as
// its name promises natively, and exactly as natively in moat.
func comparePrograms(t *testing.T, names []string) {
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			prog := compile(t, name)
			native := runNative(t, prog)
			if native.status != wantStatus(name) {
				t.Fatalf("the program is broken: natively it ends with %d, want %d\nstdout:\n%s%s",
					native.status, wantStatus(name), native.stdout, native.stderr)
			}
			sameAsNative(t, native, moat(t, "do", prog))
		})
	}
}
