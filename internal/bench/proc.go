package bench

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// headBuffer keeps the first limit bytes written to it and drops the rest:
// servers may log without end, and errors want their first line.
type headBuffer struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	limit int
}

func (b *headBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if room := b.limit - b.buf.Len(); room > 0 {
		b.buf.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

func (b *headBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// A proc is a command running under a runtime: a server, one of N sandboxes
// of a density run.
type proc struct {
	rt      Runtime
	cmd     *exec.Cmd
	cleanup func()
	stdout  *headBuffer
	stderr  *headBuffer
	done    chan struct{} // closed when the command has ended
	waitErr error
	ctxErr  func() error
	stopped sync.Once
}

// setProcessGroup makes cmd the leader of a new process group, killed whole
// when ctx ends, and kills it with bench if bench dies.
func setProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = waitDelay
}

// startProc starts spec under rt. Its output is kept (the first 64 KiB of
// each stream); Stop ends it.
func startProc(ctx context.Context, env *Env, rt Runtime, spec Spec) (*proc, error) {
	cmd, cleanup, err := rt.Command(ctx, spec)
	if err != nil {
		return nil, err
	}
	p := &proc{rt: rt, cmd: cmd, cleanup: cleanup, done: make(chan struct{}), ctxErr: ctx.Err,
		stdout: &headBuffer{limit: 64 << 10}, stderr: &headBuffer{limit: 64 << 10}}
	cmd.Stdout, cmd.Stderr = p.stdout, p.stderr
	setProcessGroup(cmd)
	env.Log.Debug("bench: start", "runtime", rt.Name(), "argv", cmd.Args)
	if err := cmd.Start(); err != nil {
		cleanup()
		return nil, err
	}
	go func() {
		p.waitErr = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// exited reports whether the command has ended.
func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// failure says why the command ended: the first line of its stderr, or how
// it ended. Call it only once the command has ended.
func (p *proc) failure() error {
	if line := FirstLine(p.stderr.String()); line != "" {
		return errors.New(line)
	}
	if p.waitErr != nil {
		return errors.New(describeExit(p.waitErr))
	}
	return errors.New("exited early with status 0")
}

// stop kills the command's process group, waits for it and cleans up after
// the runtime. It may be called more than once.
func (p *proc) stop() {
	p.stopped.Do(func() {
		if !p.exited() {
			syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
			select {
			case <-p.done:
			case <-time.After(10 * time.Second):
			}
		}
		p.cleanup()
	})
}

// runSpec runs spec under rt to its end and returns its stdout. A failure's
// error is the first line the command wrote to stderr, or how it ended.
func runSpec(ctx context.Context, env *Env, rt Runtime, spec Spec) ([]byte, error) {
	out, _, err := runSpecTimed(ctx, env, rt, spec)
	return out, err
}

// runSpecTimed is runSpec that also returns the command's wall time, from
// just before it starts until it has ended (the runtime's cleanup excluded).
func runSpecTimed(ctx context.Context, env *Env, rt Runtime, spec Spec) ([]byte, time.Duration, error) {
	cmd, cleanup, err := rt.Command(ctx, spec)
	if err != nil {
		return nil, 0, err
	}
	defer cleanup()
	var stdout bytes.Buffer
	stderr := &headBuffer{limit: 64 << 10}
	cmd.Stdout, cmd.Stderr = &stdout, stderr
	setProcessGroup(cmd)
	env.Log.Debug("bench: run", "runtime", rt.Name(), "argv", cmd.Args)
	start := time.Now()
	err = cmd.Run()
	took := time.Since(start)
	if err != nil {
		env.Log.Debug("bench: run failed", "runtime", rt.Name(), "err", err, "stderr", stderr.String())
		if ctx.Err() != nil {
			return nil, 0, fmt.Errorf("%s: %v", describeExit(err), ctx.Err())
		}
		if line := FirstLine(stderr.String()); line != "" {
			return nil, 0, errors.New(line)
		}
		return nil, 0, errors.New(describeExit(err))
	}
	return stdout.Bytes(), took, nil
}

// runHost runs a native tool on the host (a load generator, a peer) and
// returns its stdout; errors as runSpec.
func runHost(ctx context.Context, env *Env, argv ...string) ([]byte, error) {
	return runSpec(ctx, env, nativeRuntime{}, Spec{Argv: argv})
}

func describeExit(err error) string {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ProcessState.String() // "exit status 1", "signal: killed"
	}
	return err.Error()
}

// freePort returns a TCP port on 127.0.0.1 that nothing listened on a moment
// ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// freePorts returns n distinct free ports.
func freePorts(n int) ([]int, error) {
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	var ports []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// pollInterval is how often a starting server is polled.
const pollInterval = 2 * time.Millisecond

// waitHTTP polls url until it answers with any HTTP response, p ends (its
// error is returned) or ctx ends.
func waitHTTP(ctx context.Context, p *proc, url string) error {
	client := &http.Client{
		Timeout:   2 * time.Second,
		Transport: &http.Transport{DisableKeepAlives: true, Proxy: nil},
	}
	for {
		if p != nil && p.exited() {
			return p.failure()
		}
		req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
		resp, err := client.Do(req)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			return nil
		}
		if err := waitOrDone(ctx, p, pollInterval); err != nil {
			return err
		}
	}
}

// waitTCP polls addr until it accepts a connection, p ends or ctx ends.
func waitTCP(ctx context.Context, p *proc, addr string) error {
	for {
		if p != nil && p.exited() {
			return p.failure()
		}
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return nil
		}
		if err := waitOrDone(ctx, p, pollInterval); err != nil {
			return err
		}
	}
}

// waitOrDone sleeps d, or less when ctx or p ends; it returns the error of
// whichever ended.
func waitOrDone(ctx context.Context, p *proc, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	var done chan struct{}
	if p != nil {
		done = p.done
	}
	select {
	case <-ctx.Done():
		return fmt.Errorf("gave up waiting: %v", ctx.Err())
	case <-done:
		return p.failure()
	case <-t.C:
		return nil
	}
}

// dropCaches writes back dirty pages and drops the host's clean caches, as
// the guide does before measuring memory or cold I/O. It needs root.
func dropCaches() error {
	syscall.Sync()
	if err := os.WriteFile("/proc/sys/vm/drop_caches", []byte("3\n"), 0); err != nil {
		return fmt.Errorf("dropping the page cache (needs root): %v", err)
	}
	return nil
}

// memAvailable reads MemAvailable from /proc/meminfo, in bytes.
func memAvailable() (uint64, error) {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "MemAvailable:"); ok {
			fs := strings.Fields(v)
			if len(fs) > 0 {
				kb, err := strconv.ParseUint(fs[0], 10, 64)
				if err == nil {
					return kb * 1024, nil
				}
			}
		}
	}
	return 0, fmt.Errorf("no MemAvailable in /proc/meminfo")
}

// waitListen polls the host's /proc/net/tcp and tcp6 until a socket listens
// on port, p ends or ctx ends. Unlike waitTCP it never connects: a server
// that takes every connection for a client (iperf3) sees nothing of it. It
// finds sockets in the host's network namespace only (host networking).
func waitListen(ctx context.Context, p *proc, port int) error {
	want := fmt.Sprintf(":%04X ", port)
	for {
		if p != nil && p.exited() {
			return p.failure()
		}
		for _, f := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
			data, err := os.ReadFile(f)
			if err != nil {
				continue
			}
			for _, line := range strings.Split(string(data), "\n")[1:] {
				fs := strings.Fields(line)
				// sl local_address rem_address st ...; st 0A is LISTEN.
				if len(fs) > 3 && fs[3] == "0A" && strings.HasSuffix(fs[1]+" ", want) {
					return nil
				}
			}
		}
		if err := waitOrDone(ctx, p, pollInterval); err != nil {
			return err
		}
	}
}
