// Package realprog runs real programs from the host (coreutils, tar, gzip,
// grep, findutils, dash, busybox, python3) natively and under `moat do`,
// and requires the two runs to agree exactly: exit status, stdout and
// stderr. Each check is a short script; its output must be deterministic
// (sorted listings, hashes, facts rather than times or pids).
//
// The checks run each script through a shell, `sh -c SCRIPT` natively and
// `moat do -- sh -c SCRIPT` in the sandbox, with a fixed environment, stdin
// from /dev/null and the test's own tree under /var/tmp as the working
// directory (the sandbox has its own /tmp, so what it runs must live
// elsewhere). Scripts that need scratch space make it under /tmp with
// mktemp and remove it.
//
// TestSandboxWrites is the exception: it runs only in moat and checks that
// writes inside the sandbox are seen by later reads there and never reach
// the host.
//
// The tests need root (moat traces its stub processes) and install
// nothing: the programs come from Debian's coreutils, tar, gzip, grep,
// findutils, dash, busybox-static and python3 packages. Nothing here uses
// the network. MOAT_BIN names a prebuilt moat to test instead of building
// one from this tree.
package realprog

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/moat-sandbox/moat/internal/testutil/moatbin"
	"github.com/moat-sandbox/moat/internal/testutil/outdiff"
)

const (
	// runTimeout bounds each run, native or in moat.
	runTimeout = 90 * time.Second
	// maxParallel bounds the checks running at once.
	maxParallel = 2
	// python is the system interpreter; the python3 first on PATH may be
	// a shim script of a version manager.
	python = "/usr/bin/python3"
	// busybox is busybox-static's binary.
	busybox = "/bin/busybox"
)

// env is the whole environment of every run, natively and in moat.
var env = []string{
	"PATH=/usr/bin:/bin",
	"LC_ALL=C",
	"TZ=UTC",
	"HOME=/root",
	"PYTHONDONTWRITEBYTECODE=1", // no .pyc written into the host's /usr natively
	"PYTHONHASHSEED=0",
}

var (
	// moatBin is the moat binary under test.
	moatBin string
	// workDir is this run's directory under /var/tmp: the moat binary
	// and the tree.
	workDir string
	// tree is a small directory tree the checks read (grep, tar, os.walk).
	tree string
	// slots bounds the checks running at once.
	slots = make(chan struct{}, maxParallel)
)

