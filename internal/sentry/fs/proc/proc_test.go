package proc

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"time"

	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/auth"
	"github.com/moat-sandbox/moat/internal/sentry/fs/synth"
	"github.com/moat-sandbox/moat/internal/sentry/vfs"
)

// A sandbox of one process (PID 1, threads 1 and 7) over a fake host
// /proc where its stub is host process 4242.

type fakeSandbox struct {
	procs []*fakeProc
	ns    *vfs.MountNamespace
}

func (s *fakeSandbox) Processes() []Process {
	var out []Process
	for _, p := range s.procs {
		out = append(out, p)
	}
	return out
}

func (s *fakeSandbox) Process(pid int32) Process {
	for _, p := range s.procs {
		if p.pid == pid {
			return p
		}
	}
	return nil
}

func (s *fakeSandbox) Thread(tid int32) Thread {
	for _, p := range s.procs {
		for _, t := range p.threads {
			if t.tid == tid {
				return t
			}
		}
	}
	return nil
}

func (s *fakeSandbox) Mounts() *vfs.MountNamespace { return s.ns }
func (s *fakeSandbox) LastPID() int32              { return 7 }

type fakeProc struct {
	s       *fakeSandbox
	pid     int32
	threads []*fakeThread
	maps    []Mapping
	mem     []byte // at memBase
	fds     *vfs.FDTable
	creds   *auth.Credentials
}

const memBase = 0x10000

func (p *fakeProc) PID() int32                     { return p.pid }
func (p *fakeProc) PPID() int32                    { return 0 }
func (p *fakeProc) PGID() int32                    { return p.pid }
func (p *fakeProc) SID() int32                     { return p.pid }
func (p *fakeProc) Alive() bool                    { return true }
func (p *fakeProc) Zombie() bool                   { return false }
func (p *fakeProc) Stopped() bool                  { return false }
func (p *fakeProc) Leader() Thread                 { return p.threads[0] }
func (p *fakeProc) Exe() vfs.VirtualDentry         { return vfs.VirtualDentry{} }
func (p *fakeProc) Mappings() []Mapping            { return append([]Mapping(nil), p.maps...) }
func (p *fakeProc) HostPID() int                   { return 4242 }
func (p *fakeProc) Dispositions() (uint64, uint64) { return 1 << 12, 1 << 1 }
func (p *fakeProc) SharedPending() uint64          { return 0 }

func (p *fakeProc) Threads() []Thread {
	var out []Thread
	for _, t := range p.threads {
		out = append(out, t)
	}
	return out
}

func (p *fakeProc) Limit(r int) (uint64, uint64) {
	if r == unix.RLIMIT_NOFILE {
		return 1024, 4096
	}
	return unix.RLIM_INFINITY, unix.RLIM_INFINITY
}

func (p *fakeProc) ReadMemory(addr uintptr, dst []byte) (int, error) {
	if addr < memBase || addr-memBase >= uintptr(len(p.mem)) {
		return 0, unix.EFAULT
	}
	n := copy(dst, p.mem[addr-memBase:])
	if n < len(dst) {
		return n, unix.EFAULT
	}
	return n, nil
}

func (p *fakeProc) Layout() Layout {
	return Layout{ArgStart: memBase, ArgEnd: memBase + 8, EnvStart: memBase + 8, EnvEnd: memBase + 15,
		Auxv: []AuxEntry{{6, 4096}, {0, 0}}}
}

type fakeThread struct {
	p      *fakeProc
	tid    int32
	name   string
	exited bool
}

func (t *fakeThread) TID() int32               { return t.tid }
func (t *fakeThread) Process() Process         { return t.p }
func (t *fakeThread) Alive() bool              { return true }
func (t *fakeThread) Name() string             { return t.name }
func (t *fakeThread) SetName(n string)         { t.name = n }
func (t *fakeThread) InApplication() bool      { return false }
func (t *fakeThread) Exited() bool             { return t.exited }
func (t *fakeThread) Creds() *auth.Credentials { return t.p.creds }
func (t *fakeThread) FDTable() *vfs.FDTable    { return t.p.fds }
func (t *fakeThread) Root() vfs.VirtualDentry  { return t.p.s.ns.Root() }
func (t *fakeThread) Cwd() vfs.VirtualDentry   { return t.p.s.ns.Root() }
func (t *fakeThread) Umask() uint32            { return 0o022 }
func (t *fakeThread) HostTID() int             { return 4242 + int(t.tid) - 1 }
func (t *fakeThread) Pending() uint64          { return 0 }
func (t *fakeThread) Blocked() uint64          { return 1 << 9 }

