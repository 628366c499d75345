package integration

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// Where attr programs make their files. "overlay" is a fresh directory of
// the host's /var/tmp: inside moat a directory of the root overlay, whose
// writes stay in memory. "/tmp" is ext4 natively here and the sandbox's
// tmpfs in moat; "/dev/shm" is a tmpfs on both sides.
const overlayBase = "overlay"

func TestAttr(t *testing.T) {
	all := []string{overlayBase, "/tmp", "/dev/shm"}
	cases := []struct {
		prog  string
		bases []string
	}{
		{"attr_chmod", all},
		{"attr_chown", all},
		{"attr_utimensat", all},
		{"attr_utimes", []string{overlayBase, "/dev/shm"}},
		{"attr_truncate", all},
		{"attr_fsize", []string{overlayBase, "/dev/shm"}},
		// ZERO_RANGE works on disk filesystems, not on tmpfs: not in /tmp.
		{"attr_fallocate", []string{overlayBase, "/dev/shm"}},
		{"attr_sync", []string{overlayBase, "/tmp"}},
		{"attr_mincore", []string{""}},
		{"attr_mlock", []string{""}},
	}
	for _, c := range cases {
		for _, base := range c.bases {
			name := c.prog
			if base != "" {
				name += "/" + strings.TrimPrefix(strings.ReplaceAll(base, "/", "_"), "_")
			}
			t.Run(name, func(t *testing.T) {
				prog := compile(t, c.prog)
				nativeBase, moatBase := base, base
				if base == overlayBase {
					nativeBase, moatBase = t.TempDir(), t.TempDir()
				}
				var extra []string
				if base == "/dev/shm" {
					extra = []string{"tmpfs"}
				}
				native := runNative(t, prog, append([]string{nativeBase}, extra...)...)
				sandboxed := moat(t, append([]string{"do", prog, moatBase}, extra...)...)
				sameAsNative(t, native, sandboxed)
			})
		}
	}
}

// TestAttrUnprivileged checks the rules for a user without capabilities.
// The program needs setgroups, setresgid and setresuid; until moat has
// them the comparison is skipped.
func TestAttrUnprivileged(t *testing.T) {
	prog := compile(t, "attr_unpriv")
	for _, base := range []string{"/var/tmp", "/dev/shm"} {
		t.Run(strings.ReplaceAll(base[1:], "/", "_"), func(t *testing.T) {
			native := runNative(t, prog, base)
			if !strings.HasPrefix(native.stdout, "ids: 1000 1000\n") {
				t.Fatalf("natively the program could not become uid 1000: %q", native.stdout)
			}
			sandboxed := moat(t, "do", prog, base)
			if strings.HasPrefix(sandboxed.stdout, "setup: ENOSYS") {
				t.Skip("moat cannot change user IDs yet (setgroups/setresgid/setresuid)")
			}
			sameAsNative(t, native, sandboxed)
		})
	}
}

// makeLowerTree makes the tree attr_lower and attr_rofs expect.
func makeLowerTree(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.WriteFile(filepath.Join(dir, "f"), []byte("lower data\n"), 0o644))
	must(os.WriteFile(filepath.Join(dir, "suid"), []byte("suid\n"), 0o755))
	must(os.Chmod(filepath.Join(dir, "suid"), 0o755|os.ModeSetuid))
	must(os.Mkdir(filepath.Join(dir, "sub"), 0o755))
	must(os.WriteFile(filepath.Join(dir, "sub", "g"), []byte("gggg\n"), 0o644))
	must(os.Symlink("f", filepath.Join(dir, "link")))
	ts := []unix.Timespec{{Sec: 1e9}, {Sec: 1e9}}
	for _, p := range []string{"f", "suid", "sub/g", "sub", "link"} {
		must(unix.UtimesNanoAt(unix.AT_FDCWD, filepath.Join(dir, p), ts, unix.AT_SYMLINK_NOFOLLOW))
	}
	return dir
}

// snapshot describes every file under dir: type and mode, owner, size,
// modification time, and contents or link target.
func snapshot(t *testing.T, dir string) string {
	t.Helper()
	var s strings.Builder
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := os.Lstat(path)
		if err != nil {
			return err
		}
		st := fi.Sys().(*syscall.Stat_t)
		rel, _ := filepath.Rel(dir, path)
		fmt.Fprintf(&s, "%s %o %d:%d mtime %d", rel, st.Mode, st.Uid, st.Gid, fi.ModTime().UnixNano())
		switch {
		case fi.Mode().IsRegular():
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			fmt.Fprintf(&s, " %q", b)
		case fi.Mode()&fs.ModeSymlink != 0:
			l, _ := os.Readlink(path)
			fmt.Fprintf(&s, " -> %s", l)
		}
		s.WriteByte('\n')
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return s.String()
}

// TestAttrHostFiles changes files that exist on the host: through the
// root overlay they change inside the sandbox only, and the host files
// stay as they were; through a writable volume they change on the host
// as they would natively.
func TestAttrHostFiles(t *testing.T) {
	prog := compile(t, "attr_lower")
	want := makeLowerTree(t)
	native := runNative(t, prog, want)
	if native.status != 0 {
		t.Fatalf("native run: status %d\n%s%s", native.status, native.stdout, native.stderr)
	}

	t.Run("overlay", func(t *testing.T) {
		dir := makeLowerTree(t)
		before := snapshot(t, dir)
		sameAsNative(t, native, moat(t, "do", prog, dir))
		if after := snapshot(t, dir); after != before {
			t.Errorf("the host files changed:\nbefore:\n%s\nafter:\n%s", before, after)
		}
	})

	t.Run("volume", func(t *testing.T) {
		dir := makeLowerTree(t)
		sameAsNative(t, native, moat(t, "do", "--volume="+dir+":/vol", prog, "/vol"))
		// The same changes, made on the host: only the times of the
		// directories the runs added files to differ.
		got, wantSnap := dropDirTimes(snapshot(t, dir)), dropDirTimes(snapshot(t, want))
		if got != wantSnap {
			t.Errorf("the volume differs from the native run's tree:\n%s", lineDiff(wantSnap, got))
		}
	})
}

// dropDirTimes removes the mtime of the top directory (the runs create a
// file in it at different moments) and of "new" from a snapshot.
func dropDirTimes(s string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, ". ") || strings.HasPrefix(l, "new ") {
			if i := strings.Index(l, " mtime "); i >= 0 {
				j := strings.Index(l[i+7:], " ")
				if j < 0 {
					l = l[:i]
				} else {
					l = l[:i] + l[i+7+j:]
				}
			}
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}

// TestAttrReadOnly compares a read-only volume in moat with a read-only
// bind mount made natively in a private mount namespace.
func TestAttrReadOnly(t *testing.T) {
	prog := compile(t, "attr_rofs")
	dir := makeLowerTree(t)
	script := fmt.Sprintf("mount --bind %[1]s %[1]s && mount -o remount,bind,ro %[1]s && exec %[2]s %[1]s", dir, prog)
	native := runNative(t, "unshare", "-m", "sh", "-c", script)
	if native.status != 0 || !strings.Contains(native.stdout, "chmod: -1 EROFS") {
		t.Skipf("no read-only bind mount natively (unshare -m): status %d %s", native.status, native.stderr)
	}
	before := snapshot(t, dir)
	sameAsNative(t, native, moat(t, "do", "--volume="+dir+":/ro:ro", prog, "/ro"))
	if after := snapshot(t, dir); after != before {
		t.Errorf("the read-only volume changed:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}
