// Package netstack is the network of `moat do --network=none` (the
// default): AF_INET and AF_INET6 sockets, TCP and UDP, served by a
// user-space TCP/IP stack inside the Sentry (the gvisor.dev/gvisor/pkg/tcpip
// library) whose only interface is a loopback NIC, "lo", with 127.0.0.1/8
// and ::1/128. Nothing of the application's networking reaches the host.
//
// One stack serves the whole sandbox (the Sentry is one process per
// sandbox); it is made by Register, or on first use. A later network mode
// adds an external NIC to the same stack.
//
// The stack runs its own goroutines and its own wait queues
// (gvisor.dev/gvisor/pkg/waiter); each socket bridges its endpoint's queue
// to the Sentry's (internal/sentry/waiter) with one callback entry, so
// poll, epoll and blocking calls see the endpoint's events. Blocking is the
// Sentry's: a call that would block waits on the socket's queue through the
// task's Block, bounded by SO_RCVTIMEO or SO_SNDTIMEO.
package netstack

import (
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"
	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/link/loopback"
	"gvisor.dev/gvisor/pkg/tcpip/network/ipv4"
	"gvisor.dev/gvisor/pkg/tcpip/network/ipv6"
	"gvisor.dev/gvisor/pkg/tcpip/stack"
	"gvisor.dev/gvisor/pkg/tcpip/transport/tcp"
	"gvisor.dev/gvisor/pkg/tcpip/transport/udp"

	"github.com/moat-sandbox/moat/internal/sentry/socket"
)

// LoopbackNIC is the loopback interface's NIC id and ifindex.
const LoopbackNIC tcpip.NICID = 1

// LoopbackName is the loopback interface's name.
const LoopbackName = "lo"

var (
	stackOnce sync.Once
	theStack  *stack.Stack
)

// Register makes socket(2) of AF_INET and AF_INET6 create sockets of the
// sandbox's user-space stack, creating the stack if need be. The sandbox
// calls it at boot for --network=none. socketpair(2) of these families
// stays EOPNOTSUPP, as on Linux.
func Register() {
	Stack()
	socket.RegisterFamily(unix.AF_INET, newFunc(unix.AF_INET))
	socket.RegisterFamily(unix.AF_INET6, newFunc(unix.AF_INET6))
}

// Stack returns the sandbox's stack, creating it on first use.
func Stack() *stack.Stack {
	stackOnce.Do(func() { theStack = newStack() })
	return theStack
}

// Linux's defaults where the host does not say (net.ipv4.tcp_wmem and
// tcp_rmem, ip_local_port_range).
var (
	tcpWmem   = [3]int{4096, 16384, 4194304}
	tcpRmem   = [3]int{4096, 131072, 6291456}
	portRange = [2]int{32768, 60999}
)

