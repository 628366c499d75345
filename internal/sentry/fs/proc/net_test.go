package proc

import (
	"net/netip"
	"strings"
	"testing"
)

func TestNetTables(t *testing.T) {
	SetInetSockets("tcp", func() []InetSocket {
		return []InetSocket{
			{Local: netip.MustParseAddrPort("127.0.0.1:8080"), Remote: netip.MustParseAddrPort("0.0.0.0:0"), State: 10, Inode: 42, RefCount: 1},
		}
	})
	SetInetSockets("udp6", func() []InetSocket {
		return []InetSocket{{Local: netip.MustParseAddrPort("[::1]:53"), Remote: netip.MustParseAddrPort("[::]:0"), State: 7, Inode: 43, RefCount: 2}}
	})
	defer SetInetSockets("tcp", nil)
	defer SetInetSockets("udp6", nil)

	tcp := strings.Split(string(renderTCP("tcp", false)), "\n")
	if len(tcp) != 3 || len(tcp[0]) != tcpLineWidth || len(tcp[1]) != tcpLineWidth {
		t.Fatalf("tcp: %q", tcp)
	}
	if want := "   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 42 1 "; !strings.HasPrefix(tcp[1], want) {
		t.Errorf("tcp row\n%q\nwant prefix\n%q", tcp[1], want)
	}
	udp6 := string(renderUDP("udp6", true))
	if want := udp6Header + "    0: 00000000000000000000000001000000:0035 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 43 2 0000000000000000 0\n"; udp6 != want {
		t.Errorf("udp6\n%q\nwant\n%q", udp6, want)
	}
	if udp := string(renderUDP("udp", false)); len(udp) != udpLineWidth+1 || !strings.HasPrefix(udp, "   sl  local_address") {
		t.Errorf("empty udp: %q", udp)
	}
}

func TestNetDevAndUnix(t *testing.T) {
	SetNetDevices(func() []NetDevice {
		return []NetDevice{{Name: "lo", Index: 1, RxBytes: 100, RxPackets: 2, TxBytes: 100, TxPackets: 2,
			Addrs6: []NetAddr6{{Addr: netip.MustParseAddr("::1"), PrefixLen: 128, Scope: 0x10, Flags: 0x80}}}}
	})
	defer SetNetDevices(nil)
	dev := strings.Split(string(renderNetDev()), "\n")
	if want := "    lo:     100       2    0    0    0     0          0         0      100       2    0    0    0     0       0          0"; dev[2] != want {
		t.Errorf("dev row\n%q\nwant\n%q", dev[2], want)
	}
	if got, want := string(renderIfInet6()), "00000000000000000000000000000001 01 80 10 80       lo\n"; got != want {
		t.Errorf("if_inet6 %q, want %q", got, want)
	}
	SetUnixSockets(func() []UnixSocket {
		return []UnixSocket{{RefCount: 2, Flags: 1 << 16, Type: 1, State: 1, Inode: 7, Path: "\x00abstract"}}
	})
	defer SetUnixSockets(nil)
	if got, want := string(renderUnix()), "Num       RefCount Protocol Flags    Type St Inode Path\n0000000000000000: 00000002 00000000 00010000 0001 01     7 @abstract\n"; got != want {
		t.Errorf("unix\n%q\nwant\n%q", got, want)
	}
	if r := string(renderRoute()); strings.Count(r, "\n") != 1 || !strings.HasPrefix(r, "Iface\tDestination") {
		t.Errorf("route without routes: %q", r)
	}
}