// task is the caller: a thread of the fake process.
type task struct {
	tgid, tid int32
	creds     *auth.Credentials
}

func (c task) Creds() *auth.Credentials { return c.creds }
func (c task) TGID() int32              { return c.tgid }
func (c task) TID() int32               { return c.tid }

// The rest of vfs.Task, which writes get.
func (c task) CopyIn(uintptr, []byte) error  { return unix.EFAULT }
func (c task) CopyOut(uintptr, []byte) error { return unix.EFAULT }
func (c task) HostWait(int, int16, time.Time) (int16, error) {
	return 0, unix.ENOSYS
}
func (c task) Block(<-chan struct{}, time.Time) error { return unix.ENOSYS }

var hostFiles = map[string]string{
	"cpuinfo": "processor\t: 0\nmodel name\t: Test CPU\n",
	"meminfo": "MemTotal:       1024 kB\n",
	"loadavg": "0.50 0.25 0.10 3/400 9999\n",
	"stat":    "cpu  1 2 3 4\nbtime 1700000000\nprocesses 12345\nprocs_running 5\nprocs_blocked 1\n",
	"uptime":  "100.00 150.00\n",
	"version": "Linux version 6.0.0-test\n",
	"4242/stat": "4242 (moat-stub) S 1 4242 4242 0 -1 4194304 11 0 12 0 13 14 0 0 20 0 1 0 5555 999 77 " +
		"18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0\n",
	"4242/status": "Name:\tmoat-stub\nVmPeak:\t   9000 kB\nVmRSS:\t     308 kB\nCpus_allowed_list:\t0-1\n",
	"4242/statm":  "2000 77 50 5 0 100 0\n",
	"4242/maps": "00400000-00401000 r-xp 00000000 fe:01 1234                       /bin/prog\n" +
		"7ff000000000-7ff000001000 r-xp 00000000 00:00 0 \n",
}