func TestMain(m *testing.M) {
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	if os.Geteuid() != 0 {
		fmt.Fprintln(os.Stderr, "these tests need root: moat traces its stub processes with ptrace; run `go test` as root")
		return 1
	}
	for _, p := range []string{"/bin/sh", "/bin/dash", busybox, python, "/usr/bin/tar", "/usr/bin/gzip", "/usr/bin/find", "/usr/bin/grep"} {
		if _, err := os.Stat(p); err != nil {
			fmt.Fprintf(os.Stderr, "these tests need %s (Debian packages coreutils, dash, busybox-static, python3, tar, gzip, findutils, grep): %v\n", p, err)
			return 1
		}
	}
	if err := moatbin.CloseInheritedFDs(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	os.Setenv("TMPDIR", "/var/tmp")
	dir, err := os.MkdirTemp("/var/tmp", "moat-realprog-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	workDir = dir
	tree = filepath.Join(dir, "tree")
	if err := makeTree(tree); err != nil {
		fmt.Fprintln(os.Stderr, "making the test tree:", err)
		return 1
	}
	if moatBin, err = moatbin.Get(dir); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return m.Run()
}

// makeTree writes the tree the checks read: text files (some with the word
// "needle"), nested directories, an empty directory, a symlink and a
// binary file.
func makeTree(root string) error {
	files := map[string]string{
		"README":              "a small tree for moat's real-program checks\n",
		"a/one.txt":           "first line\nthe needle is here\nlast line\n",
		"a/two.txt":           strings.Repeat("hay\n", 50) + "needle at line 51\n",
		"a/deep/er/three.txt": "no match in this one\n",
		"b/needle.txt":        "needle\nNEEDLE\nneedles\n",
		"b/numbers.txt":       numbers(),
		"c/binary.bin":        string([]byte{0, 1, 2, 3, 'n', 'e', 'e', 'd', 'l', 'e', 0, 255}),
	}
	for name, body := range files {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(filepath.Join(root, "empty"), 0o755); err != nil {
		return err
	}
	if err := os.Chmod(filepath.Join(root, "a", "two.txt"), 0o600); err != nil {
		return err
	}
	return os.Symlink("a/one.txt", filepath.Join(root, "link"))
}

// numbers is 2000 lines of pseudo-random numbers and words to sort.
func numbers() string {
	var sb strings.Builder
	x := uint32(12345)
	words := []string{"apple", "Banana", "cherry", "date", "Elder", "fig"}
	for i := 0; i < 2000; i++ {
		x = x*1103515245 + 12345
		fmt.Fprintf(&sb, "%d %s %d\n", x%100000, words[x%6], i)
	}
	return sb.String()
}

// A check is a script run by a shell natively and in moat.
type check struct {
	name   string
	shell  []string // the shell and its flag, e.g. {"/bin/sh", "-c"}
	script string
	// args follow the script: $0, $1, ... (python: sys.argv[1:]).
	args []string
	// status is the exit status the native run must end with; otherwise
	// the check itself is broken (and would compare two failures).
	status int
}

// sh is the default shell.
var sh = []string{"/bin/sh", "-c"}

// checks are the real-program checks compared natively and in moat.
func checks() []check {
	cs := []check{
		{name: "ls_la", script: `ls -la /usr/share/doc/coreutils /usr/share/doc/tar /usr/share/common-licenses`},
		// The parent of /usr is the sandbox's root, a merged directory of
		// the overlay: it must look like the host's root.
		{name: "ls_la_usr", script: `ls -la /usr; stat -c '%F %a %h %s %U %G %Y' / /usr /etc`},
		{name: "os_release", script: `cat /etc/os-release`},
		{name: "sort", script: `
			f=tree/b/numbers.txt
			sort -n "$f" | md5sum
			sort -k2,2 -k1,1n "$f" | head -5
			sort -f -k2,2 -u "$f" | cut -d' ' -f2
			sort -rn "$f" | tail -3
			sort -c "$f"; echo "sort -c of unsorted input: $?"
			sort -n "$f" | sort -nc && echo "sorted output passes sort -c"`},
		{name: "grep_r", script: `
			grep -rn needle tree | sort
			echo "--"
			grep -rlw needle tree | sort
			echo "--"
			grep -rci NEEDLE tree --include='*.txt' | sort
			grep -rq nothing-like-this tree; echo "no match: $?"`},
		{name: "find_so", script: `find /usr/lib -name '*.so*' | sort | head`},
		{name: "find_tree", script: `find tree -printf '%p %y %m %s\n' ! -type d | sort; find tree -type d | sort`},
		{name: "tar_roundtrip", script: `
			d=$(mktemp -d /tmp/realprog.XXXXXX)
			tar -cf - -C tree . | tar -xf - -C "$d"
			cd "$d"
			find . ! -type d -printf '%p %y %m %s\n' | sort
			find . -type d -printf '%p %m\n' | sort
			find . -type f -exec sha256sum {} + | sort -k2
			readlink link
			cd / && rm -rf "$d"
			tar -tvf /dev/null; echo "empty archive: $?"`},
		{name: "gzip_sha256", script: `
			gzip -9n < /etc/os-release | sha256sum
			gzip -n < tree/b/numbers.txt | gunzip | sha256sum
			sha256sum tree/b/numbers.txt tree/c/binary.bin
			d=$(mktemp -d /tmp/realprog.XXXXXX)
			cp tree/b/numbers.txt "$d/n.txt"
			gzip "$d/n.txt"; ls "$d"
			gunzip "$d/n.txt.gz"; ls "$d"
			cmp "$d/n.txt" tree/b/numbers.txt && echo "round trip: same bytes"
			rm -rf "$d"
			echo garbage | gunzip; echo "gunzip of garbage: $?"`},
		{name: "python_files", shell: []string{python, "-c"}, script: pyFiles, args: []string{"tree"}},
		{name: "python_subprocess", shell: []string{python, "-c"}, script: pySubprocess},
		{name: "python_threads", shell: []string{python, "-c"}, script: pyThreads},
		{name: "python_multiprocessing", shell: []string{python, "-c"}, script: pyMultiprocessing},
		{name: "python_signal", shell: []string{python, "-c"}, script: pySignal},
		{name: "python_fork", shell: []string{python, "-c"}, script: pyFork},
	}
	shells := []struct {
		name string
		argv []string
	}{
		{"dash", []string{"/bin/dash", "-c"}},
		{"busybox", []string{busybox, "sh", "-c"}},
	}
	for _, s := range shells {
		for _, c := range shellChecks {
			cs = append(cs, check{name: s.name + "_" + c.name, shell: s.argv, script: c.script, status: c.status})
		}
	}
	return cs
}

// shellChecks run under both dash and busybox sh.
var shellChecks = []check{
	{name: "pipeline", script: `seq 1 1000 | sort -rn | head -3`},
	{name: "background_wait", script: `(sleep 0.2; echo late) & echo early; wait; echo "wait: $?"`},
	{name: "trap", script: `trap 'echo got USR1' USR1; kill -USR1 $$; echo after; trap - USR1; trap 'echo exiting' EXIT`},
	// The statuses are compared; busybox sh's "Terminated"/"Killed"
	// reports are left out, as in kill_child: under load moat's busybox
	// sometimes reaps the child where it reports nothing.
	{name: "timeout", script: `{ timeout 1 sleep 5; echo $?; timeout -s KILL 0.2 sleep 5; echo $?; } 2>/dev/null`},
	{name: "xargs", script: `seq 1 40 | xargs -P4 -n3 echo | tr ' ' '\n' | sort -n | tr '\n' ' '; echo`},
	{name: "subshells", script: `
		x=1; (x=2; echo "inner $x"); echo "outer $x"
		echo "$(echo nested $(echo deeper))"
		false || echo "or ran"; true && echo "and ran"
		for i in 1 2 3; do printf '%s,' "$i"; done; echo
		exit 3`, status: 3},
	{name: "redirects", script: `
		d=$(mktemp -d /tmp/realprog.XXXXXX)
		echo one > "$d/f"; echo two >> "$d/f"; cat < "$d/f"
		ls "$d/missing" 2> "$d/err"; echo "ls: $?"; wc -l < "$d/err"
		exec 3> "$d/g"; echo via-fd3 >&3; exec 3>&-; cat "$d/g"
		cat <<EOF
here $((6 * 7))
EOF
		rm -rf "$d"`},
	// Whether the shell reports "Terminated" depends on whether it reaps
	// the child in its poll right after kill or in wait, a race natively
	// too (the child dies sooner in moat, where it is in the Sentry): the
	// status is what is compared.
	{name: "kill_child", script: `{ sleep 10 & p=$!; kill $p; wait $p; echo "status $?"; } 2>/dev/null`},
}

const pyFiles = `
import json, os, pathlib, stat, sys, tempfile

tree = sys.argv[1]
for root, dirs, files in os.walk(tree):
    dirs.sort()
    rel = os.path.relpath(root, tree)
    print("dir", rel, sorted(dirs))
    for f in sorted(files):
        st = os.lstat(os.path.join(root, f))
        print("  ", f, stat.filemode(st.st_mode), st.st_size, st.st_nlink)
print("link ->", os.readlink(os.path.join(tree, "link")), os.path.islink(os.path.join(tree, "link")))
print("walk with followlinks finds", sum(len(f) for _, _, f in os.walk(tree, followlinks=True)), "files")

data = {"b": [1, 2.5, None, True, "\u00fc"], "a": {"nested": {"deeper": []}}}
s = json.dumps(data, sort_keys=True)
print(s)
print("round trip:", json.loads(s) == data)
print(json.dumps(json.loads('{"x": [1, {"y": "z"}]}'), indent=2))

os.umask(0o022)
with tempfile.TemporaryDirectory() as d:
    p = pathlib.Path(d) / "x.txt"
    p.write_text("hello\n")
    with open(p, "a") as f:
        f.write("more\n")
    print(p.read_text().splitlines(), p.stat().st_size)
    (pathlib.Path(d) / "sub" / "deeper").mkdir(parents=True)
    os.rename(p, pathlib.Path(d) / "sub" / "y.txt")
    print(sorted(str(q.relative_to(d)) for q in pathlib.Path(d).rglob("*")))
    st = os.stat(pathlib.Path(d) / "sub" / "y.txt")
    print(oct(stat.S_IMODE(st.st_mode)), st.st_nlink, st.st_size, stat.S_ISREG(st.st_mode))
    os.link(pathlib.Path(d) / "sub" / "y.txt", pathlib.Path(d) / "hard")
    print("nlink after link:", os.stat(pathlib.Path(d) / "hard").st_nlink)
    with open(pathlib.Path(d) / "bin", "wb") as f:
        f.write(bytes(range(256)) * 4)
    with open(pathlib.Path(d) / "bin", "rb") as f:
        f.seek(510)
        print(list(f.read(4)), f.tell())
    os.truncate(pathlib.Path(d) / "bin", 10)
    print("truncated:", os.path.getsize(pathlib.Path(d) / "bin"))
    with tempfile.NamedTemporaryFile(dir=d, delete=True) as t:
        t.write(b"abc")
        t.flush()
        print("named temp size:", os.path.getsize(t.name))
    saved = d
print("cleaned up:", not os.path.exists(saved))
try:
    open(os.path.join(tree, "no", "such"))
except FileNotFoundError as e:
    print("FileNotFoundError errno", e.errno)
`

const pySubprocess = `
import subprocess, sys

print(subprocess.check_output(["echo", "hi"]).decode().strip())
p = subprocess.Popen(["cat"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
out, _ = p.communicate(b"through cat\n" * 3)
print(out.decode().splitlines(), p.returncode)
p = subprocess.Popen(["sort", "-r"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
for w in ["b", "c", "a"]:
    p.stdin.write(w + "\n")
p.stdin.close()
print(p.stdout.read().split(), p.wait())
r = subprocess.run(["sh", "-c", "echo out; echo err >&2; exit 3"], capture_output=True, text=True)
print(r.returncode, repr(r.stdout), repr(r.stderr))
try:
    subprocess.check_call(["false"])
except subprocess.CalledProcessError as e:
    print("false exited", e.returncode)
try:
    subprocess.run(["sleep", "5"], timeout=0.3)
except subprocess.TimeoutExpired:
    print("timeout expired")
p = subprocess.Popen(["sleep", "5"])
p.terminate()
print("terminated:", p.wait())
a = subprocess.Popen(["seq", "1", "100"], stdout=subprocess.PIPE)
b = subprocess.Popen(["wc", "-l"], stdin=a.stdout, stdout=subprocess.PIPE)
a.stdout.close()
print("pipeline:", b.communicate()[0].decode().strip(), a.wait(), b.returncode)
try:
    subprocess.run(["/nonexistent/program"])
except FileNotFoundError as e:
    print("missing program errno", e.errno)
`

const pyThreads = `
import queue, threading

q = queue.Queue()
results = queue.Queue()
lock = threading.Lock()
total = [0]

def worker(n):
    while True:
        item = q.get()
        if item is None:
            q.task_done()
            return
        with lock:
            total[0] += item
        results.put((n, item * item))
        q.task_done()

threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
for t in threads:
    t.start()
for i in range(1000):
    q.put(i)
for _ in threads:
    q.put(None)
q.join()
for t in threads:
    t.join()
squares = []
while not results.empty():
    squares.append(results.get()[1])
print("total", total[0], "items", len(squares), "sum of squares", sum(squares))

barrier = threading.Barrier(8)
order = []
def at_barrier(i):
    barrier.wait()
    with lock:
        order.append(i)
ts = [threading.Thread(target=at_barrier, args=(i,)) for i in range(8)]
for t in ts:
    t.start()
for t in ts:
    t.join()
print("passed the barrier:", sorted(order))

ev = threading.Event()
got = []
def waiter():
    got.append(ev.wait(5))
w = threading.Thread(target=waiter)
w.start()
ev.set()
w.join()
print("event:", got)
cond = threading.Condition()
ready = []
def consumer():
    with cond:
        cond.wait_for(lambda: ready)
        got.append(ready[0])
c = threading.Thread(target=consumer)
c.start()
with cond:
    ready.append("go")
    cond.notify_all()
c.join()
print("condition:", got[-1], "threads left:", threading.active_count())
`

const pyMultiprocessing = `
import multiprocessing as mp
import os

def square(x):
    return x * x

def child_pid_is_other(_):
    return os.getpid() != parent

if __name__ == "__main__":
    parent = os.getpid()
    with mp.Pool(2) as pool:
        print(pool.map(square, range(20)))
        print(sum(pool.imap_unordered(square, range(100))))
        print(all(pool.map(child_pid_is_other, range(4))))
        r = pool.apply_async(square, (12,))
        print(r.get(timeout=30))
    q = mp.Queue()
    p = mp.Process(target=q.put, args=("from a child",))
    p.start()
    print(q.get(timeout=30))
    p.join()
    print("exitcode", p.exitcode)
    v = mp.Value("i", 0)
    def bump(v):
        with v.get_lock():
            v.value += 1
    ps = [mp.Process(target=bump, args=(v,)) for _ in range(4)]
    for p in ps:
        p.start()
    for p in ps:
        p.join()
    print("shared value", v.value)
`

const pySignal = `
import os, signal, time

got = []
signal.signal(signal.SIGALRM, lambda s, f: got.append("alarm"))
signal.alarm(1)
start = time.monotonic()
time.sleep(2)
print(got, "slept the full 2 s:", time.monotonic() - start >= 1.9)

class Timeout(Exception):
    pass
def raise_timeout(s, f):
    raise Timeout()
signal.signal(signal.SIGALRM, raise_timeout)
signal.setitimer(signal.ITIMER_REAL, 0.2)
try:
    while True:
        time.sleep(0.05)
except Timeout:
    print("interrupted by the itimer")
signal.signal(signal.SIGUSR1, lambda s, f: got.append("usr1"))
os.kill(os.getpid(), signal.SIGUSR1)
print(got)
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR2})
os.kill(os.getpid(), signal.SIGUSR2)
print("pending:", signal.sigpending() == {signal.SIGUSR2})
print("sigwait:", signal.sigwait({signal.SIGUSR2}) == signal.SIGUSR2)
print("default SIGINT handler is python's:", signal.getsignal(signal.SIGINT) is signal.default_int_handler)
`

const pyFork = `
import os, sys

r, w = os.pipe()
pid = os.fork()
if pid == 0:
    os.close(r)
    os.write(w, b"hello from the child")
    os._exit(7)
os.close(w)
print(os.read(r, 100).decode())
wpid, status = os.waitpid(pid, 0)
print(wpid == pid, os.WIFEXITED(status), os.WEXITSTATUS(status))
pids = []
for i in range(5):
    p = os.fork()
    if p == 0:
        os._exit(i)
    pids.append(p)
codes = sorted(os.waitstatus_to_exitcode(os.wait()[1]) for _ in pids)
print("codes", codes)
try:
    os.wait()
except ChildProcessError:
    print("no more children")
pid = os.fork()
if pid == 0:
    os.kill(os.getpid(), 15)
    os._exit(0)
_, status = os.waitpid(pid, 0)
print("killed by", os.WTERMSIG(status))
sys.stdout.flush()
pid = os.fork()
if pid == 0:
    os.execv("/bin/echo", ["echo", "exec'd echo"])
os.waitpid(pid, 0)
`

// TestRealPrograms runs each check natively and in moat and compares.
func TestRealPrograms(t *testing.T) {
	for _, c := range checks() {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			slots <- struct{}{}
			defer func() { <-slots }()
			shell := c.shell
			if shell == nil {
				shell = sh
			}
			argv := append(append(append([]string{}, shell...), c.script), c.args...)
			if shell[0] != python {
				// sh -c SCRIPT NAME: the name is $0.
				argv = append(append(append([]string{}, shell...), c.script, c.name), c.args...)
			}
			native, err := run(argv...)
			if err != nil {
				t.Fatalf("native run: %v", err)
			}
			if native.status != c.status {
				t.Fatalf("native run ended with %s, want status %d: the check is broken\nstdout:\n%s\nstderr:\n%s",
					native.how, c.status, native.stdout, native.stderr)
			}
			inMoat, err := run(append([]string{moatBin, "do", "--"}, argv...)...)
			if err != nil {
				t.Fatalf("moat run: %v", err)
			}
			if problems := compare(native, inMoat); len(problems) > 0 {
				t.Errorf("moat differs from native Linux:\n%s", strings.Join(problems, "\n"))
			}
			if testing.Verbose() {
				t.Logf("native %s; stdout:\n%s", native.how, native.stdout)
			}
		})
	}
}

// TestSandboxWrites writes, creates, renames and deletes files inside one
// `moat do` run, over the host's tree and in /etc: later reads in the same
// sandbox see the changes, the host sees none, and a second sandbox starts
// from the host's state again.
func TestSandboxWrites(t *testing.T) {
	slots <- struct{}{}
	defer func() { <-slots }()
	probe := fmt.Sprintf("/etc/moat-realprog-probe-%d", os.Getpid())
	before, err := snapshot(tree)
	if err != nil {
		t.Fatal(err)
	}
	script := `
		set -e
		cd "$1"
		echo created > new.txt
		echo appended >> a/one.txt
		mv a/two.txt a/moved.txt
		rm b/needle.txt
		rmdir empty
		mkdir -p made/dir
		ln -s new.txt newlink
		echo probe > "$2"
		cat new.txt newlink "$2"
		tail -1 a/one.txt
		ls a b
		test ! -e b/needle.txt && echo "needle.txt gone"
		test ! -e empty && echo "empty gone"
		test -d made/dir && echo "made/dir made"
		head -c 3 a/moved.txt; echo
		find . | sort | md5sum >/dev/null && echo "find walks the changed tree"`
	r, err := run(moatBin, "do", "--", "/bin/sh", "-c", script, "sandbox", tree, probe)
	if err != nil {
		t.Fatal(err)
	}
	want := "created\ncreated\nprobe\nappended\na:\ndeep\nmoved.txt\none.txt\n\nb:\nnumbers.txt\nneedle.txt gone\nempty gone\nmade/dir made\nhay\nfind walks the changed tree\n"
	if r.status != 0 || string(r.stdout) != want || len(r.stderr) != 0 {
		t.Errorf("in the sandbox: %s\nstdout:\n%s\nwant:\n%s\nstderr:\n%s", r.how, r.stdout, want, r.stderr)
	}
	after, err := snapshot(tree)
	if err != nil {
		t.Fatal(err)
	}
	if d := outdiff.Diff("host tree (before/after)", []byte(before), []byte(after)); d != "" {
		t.Errorf("the sandbox's writes reached the host:\n%s", d)
	}
	if _, err := os.Lstat(probe); !errors.Is(err, fs.ErrNotExist) {
		os.Remove(probe)
		t.Errorf("the sandbox's write to %s reached the host (lstat: %v)", probe, err)
	}
	r, err = run(moatBin, "do", "--", "/bin/sh", "-c", `cd "$1"; cat new.txt 2>/dev/null || echo "no new.txt"; cat b/needle.txt | head -1`, "sandbox", tree)
	if err != nil {
		t.Fatal(err)
	}
	if want := "no new.txt\nneedle\n"; string(r.stdout) != want {
		t.Errorf("a second sandbox saw the first one's changes: %s\nstdout:\n%s\nwant:\n%s\nstderr:\n%s", r.how, r.stdout, want, r.stderr)
	}
}

// snapshot describes a tree: every entry's path, type, mode, size, link
// target and content hash.
func snapshot(root string) (string, error) {
	var sb strings.Builder
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		fmt.Fprintf(&sb, "%s %v", rel, info.Mode())
		switch {
		case info.Mode()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			fmt.Fprintf(&sb, " -> %s", target)
		case info.Mode().IsRegular():
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			fmt.Fprintf(&sb, " %d %x", info.Size(), sha256.Sum256(b))
		}
		sb.WriteString("\n")
		return nil
	})
	return sb.String(), err
}

