package proc

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"net/netip"
	"sort"
	"sync"

	"github.com/moat-sandbox/moat/internal/sentry/fs/synth"
	"github.com/moat-sandbox/moat/internal/sentry/vfs"
)

// /proc/net (and /proc/PID/net, which it links to): the network "as far
// as the Sentry knows it". The socket families and the network stack
// provide the rows through the setters below, at start-up; /proc lays
// them out in Linux's formats. A file without a provider shows its header
// alone, as in a network namespace with nothing in it.

// InetSocket is a row of /proc/net/tcp, tcp6, udp or udp6.
type InetSocket struct {
	Local, Remote netip.AddrPort
	// State is the Linux TCP state (TCP_ESTABLISHED = 1, ... TCP_LISTEN =
	// 10); an unconnected UDP socket shows TCP_CLOSE (7), a connected
	// one TCP_ESTABLISHED.
	State            uint8
	TxQueue, RxQueue uint32
	UID              uint32
	Inode            uint64
	// RefCount is the socket's reference count as Linux shows it (1 for
	// a socket an application holds; UDP rows show 2).
	RefCount int
	Drops    uint32
}

// UnixSocket is a row of /proc/net/unix.
type UnixSocket struct {
	RefCount uint32
	// Flags is __SO_ACCEPTCON (0x10000) for a listener.
	Flags uint32
	Type  uint16
	// State is SS_UNCONNECTED (1), SS_CONNECTING (2), SS_CONNECTED (3)
	// or SS_DISCONNECTING (4).
	State uint8
	Inode uint64
	// Path is the bound name: a path, or an abstract name with its
	// leading NUL ("@" is shown for each NUL). Empty when unbound.
	Path string
}

// NetDevice is an interface as /proc/net/dev and if_inet6 show it.
type NetDevice struct {
	Name  string
	Index int32
	// Counters, as /proc/net/dev lists them.
	RxBytes, RxPackets, RxErrs, RxDrop, RxMulticast uint64
	TxBytes, TxPackets, TxErrs, TxDrop              uint64
	// Addrs6 are the IPv6 addresses (if_inet6).
	Addrs6 []NetAddr6
}

// NetAddr6 is an IPv6 address of an interface.
type NetAddr6 struct {
	Addr      netip.Addr
	PrefixLen int
	// Scope is if_inet6's scope (IPV6_ADDR_LOOPBACK 0x10, LINKLOCAL 0x20,
	// global 0); Flags the IFA_F_* flags.
	Scope, Flags uint8
}

// NetRoute is an IPv4 route of the main table (/proc/net/route).
type NetRoute struct {
	Iface   string
	Dst     netip.Prefix
	Gateway netip.Addr
	// Flags are RTF_UP (1), RTF_GATEWAY (2), RTF_HOST (4)...
	Flags  uint16
	Metric uint32
	MTU    uint32
}

var (
	netMu       sync.RWMutex
	inetSockets = map[string]func() []InetSocket{}
	unixSockets func() []UnixSocket
	netDevices  func() []NetDevice
	netRoutes   func() []NetRoute
	netRaw      = map[string]synth.Render{}
)

// SetInetSockets makes fn list the rows of /proc/net/PROTO, PROTO being
// "tcp", "tcp6", "udp" or "udp6".
func SetInetSockets(proto string, fn func() []InetSocket) {
	netMu.Lock()
	inetSockets[proto] = fn
	netMu.Unlock()
}

// SetUnixSockets makes fn list the rows of /proc/net/unix.
func SetUnixSockets(fn func() []UnixSocket) {
	netMu.Lock()
	unixSockets = fn
	netMu.Unlock()
}

// SetNetDevices makes fn list the interfaces of /proc/net/dev and
// if_inet6.
func SetNetDevices(fn func() []NetDevice) {
	netMu.Lock()
	netDevices = fn
	netMu.Unlock()
}

// SetNetRoutes makes fn list /proc/net/route's routes.
func SetNetRoutes(fn func() []NetRoute) {
	netMu.Lock()
	netRoutes = fn
	netMu.Unlock()
}

// SetNetFile makes fn render /proc/net/NAME whole (snmp, netstat,
// sockstat...), instead of the default; nil restores the default.
func SetNetFile(name string, fn synth.Render) {
	netMu.Lock()
	if fn == nil {
		delete(netRaw, name)
	} else {
		netRaw[name] = fn
	}
	netMu.Unlock()
}

