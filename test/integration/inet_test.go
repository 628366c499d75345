package integration

import (
	"strings"
	"testing"
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
