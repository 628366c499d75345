package integration

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRootfsEscapes runs a program against --rootfs=DIR that tries every
// way of naming a file outside DIR; it must read nothing.
func TestRootfsEscapes(t *testing.T) {
	prog := compile(t, "escape")
	base := t.TempDir()
	root := filepath.Join(base, "root")
	secret := filepath.Join(base, "secret.txt")
	if err := os.WriteFile(secret, []byte("SECRET\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A minimal root: the static program, and the directories it uses.
	for _, d := range []string{"bin", "tmp", "proc", "dev"} {
		os.MkdirAll(filepath.Join(root, d), 0o755)
	}
	data, _ := os.ReadFile(prog)
	os.WriteFile(filepath.Join(root, "bin", "escape"), data, 0o755)
	// The secret's path from the root's parent; from inside, a ".." too
	// many would reach it if the root leaked.
	rel := filepath.Base(secret)
	r := moat(t, "do", "--rootfs="+root, "/bin/escape", secret, rel)
	if r.status != 0 || !strings.HasSuffix(r.stdout, "11 tries, 0 leaks\n") {
		t.Fatalf("status %d stdout:\n%s\nstderr: %s", r.status, r.stdout, r.stderr)
	}
	// And the host root is untouched: the symlinks were made in the
	// sandbox's /tmp, and nothing was written under the root.
	if entries, _ := os.ReadDir(filepath.Join(root, "tmp")); len(entries) != 0 {
		t.Errorf("the sandbox wrote into the host root: %v", entries)
	}
}

// TestRootfsStartsAtSlash checks that a caller whose directory is outside
// --rootfs starts the program at "/", and that PATH is searched in the
// sandbox's view.
func TestRootfsStartsAtSlash(t *testing.T) {
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "bin"), 0o755)
	data, err := os.ReadFile("/bin/busybox")
	if err != nil {
		t.Fatal("needs busybox-static")
	}
	os.WriteFile(filepath.Join(root, "bin", "busybox"), data, 0o755)
	os.Symlink("busybox", filepath.Join(root, "bin", "pwd"))
	r := moat(t, "do", "--rootfs="+root, "pwd")
	if r.status != 0 || r.stdout != "/\n" {
		t.Fatalf("pwd in --rootfs: status %d stdout %q stderr %q", r.status, r.stdout, r.stderr)
	}
	// A command only the host has is not found inside.
	r = moat(t, "do", "--rootfs="+root, "gcc", "--version")
	if r.status != 127 {
		t.Errorf("host-only command: status %d, want 127 (stderr %q)", r.status, r.stderr)
	}
}
