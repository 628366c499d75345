// Package moatbin gives the end-to-end tests the moat binary they run and
// the process state they compare it in.
package moatbin

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
)

// Get returns the moat to test: the prebuilt binary MOAT_BIN names, or
// moat built from this tree into dir.
func Get(dir string) (string, error) {
	if bin := os.Getenv("MOAT_BIN"); bin != "" {
		return filepath.Abs(bin)
	}
	bin := filepath.Join(dir, "moat")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/moat-sandbox/moat/cmd/moat").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("building moat (go build ./cmd/moat): %v\n%s", err, out)
	}
	return bin, nil
}

// CloseInheritedFDs marks every descriptor above stderr close-on-exec, so
// that programs the test starts natively begin with exactly fds 0, 1 and
// 2, as they do in moat (os/exec passes on whatever descriptors without
// close-on-exec the test binary inherited).
func CloseInheritedFDs() error {
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
