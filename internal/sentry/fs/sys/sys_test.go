package sys

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/auth"
	"github.com/moat-sandbox/moat/internal/sentry/fs/synth"
	"github.com/moat-sandbox/moat/internal/sentry/vfs"
)

type ctx struct{}

func (ctx) Creds() *auth.Credentials { return auth.New(0, 0, nil) }

func TestHostCPUs(t *testing.T) {
	dir := t.TempDir()
	cpu := filepath.Join(dir, "devices/system/cpu")
	for _, d := range []string{"cpu0", "cpu10", "cpu2", "cpufreq", "cpuidle"} {
		os.MkdirAll(filepath.Join(cpu, d), 0o755)
	}
	os.WriteFile(filepath.Join(cpu, "online"), []byte("0-2,10\n"), 0o444)
	host, err := synth.OpenHostDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer host.Close()
	fs := New(Options{Host: host})
	ns := vfs.NewMountNamespace(fs, vfs.NewRoot(fs.Root()), vfs.MountReadOnly, "sysfs", "ro")
	o := vfs.WalkOpts{Root: ns.Root(), Start: ns.Root(), FollowFinal: true}
	vd, err := ns.Walk(ctx{}, "/devices/system/cpu", o)
	if err != nil {
		t.Fatal(err)
	}
	ents, _ := vd.Inode().(vfs.DirInode).ReadDir(ctx{})
	var cpus []string
	for _, e := range ents {
		if e.Type == unix.DT_DIR {
			cpus = append(cpus, e.Name)
		}
	}
	if want := []string{"cpu0", "cpu2", "cpu10"}; !slices.Equal(cpus, want) {
		t.Errorf("cpu directories %v, want %v", cpus, want)
	}
	vd, err = ns.Walk(ctx{}, "/devices/system/cpu/online", o)
	if err != nil {
		t.Fatal(err)
	}
	f, _ := vd.Inode().Open(ctx{}, unix.O_RDONLY)
	buf := make([]byte, 64)
	n, _ := f.(vfs.PositionalFile).PRead(nil, buf, 0)
	st, _ := vd.Inode().Stat(ctx{})
	if string(buf[:n]) != "0-2,10\n" || st.Size != 4096 {
		t.Errorf("online %q size %d", buf[:n], st.Size)
	}
	if _, err := ns.Walk(ctx{}, "/devices/system/cpu/cpufreq", o); err != unix.ENOENT {
		t.Errorf("cpufreq: %v", err)
	}
	if _, err := ns.Walk(ctx{}, "/fs/cgroup", o); err != nil {
		t.Errorf("/fs/cgroup: %v", err)
	}
}