// netFiles are the files of a net directory and their default contents.
var netFiles = []struct {
	name   string
	render func() []byte
}{
	{"arp", func() []byte {
		return []byte("IP address       HW type     Flags       HW address            Mask     Device\n")
	}},
	{"dev", renderNetDev},
	{"if_inet6", renderIfInet6},
	{"ipv6_route", func() []byte { return nil }},
	{"raw", func() []byte { return []byte(udpHeader) }},
	{"raw6", func() []byte { return []byte(udp6Header) }},
	{"route", renderRoute},
	{"snmp", func() []byte { return nil }},
	{"sockstat", renderSockstat},
	{"tcp", func() []byte { return renderTCP("tcp", false) }},
	{"tcp6", func() []byte { return renderTCP("tcp6", true) }},
	{"udp", func() []byte { return renderUDP("udp", false) }},
	{"udp6", func() []byte { return renderUDP("udp6", true) }},
	{"unix", renderUnix},
}

// netDir builds a net directory: /proc/PID/net (one network namespace in
// the sandbox, so every process's is the same).
func (p *procFS) netDir() *synth.Dir {
	d := p.fs.NewDir(0o555)
	for _, f := range netFiles {
		name, def := f.name, f.render
		d.Add(name, p.fs.NewFile(0o444, func(ctx vfs.Context) ([]byte, error) {
			netMu.RLock()
			raw := netRaw[name]
			netMu.RUnlock()
			if raw != nil {
				return raw(ctx)
			}
			return def(), nil
		}))
	}
	return d
}

const (
	tcpHeader  = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode"
	tcp6Header = "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
	udpHeader  = "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops"
	udp6Header = "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n"
	// The IPv4 tables pad each line to a fixed width (seq_pad).
	tcpLineWidth = 149
	udpLineWidth = 127
	// nullPointer is what %pK shows to the sandbox: no kernel addresses.
	nullPointer = "0000000000000000"
)

func padLine(b *bytes.Buffer, line string, width int) {
	fmt.Fprintf(b, "%-*s\n", width, line)
}

// hexAddr lays out an address as the kernel prints it: each 32-bit word
// of the network-order address in the machine's byte order, in hex.
func hexAddr(a netip.Addr, v6 bool) string {
	if v6 {
		if a.Is4() {
			a = netip.AddrFrom16(a.As16())
		}
		b := a.As16()
		var s string
		for i := 0; i < 16; i += 4 {
			s += fmt.Sprintf("%08X", binary.NativeEndian.Uint32(b[i:]))
		}
		return s
	}
	if a.Is4In6() {
		a = a.Unmap()
	}
	if !a.Is4() {
		return "00000000"
	}
	b := a.As4()
	return fmt.Sprintf("%08X", binary.NativeEndian.Uint32(b[:]))
}

func inetRows(proto string) []InetSocket {
	netMu.RLock()
	fn := inetSockets[proto]
	netMu.RUnlock()
	if fn == nil {
		return nil
	}
	rows := fn()
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].Inode < rows[j].Inode })
	return rows
}

func renderTCP(proto string, v6 bool) []byte {
	var b bytes.Buffer
	if v6 {
		b.WriteString(tcp6Header)
	} else {
		padLine(&b, tcpHeader, tcpLineWidth)
	}
	for i, r := range inetRows(proto) {
		line := fmt.Sprintf("%4d: %s:%04X %s:%04X %02X %08X:%08X %02X:%08X %08X %5d %8d %d %d %s %d %d %d %d %d",
			i, hexAddr(r.Local.Addr(), v6), r.Local.Port(), hexAddr(r.Remote.Addr(), v6), r.Remote.Port(),
			r.State, r.TxQueue, r.RxQueue, 0, 0, 0, r.UID, 0, r.Inode, r.RefCount, nullPointer,
			20, 4, 0, 10, -1)
		if v6 {
			b.WriteString(line + "\n")
		} else {
			padLine(&b, line, tcpLineWidth)
		}
	}
	return b.Bytes()
}