func newTestProc(t *testing.T) (*fakeSandbox, *vfs.MountNamespace, task) {
	t.Helper()
	dir := t.TempDir()
	for name, body := range hostFiles {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	host, err := synth.OpenHostDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(host.Close)
	sb := &fakeSandbox{}
	fs := New(Options{Sandbox: sb, Host: host, Filesystems: []string{"nodev proc", "ext4"},
		PIDMax: 4194304, NrOpen: 1 << 20, CapLastCap: 40})
	sb.ns = vfs.NewMountNamespace(fs, vfs.NewRoot(fs.Root()), vfs.MountNoExec, "proc", "rw")
	root := auth.New(0, 0, nil)
	p := &fakeProc{s: sb, pid: 1, fds: vfs.NewFDTable(), creds: root,
		mem: []byte("prog\x00-x\x00HOME=/\x00")}
	p.threads = []*fakeThread{{p: p, tid: 1, name: "prog"}, {p: p, tid: 7, name: "worker"}}
	p.maps = []Mapping{
		{Start: 0x400000, End: 0x401000, Prot: unix.PROT_READ | unix.PROT_EXEC, Name: "/bin/prog"},
		{Start: 0x7ffd0000, End: 0x7ffd2000, Prot: unix.PROT_READ | unix.PROT_WRITE, Name: "[stack]"},
		{Start: 0x7ffe0000, End: 0x7ffe1000, Prot: unix.PROT_READ | unix.PROT_WRITE},
	}
	sb.procs = []*fakeProc{p}
	return sb, sb.ns, task{1, 1, root}
}

func walk(t *testing.T, ns *vfs.MountNamespace, c task, path string, follow bool) (vfs.VirtualDentry, error) {
	t.Helper()
	return ns.Walk(c, path, vfs.WalkOpts{Root: ns.Root(), Start: ns.Root(), FollowFinal: follow})
}

// readFile reads path as c would.
func readFile(t *testing.T, ns *vfs.MountNamespace, c task, path string) string {
	t.Helper()
	s, err := tryRead(t, ns, c, path)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return s
}

func tryRead(t *testing.T, ns *vfs.MountNamespace, c task, path string) (string, error) {
	t.Helper()
	vd, err := walk(t, ns, c, path, true)
	if err != nil {
		return "", err
	}
	impl, err := vd.Inode().Open(c, unix.O_RDONLY)
	if err != nil {
		return "", err
	}
	buf := make([]byte, 1<<16)
	n, err := impl.(vfs.PositionalFile).PRead(nil, buf, 0)
	return string(buf[:n]), err
}

func readlink(t *testing.T, ns *vfs.MountNamespace, c task, path string) string {
	t.Helper()
	vd, err := walk(t, ns, c, path, false)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	s, err := vd.Inode().(vfs.SymlinkInode).Readlink(c)
	if err != nil {
		t.Fatalf("readlink %s: %v", path, err)
	}
	return s
}

func TestSelf(t *testing.T) {
	_, ns, c := newTestProc(t)
	if got := readlink(t, ns, c, "/self"); got != "1" {
		t.Errorf("self -> %q", got)
	}
	if got := readlink(t, ns, task{1, 7, c.creds}, "/thread-self"); got != "1/task/7" {
		t.Errorf("thread-self -> %q", got)
	}
	if got := readFile(t, ns, task{1, 7, c.creds}, "/thread-self/comm"); got != "worker\n" {
		t.Errorf("thread-self/comm = %q", got)
	}
	// A thread that leads no process is found by name but not listed.
	if got := readFile(t, ns, c, "/7/status"); !strings.Contains(got, "Pid:\t7\n") {
		t.Errorf("/7/status:\n%s", got)
	}
	ents, _ := ns.Root().Inode().(vfs.DirInode).ReadDir(c)
	for _, e := range ents {
		if e.Name == "7" {
			t.Error("/proc lists a thread as a process")
		}
	}
	if _, err := walk(t, ns, c, "/01", true); err != unix.ENOENT {
		t.Errorf("/01: %v", err)
	}
}

func TestStatus(t *testing.T) {
	_, ns, c := newTestProc(t)
	got := readFile(t, ns, c, "/self/status")
	for _, want := range []string{"Name:\tprog\n", "State:\tR (running)\n", "Tgid:\t1\n", "Pid:\t1\n",
		"PPid:\t0\n", "Uid:\t0\t0\t0\t0\n", "VmPeak:\t   9000 kB\n", "VmSize:\t      16 kB\n",
		"VmRSS:\t     308 kB\n", "VmStk:\t       8 kB\n", "VmData:\t       4 kB\n", "Threads:\t2\n",
		"SigBlk:\t0000000000000200\n", "SigIgn:\t0000000000001000\n", "Cpus_allowed_list:\t0-1\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("status lacks %q:\n%s", want, got)
		}
	}
	// Another thread, not the caller, inside the Sentry: sleeping.
	if got := readFile(t, ns, c, "/1/task/7/status"); !strings.Contains(got, "State:\tS (sleeping)\nTgid:\t1\nNgid:\t0\nPid:\t7\n") {
		t.Errorf("task status:\n%s", got)
	}
	// A thread that exited while the others run on (a main thread after
	// pthread_exit): a zombie, as Linux shows it.
	sb, ns2, c2 := newTestProc(t)
	sb.procs[0].threads[1].exited = true
	if got := readFile(t, ns2, c2, "/1/task/7/status"); !strings.Contains(got, "State:\tZ (zombie)\n") {
		t.Errorf("status of an exited thread:\n%s", got)
	}
}

func TestStat(t *testing.T) {
	_, ns, c := newTestProc(t)
	f := strings.Fields(readFile(t, ns, c, "/self/stat"))
	if len(f) != 52 {
		t.Fatalf("stat has %d fields: %v", len(f), f)
	}
	want := map[int]string{1: "1", 2: "(prog)", 3: "R", 4: "0", 5: "1", 6: "1", 10: "11", 12: "12",
		14: "13", 15: "14", 20: "2", 22: "5555", 23: "16384", 24: "77", 33: "4096", 34: "2", 48: "65536", 49: "65544", 50: "65544", 51: "65551"}
	for n, w := range want {
		if f[n-1] != w {
			t.Errorf("stat field %d = %q, want %q", n, f[n-1], w)
		}
	}
	if got := readFile(t, ns, c, "/self/statm"); got != "4 77 50 5 0 3 0\n" {
		t.Errorf("statm = %q", got)
	}
}