// newStack builds the stack: IPv4 and IPv6, TCP and UDP, one loopback NIC
// holding 127.0.0.1/8 and ::1/128 and routing 127.0.0.0/8 and ::1.
func newStack() *stack.Stack {
	readHostSysctls()
	s := stack.New(stack.Options{
		NetworkProtocols:   []stack.NetworkProtocolFactory{ipv4.NewProtocol, ipv6.NewProtocol},
		TransportProtocols: []stack.TransportProtocolFactory{tcp.NewProtocol, udp.NewProtocol},
		HandleLocal:        true,
	})
	// Linux's TCP: SACK, Nagle on (TCP_NODELAY reads 0), receive buffer
	// auto-tuning, buffer sizes as the host's sysctls give them.
	sack := tcpip.TCPSACKEnabled(true)
	s.SetTransportProtocolOption(tcp.ProtocolNumber, &sack)
	delay := tcpip.TCPDelayEnabled(true)
	s.SetTransportProtocolOption(tcp.ProtocolNumber, &delay)
	moderate := tcpip.TCPModerateReceiveBufferOption(true)
	s.SetTransportProtocolOption(tcp.ProtocolNumber, &moderate)
	snd := tcpip.TCPSendBufferSizeRangeOption{Min: tcpWmem[0], Default: tcpWmem[1], Max: tcpWmem[2]}
	s.SetTransportProtocolOption(tcp.ProtocolNumber, &snd)
	rcv := tcpip.TCPReceiveBufferSizeRangeOption{Min: tcpRmem[0], Default: tcpRmem[1], Max: tcpRmem[2]}
	s.SetTransportProtocolOption(tcp.ProtocolNumber, &rcv)
	s.SetPortRange(uint16(portRange[0]), uint16(portRange[1]))

	if err := s.CreateNICWithOptions(LoopbackNIC, loopback.New(), stack.NICOptions{Name: LoopbackName}); err != nil {
		panic("netstack: creating the loopback NIC: " + err.String())
	}
	v4 := tcpip.ProtocolAddress{
		Protocol:          ipv4.ProtocolNumber,
		AddressWithPrefix: tcpip.AddressWithPrefix{Address: tcpip.AddrFrom4([4]byte{127, 0, 0, 1}), PrefixLen: 8},
	}
	v6 := tcpip.ProtocolAddress{
		Protocol:          ipv6.ProtocolNumber,
		AddressWithPrefix: tcpip.AddrFrom16([16]byte{15: 1}).WithPrefix(),
	}
	for _, a := range []tcpip.ProtocolAddress{v4, v6} {
		if err := s.AddProtocolAddress(LoopbackNIC, a, stack.AddressProperties{}); err != nil {
			panic("netstack: adding " + a.AddressWithPrefix.String() + ": " + err.String())
		}
	}
	s.SetRouteTable([]tcpip.Route{
		{Destination: v4.AddressWithPrefix.Subnet(), NIC: LoopbackNIC},
		{Destination: v6.AddressWithPrefix.Subnet(), NIC: LoopbackNIC},
	})
	return s
}

// readHostSysctls takes the TCP buffer sizes and the ephemeral port range
// from the host, so that the sandbox's defaults are the machine's.
func readHostSysctls() {
	if v, ok := readInts("/proc/sys/net/ipv4/tcp_wmem", 3); ok && v[0] > 0 && v[1] >= v[0] && v[2] >= v[1] {
		copy(tcpWmem[:], v)
	}
	if v, ok := readInts("/proc/sys/net/ipv4/tcp_rmem", 3); ok && v[0] > 0 && v[1] >= v[0] && v[2] >= v[1] {
		copy(tcpRmem[:], v)
	}
	if v, ok := readInts("/proc/sys/net/ipv4/ip_local_port_range", 2); ok && v[0] > 0 && v[0] <= v[1] && v[1] < 65536 {
		copy(portRange[:], v)
	}
	if v, ok := readInts("/proc/sys/net/core/wmem_max", 1); ok && v[0] > 0 {
		wmemMax = v[0]
	}
	if v, ok := readInts("/proc/sys/net/core/rmem_max", 1); ok && v[0] > 0 {
		rmemMax = v[0]
	}
	if v, ok := readInts("/proc/sys/net/core/wmem_default", 1); ok && v[0] > 0 {
		wmemDefault = v[0]
	}
	if v, ok := readInts("/proc/sys/net/core/rmem_default", 1); ok && v[0] > 0 {
		rmemDefault = v[0]
	}
	// The coarse clocks tick once a jiffy: their resolution is 1/HZ.
	var ts unix.Timespec
	if unix.ClockGetres(unix.CLOCK_MONOTONIC_COARSE, &ts) == nil {
		if ns := ts.Nano(); ns > 0 && ns <= int64(time.Second) && int64(time.Second)%ns == 0 {
			hz = int64(time.Second) / ns
		}
	}
}

func readInts(path string, n int) ([]int, bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, false
	}
	f := strings.Fields(string(b))
	if len(f) != n {
		return nil, false
	}
	out := make([]int, n)
	for i, s := range f {
		v, err := strconv.Atoi(s)
		if err != nil {
			return nil, false
		}
		out[i] = v
	}
	return out, true
}
