package hostinet

import (
	"encoding/binary"
	"net/netip"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/socket/netlink"
)

// Interfaces is the host's interfaces, which an application on the host
// network sees: the Sentry dumps links and addresses through its own
// netlink socket and keeps the fields RTM_GETLINK and RTM_GETADDR report
// (never passing a host message on raw).
func Interfaces() []netlink.Interface {
	var out []netlink.Interface
	byIndex := map[int32]int{}
	for _, m := range dump(unix.RTM_GETLINK, unix.AF_UNSPEC) {
		if ifc, ok := parseLink(m); ok {
			byIndex[ifc.Index] = len(out)
			out = append(out, ifc)
		}
	}
	for _, family := range []int{unix.AF_INET, unix.AF_INET6} {
		for _, m := range dump(unix.RTM_GETADDR, family) {
			if index, a, ok := parseAddr(m); ok {
				if i, ok := byIndex[index]; ok {
					out[i].Addrs = append(out[i].Addrs, a)
				}
			}
		}
	}
	return out
}

func u32(b []byte) (uint32, bool) {
	if len(b) < 4 {
		return 0, false
	}
	return binary.NativeEndian.Uint32(b), true
}

// parseLink reads one RTM_NEWLINK message (struct ifinfomsg, then
// attributes).
func parseLink(m syscall.NetlinkMessage) (netlink.Interface, bool) {
	if m.Header.Type != unix.RTM_NEWLINK || len(m.Data) < unix.SizeofIfInfomsg {
		return netlink.Interface{}, false
	}
	ifc := netlink.Interface{
		Type:  binary.NativeEndian.Uint16(m.Data[2:]),
		Index: int32(binary.NativeEndian.Uint32(m.Data[4:])),
		Flags: binary.NativeEndian.Uint32(m.Data[8:]),
	}
	attrs, err := syscall.ParseNetlinkRouteAttr(&m)
	if err != nil {
		return netlink.Interface{}, false
	}
	for _, a := range attrs {
		v := a.Value
		switch a.Attr.Type {
		case unix.IFLA_IFNAME:
			ifc.Name = cstring(v)
		case unix.IFLA_QDISC:
			ifc.Qdisc = cstring(v)
		case unix.IFLA_MTU:
			ifc.MTU, _ = u32(v)
		case unix.IFLA_MIN_MTU:
			ifc.MinMTU, _ = u32(v)
		case unix.IFLA_MAX_MTU:
			ifc.MaxMTU, _ = u32(v)
		case unix.IFLA_TXQLEN:
			ifc.TxQLen, _ = u32(v)
		case unix.IFLA_OPERSTATE:
			if len(v) >= 1 {
				ifc.OperState = v[0]
			}
		case unix.IFLA_ADDRESS:
			ifc.HardwareAddr = append([]byte(nil), v...)
		case unix.IFLA_BROADCAST:
			ifc.Broadcast = append([]byte(nil), v...)
		case unix.IFLA_STATS64:
			// struct rtnl_link_stats64: rx/tx packets, bytes, errors,
			// dropped, multicast, as the first nine u64s.
			if len(v) >= 9*8 {
				s := func(i int) uint64 { return binary.NativeEndian.Uint64(v[8*i:]) }
				ifc.Stats = netlink.LinkStats{RxPackets: s(0), TxPackets: s(1), RxBytes: s(2), TxBytes: s(3),
					RxErrors: s(4), TxErrors: s(5), RxDropped: s(6), TxDropped: s(7), Multicast: s(8)}
			}
		}
	}
	return ifc, ifc.Index > 0 && ifc.Name != ""
}

// parseAddr reads one RTM_NEWADDR message (struct ifaddrmsg, then
// attributes) and returns the interface index with the address.
func parseAddr(m syscall.NetlinkMessage) (int32, netlink.Address, bool) {
	if m.Header.Type != unix.RTM_NEWADDR || len(m.Data) < unix.SizeofIfAddrmsg {
		return 0, netlink.Address{}, false
	}
	a := netlink.Address{PrefixLen: int(m.Data[1]), Flags: uint32(m.Data[2]), Scope: m.Data[3]}
	index := int32(binary.NativeEndian.Uint32(m.Data[4:]))
	attrs, err := syscall.ParseNetlinkRouteAttr(&m)
	if err != nil {
		return 0, netlink.Address{}, false
	}
	var local, address netip.Addr
	for _, at := range attrs {
		v := at.Value
		switch at.Attr.Type {
		case unix.IFA_LOCAL:
			local, _ = netip.AddrFromSlice(v)
		case unix.IFA_ADDRESS:
			address, _ = netip.AddrFromSlice(v)
		case unix.IFA_BROADCAST:
			a.Broadcast, _ = netip.AddrFromSlice(v)
		case unix.IFA_LABEL:
			a.Label = cstring(v)
		case unix.IFA_FLAGS:
			if f, ok := u32(v); ok {
				a.Flags = f
			}
		}
	}
	// IFA_LOCAL is the interface's own address where the two differ
	// (point-to-point); IPv6 gives only IFA_ADDRESS.
	a.IP = address
	if local.IsValid() {
		a.IP = local
	}
	if !a.IP.IsValid() || a.PrefixLen > a.IP.BitLen() {
		return 0, netlink.Address{}, false
	}
	return index, a, true
}

// cstring is a NUL-terminated attribute's string.
func cstring(b []byte) string {
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}