func TestMaps(t *testing.T) {
	_, ns, c := newTestProc(t)
	got := readFile(t, ns, c, "/self/maps")
	lines := strings.Split(got, "\n")
	want0 := "00400000-00401000 r-xp 00000000 fe:01 1234"
	if !strings.HasPrefix(lines[0], want0+" ") || strings.Index(lines[0], "/bin/prog") != 73 {
		t.Errorf("first line %q", lines[0])
	}
	if !strings.HasSuffix(lines[1], " [stack]") || lines[2] != "7ffe0000-7ffe1000 rw-p 00000000 00:00 0 " {
		t.Errorf("maps:\n%s", got)
	}
	smaps := readFile(t, ns, c, "/self/smaps")
	if !strings.Contains(smaps, "Size:                  8 kB\n") || !strings.Contains(smaps, "VmFlags: rd wr mr mw me ac \n") {
		t.Errorf("smaps:\n%s", smaps)
	}
}

func TestMemoryFiles(t *testing.T) {
	_, ns, c := newTestProc(t)
	if got := readFile(t, ns, c, "/self/cmdline"); got != "prog\x00-x\x00" {
		t.Errorf("cmdline = %q", got)
	}
	if got := readFile(t, ns, c, "/self/environ"); got != "HOME=/\x00" {
		t.Errorf("environ = %q", got)
	}
	aux := readFile(t, ns, c, "/self/auxv")
	if len(aux) != 32 || binary.LittleEndian.Uint64([]byte(aux[8:])) != 4096 {
		t.Errorf("auxv = %x", aux)
	}
	stranger := task{99, 99, auth.New(1000, 1000, nil)}
	if _, err := tryRead(t, ns, stranger, "/1/environ"); err != unix.EACCES {
		t.Errorf("another user read environ: %v", err)
	}
}

func TestLimitsAndMounts(t *testing.T) {
	_, ns, c := newTestProc(t)
	limits := readFile(t, ns, c, "/self/limits")
	if !strings.Contains(limits, "Max open files            1024                 4096                 files     \n") ||
		!strings.Contains(limits, "Max nice priority         unlimited            unlimited            \n") {
		t.Errorf("limits:\n%s", limits)
	}
	if got := readFile(t, ns, c, "/mounts"); got != "proc / proc rw 0 0\n" {
		t.Errorf("mounts = %q", got)
	}
	if got := readFile(t, ns, c, "/self/mountinfo"); !strings.HasPrefix(got, "1 0 0:") ||
		!strings.HasSuffix(got, " / / rw,noexec,relatime - proc proc rw\n") {
		t.Errorf("mountinfo = %q", got)
	}
}

func TestMachineFacts(t *testing.T) {
	_, ns, c := newTestProc(t)
	for _, name := range []string{"cpuinfo", "meminfo", "uptime", "version"} {
		if got := readFile(t, ns, c, "/"+name); got != hostFiles[name] {
			t.Errorf("%s = %q, want the host's", name, got)
		}
	}
	if got := readFile(t, ns, c, "/loadavg"); got != "0.50 0.25 0.10 1/2 7\n" {
		t.Errorf("loadavg = %q", got)
	}
	if got := readFile(t, ns, c, "/stat"); got != "cpu  1 2 3 4\nbtime 1700000000\nprocesses 7\nprocs_running 1\nprocs_blocked 0\n" {
		t.Errorf("stat = %q", got)
	}
	if got := readFile(t, ns, c, "/filesystems"); got != "nodev\tproc\n\text4\n" {
		t.Errorf("filesystems = %q", got)
	}
	if got := readFile(t, ns, c, "/sys/kernel/pid_max"); got != "4194304\n" {
		t.Errorf("pid_max = %q", got)
	}
	a, b := readFile(t, ns, c, "/sys/kernel/random/uuid"), readFile(t, ns, c, "/sys/kernel/random/uuid")
	boot1, boot2 := readFile(t, ns, c, "/sys/kernel/random/boot_id"), readFile(t, ns, c, "/sys/kernel/random/boot_id")
	if a == b || boot1 != boot2 || len(a) != 37 {
		t.Errorf("uuid %q then %q; boot_id %q then %q", a, b, boot1, boot2)
	}
	if _, err := tryRead(t, ns, c, "/sys/kernel/ostype"); err != unix.ENOENT {
		t.Errorf("a host file the host lacks: %v", err)
	}
}

