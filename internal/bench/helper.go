package bench

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// helperCFlags are the flags every C helper is built with: static, so it runs
// under any runtime without a dynamic loader or the host's libraries.
var helperCFlags = []string{"-static", "-O2"}

// DefaultCacheDir is where helpers are built when no other place is given:
// $XDG_CACHE_HOME/moat-bench (~/.cache/moat-bench), else a directory under
// the system's temporary directory.
func DefaultCacheDir() string {
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "moat-bench")
	}
	return filepath.Join(os.TempDir(), "moat-bench")
}

// buildHelper compiles the C source src into a static executable named after
// name and the source's hash in env.CacheDir, and returns its absolute path.
// An executable built earlier from the same source and flags is reused.
func buildHelper(ctx context.Context, env *Env, name string, src []byte, extraFlags ...string) (string, error) {
	flags := append(append([]string(nil), helperCFlags...), extraFlags...)
	h := sha256.New()
	h.Write([]byte(strings.Join(flags, " ") + "\n"))
	h.Write(src)
	sum := hex.EncodeToString(h.Sum(nil))[:16]

	dir, err := filepath.Abs(filepath.Join(env.CacheDir, "helpers"))
	if err != nil {
		return "", err
	}
	exe := filepath.Join(dir, name+"-"+sum)
	if fi, err := os.Stat(exe); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
		return exe, nil
	}
	gcc, err := exec.LookPath("gcc")
	if err != nil {
		return "", fmt.Errorf("gcc not found: helpers are built with gcc %s (apt-get install gcc libc6-dev)", strings.Join(flags, " "))
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("helper cache: %v", err)
	}
	srcPath := exe + ".c"
	if err := os.WriteFile(srcPath, src, 0o644); err != nil {
		return "", fmt.Errorf("helper cache: %v", err)
	}
	// Build beside the final name and rename, so a concurrent or interrupted
	// build never leaves a half-written executable under that name.
	tmp := fmt.Sprintf("%s.tmp%d", exe, os.Getpid())
	args := append(append([]string(nil), flags...), "-o", tmp, srcPath)
	cmd := exec.CommandContext(ctx, gcc, args...)
	env.Log.Debug("bench: build helper", "argv", cmd.Args)
	out, err := cmd.CombinedOutput()
	if err != nil {
		os.Remove(tmp)
		msg := compilerError(string(out))
		if msg == "" {
			msg = err.Error()
		}
		return "", fmt.Errorf("building %s with gcc: %s", name, msg)
	}
	if err := os.Rename(tmp, exe); err != nil {
		os.Remove(tmp)
		return "", errors.New("helper cache: " + err.Error())
	}
	return exe, nil
}

// compilerError picks the line of a compiler's output that says what went
// wrong: the first mentioning an error, else the first.
func compilerError(out string) string {
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, "error") || strings.Contains(l, "cannot find") {
			return strings.TrimSpace(l)
		}
	}
	return FirstLine(out)
}