func renderUDP(proto string, v6 bool) []byte {
	var b bytes.Buffer
	if v6 {
		b.WriteString(udp6Header)
	} else {
		padLine(&b, udpHeader, udpLineWidth)
	}
	for i, r := range inetRows(proto) {
		line := fmt.Sprintf("%5d: %s:%04X %s:%04X %02X %08X:%08X %02X:%08X %08X %5d %8d %d %d %s %d",
			i, hexAddr(r.Local.Addr(), v6), r.Local.Port(), hexAddr(r.Remote.Addr(), v6), r.Remote.Port(),
			r.State, r.TxQueue, r.RxQueue, 0, 0, 0, r.UID, 0, r.Inode, r.RefCount, nullPointer, r.Drops)
		if v6 {
			b.WriteString(line + "\n")
		} else {
			padLine(&b, line, udpLineWidth)
		}
	}
	return b.Bytes()
}

func renderUnix() []byte {
	var b bytes.Buffer
	b.WriteString("Num       RefCount Protocol Flags    Type St Inode Path\n")
	netMu.RLock()
	fn := unixSockets
	netMu.RUnlock()
	if fn == nil {
		return b.Bytes()
	}
	rows := fn()
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].Inode < rows[j].Inode })
	for _, r := range rows {
		fmt.Fprintf(&b, "%s: %08X %08X %08X %04X %02X %5d", nullPointer, r.RefCount, 0, r.Flags, r.Type, r.State, r.Inode)
		if r.Path != "" {
			p := []byte(r.Path)
			for i, c := range p {
				if c == 0 {
					p[i] = '@'
				}
			}
			b.WriteString(" " + string(p))
		}
		b.WriteByte('\n')
	}
	return b.Bytes()
}

func devices() []NetDevice {
	netMu.RLock()
	fn := netDevices
	netMu.RUnlock()
	if fn == nil {
		return nil
	}
	ds := fn()
	sort.SliceStable(ds, func(i, j int) bool { return ds[i].Index < ds[j].Index })
	return ds
}

func renderNetDev() []byte {
	var b bytes.Buffer
	b.WriteString("Inter-|   Receive                                                |  Transmit\n")
	b.WriteString(" face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n")
	for _, d := range devices() {
		fmt.Fprintf(&b, "%6s:%8d %7d %4d %4d %4d %5d %10d %9d %8d %7d %4d %4d %4d %5d %7d %10d\n",
			d.Name, d.RxBytes, d.RxPackets, d.RxErrs, d.RxDrop, 0, 0, 0, d.RxMulticast,
			d.TxBytes, d.TxPackets, d.TxErrs, d.TxDrop, 0, 0, 0, 0)
	}
	return b.Bytes()
}

func renderIfInet6() []byte {
	var b bytes.Buffer
	for _, d := range devices() {
		for _, a := range d.Addrs6 {
			raw := a.Addr.As16()
			fmt.Fprintf(&b, "%x %02x %02x %02x %02x %8s\n", raw[:], d.Index, a.PrefixLen, a.Scope, a.Flags, d.Name)
		}
	}
	return b.Bytes()
}

func renderRoute() []byte {
	var b bytes.Buffer
	padLine(&b, "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT", 127)
	netMu.RLock()
	fn := netRoutes
	netMu.RUnlock()
	if fn == nil {
		return b.Bytes()
	}
	for _, r := range fn() {
		var m [4]byte
		for i := 0; i < r.Dst.Bits(); i++ {
			m[i/8] |= 0x80 >> (i % 8)
		}
		gw := netip.IPv4Unspecified()
		if r.Gateway.IsValid() {
			gw = r.Gateway
		}
		line := fmt.Sprintf("%s\t%s\t%s\t%04X\t%d\t%d\t%d\t%08X\t%d\t%d\t%d",
			r.Iface, hexAddr(r.Dst.Addr(), false), hexAddr(gw, false), r.Flags, 0, 0, r.Metric,
			binary.NativeEndian.Uint32(m[:]), r.MTU, 0, 0)
		padLine(&b, line, 127)
	}
	return b.Bytes()
}

func renderSockstat() []byte {
	tcp := len(inetRows("tcp")) + len(inetRows("tcp6"))
	udp := len(inetRows("udp")) + len(inetRows("udp6"))
	netMu.RLock()
	ufn := unixSockets
	netMu.RUnlock()
	n := tcp + udp
	if ufn != nil {
		n += len(ufn())
	}
	return []byte(fmt.Sprintf("sockets: used %d\nTCP: inuse %d orphan 0 tw 0 alloc %d mem 0\nUDP: inuse %d mem 0\nUDPLITE: inuse 0\nRAW: inuse 0\nFRAG: inuse 0 memory 0\n",
		n, tcp, tcp, udp))
}
