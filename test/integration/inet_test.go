package integration

import (
	"bufio"
	"io"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// inetPrograms check AF_INET and AF_INET6 sockets over the host's
// loopback (testdata/inet_*.c), run natively and under `moat do
// --network=host`. A program named NAME-N must end with status N.
var inetPrograms = []string{
	"inet_tcp",
	"inet_connect",
	"inet_reset",
	"inet_sigpipe-141",
	"inet_udp",
	"inet_sockopt",
	"inet_msgflags",
	"inet_intr",
	"inet_sendfile",
	"inet_epoll",
	"inet_ioctl",
}

func TestInetPrograms(t *testing.T) { compareProgramsWith(t, inetPrograms, "--network=host") }

// TestInetProgramsOnSandboxLoopback runs the same programs on the default
// network, the sandbox's own loopback in the user-space stack, where they
// must behave as on the host's loopback. Two are left out because the
// user-space stack moves loopback data asynchronously: inet_msgflags (a
// MSG_DONTWAIT receive right after the send finds nothing yet; no
// MSG_OOB either) and inet_sendfile (a send buffer filled to EAGAIN drains
// into the peer's receive buffer at once, so POLLOUT may come back).
func TestInetProgramsOnSandboxLoopback(t *testing.T) {
	var names []string
	for _, n := range inetPrograms {
		if n != "inet_msgflags" && n != "inet_sendfile" {
			names = append(names, n)
		}
	}
	compareProgramsWith(t, names)
}

// compareProgramsWith is comparePrograms with flags for `moat do`.
func compareProgramsWith(t *testing.T, names []string, flags ...string) {
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			prog := compile(t, name)
			native := runNative(t, prog)
			if native.status != wantStatus(name) {
				t.Fatalf("the program is broken: natively it ends with %d, want %d\nstdout:\n%s%s",
					native.status, wantStatus(name), native.stdout, native.stderr)
			}
			args := append(append([]string{"do"}, flags...), prog)
			sameAsNative(t, native, moat(t, args...))
		})
	}
}

func TestNetworkFlag(t *testing.T) {
	r := moat(t, "do", "--network=bogus", "true")
	if r.status != 125 || !strings.Contains(r.stderr, `unknown network "bogus"`) {
		t.Errorf("--network=bogus: status %d, stderr %q", r.status, r.stderr)
	}
}

// TestNetworkNoneIsolates checks the default network, the sandbox's own
// loopback: from inside, nothing on the host is reachable, neither a host
// listener on 127.0.0.1 nor a host address beyond loopback; from the host,
// a server listening inside on 127.0.0.1 is not reachable.
func TestNetworkNoneIsolates(t *testing.T) {
	prog := compile(t, "netnone")
	hostL, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer hostL.Close()
	hostPort := strconv.Itoa(hostL.Addr().(*net.TCPAddr).Port)
	r := moat(t, "do", prog, "connect", "127.0.0.1", hostPort)
	if want := "connect 127.0.0.1:" + hostPort + ": Connection refused\n"; r.status != 0 || r.stdout != want {
		t.Errorf("connecting to the host's loopback listener: status %d, stdout %q, want %q; stderr %q", r.status, r.stdout, want, r.stderr)
	}
	if ip := hostAddress(); ip != "" {
		r := moat(t, "do", prog, "connect", ip, hostPort)
		if want := "connect " + ip + ":" + hostPort + ": Network is unreachable\n"; r.status != 0 || r.stdout != want {
			t.Errorf("connecting to the host address %s: status %d, stdout %q, want %q", ip, r.status, r.stdout, want)
		}
	}

	port := strconv.Itoa(freePort(t))
	cmd := exec.Command(moatBin, "do", prog, "serve", port)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	rd := bufio.NewReader(out)
	if line, err := rd.ReadString('\n'); line != "listening\n" {
		t.Fatalf("server in moat: %q %v", line, err)
	}
	if c, err := net.DialTimeout("tcp4", "127.0.0.1:"+port, time.Second); err == nil {
		c.Close()
		t.Error("the host reached a server listening inside the sandbox")
	}
	rest, _ := io.ReadAll(rd)
	cmd.Wait()
	if string(rest) != "no connection\n" {
		t.Errorf("server in moat reports %q", rest)
	}
}

// hostAddress returns one of the host's IPv4 addresses beyond loopback,
// or "" when it has none.
func hostAddress() string {
	addrs, _ := net.InterfaceAddrs()
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil && !n.IP.IsLoopback() {
			return n.IP.String()
		}
	}
	return ""
}

// TestHostNetworkInterfaces checks that under --network=host the
// application sees the host's interfaces, addresses and routes through
// netlink (`ip -o addr` names each address with its interface), and under
// the default network only the sandbox's loopback.
func TestHostNetworkInterfaces(t *testing.T) {
	ipCmd, err := exec.LookPath("ip")
	if err != nil {
		t.Fatal("needs ip (Debian's iproute2, which .ci/run installs)")
	}
	addrs := func(out string) []string {
		var got []string
		for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
			if f := strings.Fields(l); len(f) >= 4 {
				got = append(got, f[1]+" "+f[2]+" "+f[3])
			}
		}
		return got
	}
	native, err := exec.Command(ipCmd, "-o", "addr").Output()
	if err != nil {
		t.Fatal(err)
	}
	r := moat(t, "do", "--network=host", ipCmd, "-o", "addr")
	if want, got := addrs(string(native)), addrs(r.stdout); r.status != 0 || strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("--network=host: status %d, addresses\n%s\nwant\n%s\nstderr %s", r.status, strings.Join(got, "\n"), strings.Join(want, "\n"), r.stderr)
	}
	nativeRoutes, err := exec.Command(ipCmd, "route", "show", "table", "all").Output()
	if err != nil {
		t.Fatal(err)
	}
	r = moat(t, "do", "--network=host", ipCmd, "route", "show", "table", "all")
	if r.status != 0 || r.stdout != string(nativeRoutes) {
		t.Errorf("--network=host: status %d, routes\n%s\nwant\n%s", r.status, r.stdout, nativeRoutes)
	}
	r = moat(t, "do", ipCmd, "-o", "addr")
	if want, got := "lo inet 127.0.0.1/8\nlo inet6 ::1/128", strings.Join(addrs(r.stdout), "\n"); r.status != 0 || got != want {
		t.Errorf("default network: status %d, addresses\n%s\nwant\n%s", r.status, got, want)
	}
}
