package netstack

import (
	"bytes"
	"fmt"
	"net/netip"

	"golang.org/x/sys/unix"
	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/transport"

	"github.com/moat-sandbox/moat/internal/sentry/fs/proc"
	"github.com/moat-sandbox/moat/internal/sentry/socket/netlink"
	unixsock "github.com/moat-sandbox/moat/internal/sentry/socket/unix"
	"github.com/moat-sandbox/moat/internal/sentry/vfs"
)

// The stack is the sandbox's view of its network unless a network mode
// replaces it: netlink and the netdevice(7) ioctls show its NICs, and
// /proc/net its sockets, interfaces and counters.
func init() {
	netlink.SetInterfaces(Interfaces)
	proc.SetInetSockets("tcp", func() []proc.InetSocket { return procRows(unix.AF_INET, unix.IPPROTO_TCP) })
	proc.SetInetSockets("tcp6", func() []proc.InetSocket { return procRows(unix.AF_INET6, unix.IPPROTO_TCP) })
	proc.SetInetSockets("udp", func() []proc.InetSocket { return procRows(unix.AF_INET, unix.IPPROTO_UDP) })
	proc.SetInetSockets("udp6", func() []proc.InetSocket { return procRows(unix.AF_INET6, unix.IPPROTO_UDP) })
	proc.SetNetDevices(netDevices)
	proc.SetNetRoutes(netRoutes)
	proc.SetNetFile("snmp", renderSNMP)
	proc.SetUnixSockets(unixRows)
}

// unixRows are /proc/net/unix's rows: the named sockets of the unix
// family (the only ones it can list).
func unixRows() []proc.UnixSocket {
	var rows []proc.UnixSocket
	for _, e := range unixsock.ProcEntries() {
		r := proc.UnixSocket{RefCount: 2, Type: uint16(e.Type), State: uint8(e.State), Inode: e.Inode, Path: e.Path}
		if e.Listening {
			r.Flags = 1 << 16 // __SO_ACCEPTCON
		}
		rows = append(rows, r)
	}
	return rows
}

// procRows are the /proc/net rows of the live sockets of a family and
// protocol. Linux lists an AF_INET6 socket in the IPv4 table when it is
// bound or connected to IPv4 (v4-mapped); this lists sockets by family.
func procRows(family, protocol int) []proc.InetSocket {
	var rows []proc.InetSocket
	for _, s := range sockets(family, protocol) {
		r := proc.InetSocket{UID: s.uid, Inode: s.ino, RefCount: 1}
		if la, terr := s.ep().GetLocalAddress(); terr == nil {
			r.Local = addrPort(la, family)
		} else {
			r.Local = addrPort(tcpip.FullAddress{}, family)
		}
		ra, terr := s.ep().GetRemoteAddress()
		if terr == nil {
			r.Remote = addrPort(ra, family)
		} else {
			r.Remote = addrPort(tcpip.FullAddress{}, family)
		}
		if protocol == unix.IPPROTO_TCP {
			r.State = linuxTCPState(s.ep().State())
			if r.State != tcpListen {
				if n, terr := s.ep().GetSockOptInt(tcpip.SendQueueSizeOption); terr == nil {
					r.TxQueue = uint32(n)
				}
				if n, terr := s.ep().GetSockOptInt(tcpip.ReceiveQueueSizeOption); terr == nil {
					r.RxQueue = uint32(n)
				}
			}
		} else {
			r.RefCount = 2
			r.State = tcpClose
			if transport.DatagramEndpointState(s.ep().State()) == transport.DatagramEndpointStateConnected {
				r.State = tcpEstablished
			}
			if n, terr := s.ep().GetSockOptInt(tcpip.ReceiveQueueSizeOption); terr == nil {
				r.RxQueue = uint32(n)
			}
		}
		rows = append(rows, r)
	}
	return rows
}

func addrPort(fa tcpip.FullAddress, family int) netip.AddrPort {
	a, ok := netip.AddrFromSlice(fa.Addr.AsSlice())
	if !ok {
		if family == unix.AF_INET6 {
			a = netip.IPv6Unspecified()
		} else {
			a = netip.IPv4Unspecified()
		}
	}
	if family == unix.AF_INET6 && a.Is4() {
		a = netip.AddrFrom16(a.As16())
	}
	return netip.AddrPortFrom(a, fa.Port)
}