// pipeFile is a file without a path.
type pipeFile struct{ data string }

func (p *pipeFile) Stat(vfs.Context) (vfs.Stat, error) {
	return vfs.Stat{Mode: unix.S_IFIFO | 0o600, Ino: 77}, nil
}
func (p *pipeFile) Release()                                  {}
func (p *pipeFile) Read(t vfs.Task, dst []byte) (int, error)  { return copy(dst, p.data), nil }
func (p *pipeFile) Write(t vfs.Task, src []byte) (int, error) { return len(src), nil }

func TestFDs(t *testing.T) {
	sb, ns, c := newTestProc(t)
	fds := sb.procs[0].fds
	pipe := vfs.NewFile(&pipeFile{data: "through the pipe"}, vfs.VirtualDentry{}, unix.O_RDONLY)
	fds.NewFD(pipe, 0, false, 100)
	vd, _ := walk(t, ns, c, "/cpuinfo", true)
	impl, _ := vd.Inode().Open(c, unix.O_RDONLY)
	named := vfs.NewFile(impl, vd, unix.O_RDONLY)
	fds.NewFD(named, 0, true, 100)

	if got := readlink(t, ns, c, "/self/fd/0"); got != "pipe:[77]" {
		t.Errorf("fd 0 -> %q", got)
	}
	if got := readlink(t, ns, c, "/self/fd/1"); got != "/cpuinfo" {
		t.Errorf("fd 1 -> %q", got)
	}
	// Following the link to a named file reaches the file itself.
	if target, err := walk(t, ns, c, "/self/fd/1", true); err != nil || target != vd {
		t.Errorf("following fd 1: %v", err)
	}
	// Opening the link to a pipe opens the pipe anew.
	target, err := walk(t, ns, c, "/self/fd/0", true)
	if err != nil {
		t.Fatal(err)
	}
	reopened, err := target.Inode().Open(c, unix.O_RDONLY)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64)
	n, _ := reopened.(vfs.StreamFile).Read(nil, buf)
	if string(buf[:n]) != "through the pipe" {
		t.Errorf("read through the reopened pipe: %q", buf[:n])
	}
	reopened.Release()

	l, _ := walk(t, ns, c, "/self/fd/0", false)
	if st, _ := l.Inode().Stat(c); st.Mode != unix.S_IFLNK|0o500 {
		t.Errorf("fd 0 mode %o", st.Mode)
	}
	if got := readFile(t, ns, c, "/self/fdinfo/1"); got != "pos:\t0\nflags:\t02000000\nmnt_id:\t1\nino:\t"+
		inoOf(t, vd)+"\n" {
		t.Errorf("fdinfo/1 = %q", got)
	}
	// A closed fd disappears, though its dentry was cached.
	fds.Remove(0)
	if _, err := walk(t, ns, c, "/self/fd/0", false); err != unix.ENOENT {
		t.Errorf("closed fd: %v", err)
	}
	pipe.DecRef()
	named.DecRef()
}

func inoOf(t *testing.T, vd vfs.VirtualDentry) string {
	st, _ := vd.Inode().Stat(nil)
	return strconv.FormatUint(st.Ino, 10)
}

func TestComm(t *testing.T) {
	sb, ns, c := newTestProc(t)
	vd, _ := walk(t, ns, c, "/self/task/7/comm", true)
	impl, err := vd.Inode().Open(c, unix.O_WRONLY)
	if err != nil {
		t.Fatal(err)
	}
	impl.(vfs.PositionalFile).PWrite(c, []byte("renamed"), 0)
	if sb.procs[0].threads[1].name != "renamed" {
		t.Errorf("comm write: name is %q", sb.procs[0].threads[1].name)
	}
	stranger := task{99, 99, c.creds}
	impl, _ = vd.Inode().Open(stranger, unix.O_WRONLY)
	if _, err := impl.(vfs.PositionalFile).PWrite(stranger, []byte("x"), 0); err != unix.EINVAL {
		t.Errorf("renaming another process's thread: %v", err)
	}
}

func TestParseID(t *testing.T) {
	for s, want := range map[string]bool{"1": true, "4194304": true, "0": false, "01": false, "+1": false,
		"-1": false, "1a": false, "": false, "99999999999": false} {
		if _, ok := parseID(s); ok != want {
			t.Errorf("parseID(%q) = %v", s, ok)
		}
	}
}
