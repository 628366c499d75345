package integration

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Real servers from Debian's packages, run with `moat do --network=host`
// and driven from the host over 127.0.0.1. Each must be installed (.ci/run
// installs them): a missing one fails the test, it is never skipped.

// needTools fails t unless every program is installed.
func needTools(t *testing.T, names ...string) {
	t.Helper()
	var missing []string
	for _, n := range names {
		if _, err := exec.LookPath(n); err != nil {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		t.Fatalf("missing %s: install Debian's redis-server, nginx, apache2-utils and python3 (.ci/run does)",
			strings.Join(missing, ", "))
	}
}

// freePort returns a loopback TCP port nothing listens on now.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// server is a program running under `moat do --network=host`.
type server struct {
	t      *testing.T
	cmd    *exec.Cmd
	out    bytes.Buffer
	done   chan struct{}
	status int
	stubs  []int
}

// startServer runs argv in moat and waits until port accepts connections.
func startServer(t *testing.T, port int, argv ...string) *server {
	t.Helper()
	s := &server{t: t, done: make(chan struct{})}
	s.cmd = exec.Command(moatBin, append([]string{"do", "--network=host", "--"}, argv...)...)
	s.cmd.Stdout, s.cmd.Stderr = &s.out, &s.out
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		s.cmd.Wait()
		s.status = s.cmd.ProcessState.ExitCode()
		close(s.done)
	}()
	t.Cleanup(func() {
		select {
		case <-s.done:
		default:
			s.cmd.Process.Kill()
			<-s.done
		}
	})
	addr := "127.0.0.1:" + strconv.Itoa(port)
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, err := net.DialTimeout("tcp4", addr, time.Second)
		if err == nil {
			c.Close()
			break
		}
		select {
		case <-s.done:
			t.Fatalf("%s ended (status %d) before listening on %s:\n%s", argv[0], s.status, addr, s.out.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s does not listen on %s after 20s:\n%s", argv[0], addr, s.out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.stubs = stubsOf(s.cmd.Process.Pid)
	if len(s.stubs) == 0 {
		t.Errorf("no stub process under moat (pid %d)", s.cmd.Process.Pid)
	}
	return s
}

// stop sends SIGTERM to moat, which passes it to the server; the server
// must end within 10 seconds and leave no stub process, and its port must
// be closed.
func (s *server) stop(port int) {
	t := s.t
	t.Helper()
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
		s.cmd.Process.Kill()
		<-s.done
		t.Fatalf("moat did not end within 10s of SIGTERM; output:\n%s", s.out.String())
	}
	deadline := time.Now().Add(5 * time.Second)
	for _, p := range s.stubs {
		for !gone(p) {
			if time.Now().After(deadline) {
				t.Fatalf("stub %d outlived moat", p)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	if c, err := net.DialTimeout("tcp4", "127.0.0.1:"+strconv.Itoa(port), time.Second); err == nil {
		c.Close()
		t.Errorf("port %d still accepts connections after moat ended", port)
	}
}

func httpGet(t *testing.T, url string) []byte {
	t.Helper()
	c := &http.Client{Timeout: 10 * time.Second}
	resp, err := c.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET %s: status %d, %v", url, resp.StatusCode, err)
	}
	return b
}

func TestServerPythonHTTP(t *testing.T) {
	needTools(t, "/usr/bin/python3")
	dir := t.TempDir()
	data := make([]byte, 64<<10)
	rand.Read(data)
	os.WriteFile(filepath.Join(dir, "data.bin"), data, 0o644)
	os.WriteFile(filepath.Join(dir, "hello.txt"), []byte("hello\n"), 0o644)
	os.Mkdir(filepath.Join(dir, "sub dir"), 0o755)

	// The same server natively, for the listing to compare with.
	nport := freePort(t)
	native := exec.Command("/usr/bin/python3", "-m", "http.server", "--bind", "127.0.0.1", "--directory", dir, strconv.Itoa(nport))
	if err := native.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { native.Process.Kill(); native.Wait() }()

	port := freePort(t)
	s := startServer(t, port, "/usr/bin/python3", "-m", "http.server", "--bind", "127.0.0.1", "--directory", dir, strconv.Itoa(port))
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if c, err := net.Dial("tcp4", "127.0.0.1:"+strconv.Itoa(nport)); err == nil {
			c.Close()
			break
		} else if time.Now().After(deadline) {
			t.Fatalf("the native python3 server does not start: %v", err)
		}
	}
	base := fmt.Sprintf("http://127.0.0.1:%d/", port)
	want := httpGet(t, fmt.Sprintf("http://127.0.0.1:%d/", nport))
	for i := 0; i < 3; i++ {
		if got := httpGet(t, base); !bytes.Equal(got, want) {
			t.Fatalf("directory listing differs from the native one:\n%s\nwant:\n%s", got, want)
		}
	}
	if !bytes.Contains(want, []byte(`href="sub%20dir/"`)) || !bytes.Contains(want, []byte(`href="data.bin"`)) {
		t.Errorf("unexpected listing:\n%s", want)
	}
	for i := 0; i < 5; i++ {
		if got := httpGet(t, base+"data.bin"); !bytes.Equal(got, data) {
			t.Fatalf("data.bin: got %d bytes, not the file's %d", len(got), len(data))
		}
	}
	if got := httpGet(t, base+"hello.txt"); string(got) != "hello\n" {
		t.Errorf("hello.txt: %q", got)
	}
	s.stop(port)
}

func TestServerRedis(t *testing.T) {
	needTools(t, "redis-server", "redis-benchmark")
	port := freePort(t)
	s := startServer(t, port, "redis-server", "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no")
	tests := []string{"SET", "GET", "LPUSH", "LPOP", "LRANGE_100"}
	bench := exec.Command("redis-benchmark", "-q", "-p", strconv.Itoa(port), "-n", "20000",
		"-t", "set,get,lpush,lpop,lrange_100")
	var out bytes.Buffer
	bench.Stdout, bench.Stderr = &out, &out
	if err := bench.Start(); err != nil {
		t.Fatal(err)
	}
	timer := time.AfterFunc(3*time.Minute, func() { bench.Process.Kill() })
	err := bench.Wait()
	timer.Stop()
	// -q rewrites its progress line with carriage returns: keep the
	// final lines.
	var results []string
	for _, line := range strings.Split(strings.ReplaceAll(out.String(), "\r", "\n"), "\n") {
		if strings.Contains(line, "requests per second") {
			results = append(results, line)
		}
	}
	if err != nil || strings.Contains(out.String(), "ERR") || strings.Contains(strings.ToLower(out.String()), "error") {
		t.Fatalf("redis-benchmark: %v\n%s\nserver:\n%s", err, strings.Join(results, "\n"), s.out.String())
	}
	for _, name := range tests {
		found := false
		for _, r := range results {
			found = found || strings.HasPrefix(r, name+":") || strings.HasPrefix(r, name+" ")
		}
		if !found {
			t.Errorf("no result for %s:\n%s", name, strings.Join(results, "\n"))
		}
	}
	t.Logf("redis-benchmark under moat:\n%s", strings.Join(results, "\n"))
	s.stop(port)
}

func TestServerNginx(t *testing.T) {
	needTools(t, "nginx", "ab")
	dir := t.TempDir()
	root := filepath.Join(dir, "www")
	os.Mkdir(root, 0o755)
	data := make([]byte, 100<<10)
	rand.Read(data)
	os.WriteFile(filepath.Join(root, "file.bin"), data, 0o644)
	port := freePort(t)
	// One process (master_process off): nginx's master talks to its
	// worker over a socketpair with FIOASYNC, which moat lacks yet.
	conf := fmt.Sprintf(`daemon off;
master_process off;
worker_processes 1;
pid /tmp/nginx.pid;
error_log stderr;
events {}
http {
    access_log off;
    sendfile on;
    server {
        listen 127.0.0.1:%d;
        root %s;
    }
}
`, port, root)
	confPath := filepath.Join(dir, "nginx.conf")
	os.WriteFile(confPath, []byte(conf), 0o644)
	s := startServer(t, port, "nginx", "-c", confPath)
	url := fmt.Sprintf("http://127.0.0.1:%d/file.bin", port)
	if got := httpGet(t, url); !bytes.Equal(got, data) {
		t.Fatalf("file.bin: %d bytes, not the file's %d", len(got), len(data))
	}
	ab := exec.Command("ab", "-n", "1000", "-c", "10", url)
	var out bytes.Buffer
	ab.Stdout, ab.Stderr = &out, &out
	if err := ab.Start(); err != nil {
		t.Fatal(err)
	}
	timer := time.AfterFunc(3*time.Minute, func() { ab.Process.Kill() })
	err := ab.Wait()
	timer.Stop()
	text := out.String()
	if err != nil || !strings.Contains(text, "Complete requests:      1000") ||
		!strings.Contains(text, "Failed requests:        0") || strings.Contains(text, "Non-2xx") ||
		!strings.Contains(text, fmt.Sprintf("Document Length:        %d bytes", len(data))) {
		t.Fatalf("ab: %v\n%s\nnginx:\n%s", err, text, s.out.String())
	}
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, "Requests per second") || strings.HasPrefix(line, "Time taken") {
			t.Log(line)
		}
	}
	s.stop(port)
}