// result is how one run ended.
type result struct {
	// status is the exit code, or 128+N after a death by signal N.
	status         int
	how            string
	stdout, stderr []byte
}

// run runs argv in workDir with the fixed environment, stdin from
// /dev/null, killing its process group if it outlives runTimeout.
func run(argv ...string) (*result, error) {
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = env
	cmd.Dir = workDir
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 2 * time.Second
	err := cmd.Run()
	if ctx.Err() == context.DeadlineExceeded {
		return nil, fmt.Errorf("%q: timed out after %v (process group killed)", short(argv), runTimeout)
	}
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		return nil, fmt.Errorf("%q: %v", short(argv), err)
	}
	r := &result{stdout: stdout.Bytes(), stderr: stderr.Bytes()}
	ws := cmd.ProcessState.Sys().(syscall.WaitStatus)
	switch {
	case ws.Signaled():
		r.status = 128 + int(ws.Signal())
		r.how = fmt.Sprintf("killed by signal %d (%v)", ws.Signal(), ws.Signal())
	default:
		r.status = ws.ExitStatus()
		r.how = fmt.Sprintf("exit %d", r.status)
	}
	return r, nil
}

// short abbreviates long arguments (scripts) for messages.
func short(argv []string) []string {
	out := make([]string, len(argv))
	for i, a := range argv {
		if len(a) > 60 {
			a = strings.TrimSpace(a[:60]) + "..."
		}
		out[i] = a
	}
	return out
}

// compare lists how the moat run differs from the native one.
func compare(native, inMoat *result) []string {
	var problems []string
	if inMoat.status != native.status {
		problems = append(problems, fmt.Sprintf("status: native %s, moat %s", native.how, inMoat.how))
	}
	if d := outdiff.Diff("stdout", native.stdout, inMoat.stdout); d != "" {
		problems = append(problems, d)
	}
	if d := outdiff.Diff("stderr", native.stderr, inMoat.stderr); d != "" {
		problems = append(problems, d)
	}
	return problems
}