// netDevices are the interfaces of the sandbox's view (netlink's, which a
// network mode may have replaced) as /proc/net/dev and if_inet6 list them.
func netDevices() []proc.NetDevice {
	var ds []proc.NetDevice
	for _, ifc := range netlink.Interfaces() {
		d := proc.NetDevice{
			Name: ifc.Name, Index: ifc.Index,
			RxBytes: ifc.Stats.RxBytes, RxPackets: ifc.Stats.RxPackets, RxErrs: ifc.Stats.RxErrors,
			RxDrop: ifc.Stats.RxDropped, RxMulticast: ifc.Stats.Multicast,
			TxBytes: ifc.Stats.TxBytes, TxPackets: ifc.Stats.TxPackets, TxErrs: ifc.Stats.TxErrors,
			TxDrop: ifc.Stats.TxDropped,
		}
		for _, a := range ifc.Addrs {
			if !a.IP.Is6() {
				continue
			}
			var scope uint8
			switch {
			case a.IP.IsLoopback():
				scope = 0x10 // IPV6_ADDR_LOOPBACK
			case a.IP.IsLinkLocalUnicast():
				scope = 0x20 // IPV6_ADDR_LINKLOCAL
			}
			d.Addrs6 = append(d.Addrs6, proc.NetAddr6{Addr: a.IP, PrefixLen: a.PrefixLen, Scope: scope, Flags: uint8(a.Flags)})
		}
		ds = append(ds, d)
	}
	return ds
}

// netRoutes are the IPv4 routes of the main table, as /proc/net/route
// lists them.
func netRoutes() []proc.NetRoute {
	names := map[int32]string{}
	for _, ifc := range netlink.Interfaces() {
		names[ifc.Index] = ifc.Name
	}
	var rs []proc.NetRoute
	for _, r := range netlink.Routes() {
		if r.Family != unix.AF_INET || r.Table != unix.RT_TABLE_MAIN {
			continue
		}
		flags := uint16(unix.RTF_UP)
		if r.Gateway.IsValid() {
			flags |= unix.RTF_GATEWAY
		}
		if r.Dst.Bits() == 32 {
			flags |= unix.RTF_HOST
		}
		rs = append(rs, proc.NetRoute{Iface: names[r.OutIndex], Dst: r.Dst, Gateway: r.Gateway, Flags: flags, Metric: r.Priority})
	}
	return rs
}

// renderSNMP is /proc/net/snmp from the stack's counters.
func renderSNMP(vfs.Context) ([]byte, error) {
	st := Stack().Stats()
	var b bytes.Buffer
	ip := st.IP
	b.WriteString("Ip: Forwarding DefaultTTL InReceives InHdrErrors InAddrErrors ForwDatagrams InUnknownProtos InDiscards InDelivers OutRequests OutDiscards OutNoRoutes ReasmTimeout ReasmReqds ReasmOKs ReasmFails FragOKs FragFails FragCreates OutTransmits\n")
	fmt.Fprintf(&b, "Ip: 2 64 %d %d %d 0 0 0 %d %d %d 0 0 0 0 0 0 0 0 %d\n",
		ip.PacketsReceived.Value(), ip.MalformedPacketsReceived.Value(), ip.InvalidDestinationAddressesReceived.Value(),
		ip.PacketsDelivered.Value(), ip.PacketsSent.Value(),
		ip.OutgoingPacketErrors.Value(), ip.PacketsSent.Value())
	b.WriteString("Icmp: InMsgs InErrors InCsumErrors InDestUnreachs InTimeExcds InParmProbs InSrcQuenchs InRedirects InEchos InEchoReps InTimestamps InTimestampReps InAddrMasks InAddrMaskReps OutMsgs OutErrors OutRateLimitGlobal OutRateLimitHost OutDestUnreachs OutTimeExcds OutParmProbs OutSrcQuenchs OutRedirects OutEchos OutEchoReps OutTimestamps OutTimestampReps OutAddrMasks OutAddrMaskReps\n")
	b.WriteString("Icmp: 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n")
	t := st.TCP
	b.WriteString("Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens AttemptFails EstabResets CurrEstab InSegs OutSegs RetransSegs InErrs OutRsts InCsumErrors\n")
	fmt.Fprintf(&b, "Tcp: 1 200 120000 -1 %d %d %d %d %d %d %d %d %d %d %d\n",
		t.ActiveConnectionOpenings.Value(), t.PassiveConnectionOpenings.Value(), t.FailedConnectionAttempts.Value(),
		t.EstablishedResets.Value(), t.CurrentEstablished.Value(), t.ValidSegmentsReceived.Value(),
		t.SegmentsSent.Value(), t.Retransmits.Value(), t.InvalidSegmentsReceived.Value(), t.ResetsSent.Value(),
		t.ChecksumErrors.Value())
	u := st.UDP
	b.WriteString("Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors\n")
	fmt.Fprintf(&b, "Udp: %d %d %d %d %d %d %d 0 0\n",
		u.PacketsReceived.Value(), u.UnknownPortErrors.Value(), u.MalformedPacketsReceived.Value(),
		u.PacketsSent.Value(), u.ReceiveBufferErrors.Value(), u.PacketSendErrors.Value(), u.ChecksumErrors.Value())
	b.WriteString("UdpLite: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors\n")
	b.WriteString("UdpLite: 0 0 0 0 0 0 0 0 0\n")
	return b.Bytes(), nil
}
