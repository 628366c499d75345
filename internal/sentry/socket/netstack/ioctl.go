package netstack

import (
	"net/netip"
	"sort"

	"golang.org/x/sys/unix"
	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/header"

	"github.com/moat-sandbox/moat/internal/sentry/socket/netlink"
	"github.com/moat-sandbox/moat/internal/sentry/vfs"
)

// Ioctl implements vfs.Ioctler: the queue sizes (FIONREAD, SIOCOUTQ,
// SIOCOUTQNSD), SIOCATMARK, and the netdevice(7) requests about the
// sandbox's interfaces.
func (s *Socket) Ioctl(t vfs.Task, req, arg uintptr) (uintptr, error) {
	switch req {
	case unix.SIOCINQ, unix.SIOCOUTQ, unix.SIOCOUTQNSD:
		if s.listening() {
			return 0, unix.EINVAL
		}
		opt := tcpip.ReceiveQueueSizeOption
		if req != unix.SIOCINQ {
			opt = tcpip.SendQueueSizeOption
		}
		v, terr := s.ep().GetSockOptInt(opt)
		if terr != nil {
			if req == unix.SIOCINQ {
				return 0, errno(terr)
			}
			// The stack does not tell what is queued for sending; on the
			// loopback, what is sent is acknowledged at once.
			v = 0
		}
		return 0, t.CopyOut(arg, int32Bytes(int32(v)))
	case unix.SIOCATMARK:
		if s.stype != unix.SOCK_STREAM {
			return 0, unix.ENOTTY
		}
		// No urgent data is ever pending.
		return 0, t.CopyOut(arg, int32Bytes(0))
	}
	if netlink.IsInterfaceIoctl(req) {
		return netlink.InterfaceIoctl(t, req, arg)
	}
	return 0, unix.ENOTTY
}

// RFC 2863 operational states (IF_OPER_*).
const (
	ifOperUnknown = 0
	ifOperUp      = 6
)

// Interfaces is the stack's view of its NICs, as netlink and the
// netdevice(7) ioctls report them. It creates the stack if need be.
func Interfaces() []netlink.Interface {
	st := Stack()
	var out []netlink.Interface
	for id, info := range st.NICInfo() {
		ifc := netlink.Interface{
			Index:     int32(id),
			Name:      info.Name,
			Type:      uint16(info.ARPHardwareType),
			MTU:       info.MTU,
			TxQLen:    1000,
			Qdisc:     "noqueue",
			OperState: ifOperUp,
		}
		if info.Flags.Up {
			ifc.Flags |= unix.IFF_UP
		}
		if info.Flags.Running {
			ifc.Flags |= unix.IFF_RUNNING | unix.IFF_LOWER_UP
		}
		if info.Flags.Promiscuous {
			ifc.Flags |= unix.IFF_PROMISC
		}
		hw := make([]byte, 6)
		copy(hw, info.LinkAddress)
		ifc.HardwareAddr = hw
		if info.Flags.Loopback {
			ifc.Flags |= unix.IFF_LOOPBACK
			ifc.Type = unix.ARPHRD_LOOPBACK
			// Linux's lo: state UNKNOWN, all-zero broadcast address.
			ifc.OperState = ifOperUnknown
			ifc.Broadcast = make([]byte, 6)
		} else {
			ifc.Flags |= unix.IFF_BROADCAST | unix.IFF_MULTICAST
			ifc.Broadcast = []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
			ifc.Qdisc = "pfifo_fast"
		}
		stats := info.Stats
		ifc.Stats = netlink.LinkStats{
			RxPackets: stats.Rx.Packets.Value(), RxBytes: stats.Rx.Bytes.Value(),
			TxPackets: stats.Tx.Packets.Value(), TxBytes: stats.Tx.Bytes.Value(),
		}
		for _, pa := range info.ProtocolAddresses {
			ip, ok := netip.AddrFromSlice(pa.AddressWithPrefix.Address.AsSlice())
			if !ok {
				continue
			}
			a := netlink.Address{IP: ip, PrefixLen: pa.AddressWithPrefix.PrefixLen, Flags: unix.IFA_F_PERMANENT}
			switch {
			case ip.IsLoopback():
				a.Scope = unix.RT_SCOPE_HOST
			case header.IsV6LinkLocalUnicastAddress(pa.AddressWithPrefix.Address):
				a.Scope = unix.RT_SCOPE_LINK
			}
			if ip.Is4() && !info.Flags.Loopback && a.PrefixLen < 31 {
				sn := pa.AddressWithPrefix.Subnet()
				b := sn.Broadcast().As4()
				a.Broadcast = netip.AddrFrom4(b)
			}
			ifc.Addrs = append(ifc.Addrs, a)
		}
		// The stack keeps a NIC's addresses per protocol: IPv4 first, as
		// Linux lists them.
		sort.SliceStable(ifc.Addrs, func(i, j int) bool { return ifc.Addrs[i].IP.Is4() && !ifc.Addrs[j].IP.Is4() })
		out = append(out, ifc)
	}
	return out
}
