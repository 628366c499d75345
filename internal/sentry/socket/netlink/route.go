package netlink

import (
	"encoding/binary"
	"time"

	"golang.org/x/sys/unix"
)

// NETLINK_ROUTE requests. The kernel side of an rtnetlink socket: each
// request of a sendmsg(2) is answered (or acknowledged, or refused) in the
// sender's receive queue, as rtnetlink_rcv_msg would.

// goodSize is NLMSG_GOODSIZE: how much of a dump one datagram carries.
const goodSize = 4096 - 320

// infinity is INFINITY_LIFE_TIME: an address lifetime of "forever".
const infinity = 0xffffffff

// bootTime anchors IFA_CACHEINFO's timestamps (hundredths of seconds
// since boot in Linux; since the Sentry started here).
var bootTime = time.Now()

// reply is what a request produced: datagrams to queue.
type reply struct {
	dgrams [][]byte
}

// handleRoute answers one NETLINK_ROUTE request message for socket s
// (portid pid): the error to acknowledge with (0 for success), and
// whether a dump answered it (no acknowledgement then).
func (s *Socket) handleRoute(m Message, pid uint32, out *reply) (errno unix.Errno, dumped bool) {
	typ := m.Type
	if typ > unix.RTM_MAX {
		return unix.EOPNOTSUPP, false
	}
	if len(m.Data) < 1 {
		// Every message needs at least a struct rtgenmsg.
		return 0, false
	}
	kind := (typ - unix.RTM_BASE) & 3
	if kind != 2 && !s.capNetAdmin {
		return unix.EPERM, false
	}
	isDump := m.Flags&unix.NLM_F_DUMP == unix.NLM_F_DUMP
	switch typ {
	case unix.RTM_GETLINK:
		if isDump {
			dumpReply(m, pid, out, linkMessages(m.Seq, pid))
			return 0, true
		}
		return s.getLink(m, pid, out), false
	case unix.RTM_GETADDR:
		if isDump {
			dumpReply(m, pid, out, addrMessages(m, s.strict(), pid))
			return 0, true
		}
	case unix.RTM_GETROUTE:
		if isDump {
			dumpReply(m, pid, out, routeMessages(m, s.strict(), pid))
			return 0, true
		}
	case unix.RTM_GETRULE:
		if isDump {
			dumpReply(m, pid, out, ruleMessages(m, pid))
			return 0, true
		}
	case unix.RTM_GETNEIGH:
		if isDump {
			// No neighbour is ever resolved: an empty table.
			dumpReply(m, pid, out, nil)
			return 0, true
		}
	}
	return unix.EOPNOTSUPP, false
}

// dumpReply queues the messages of a dump as Linux's netlink_dump does:
// NLM_F_MULTI messages in datagrams of up to goodSize bytes, then
// NLMSG_DONE (in the last datagram if it fits).
func dumpReply(m Message, pid uint32, out *reply, msgs [][]byte) {
	var cur []byte
	for _, msg := range msgs {
		if len(cur) > 0 && len(cur)+len(msg) > goodSize {
			out.dgrams = append(out.dgrams, cur)
			cur = nil
		}
		cur = append(cur, msg...)
	}
	var done Builder
	done.Begin(nlmsgDone, unix.NLM_F_MULTI, m.Seq, pid)
	done.Raw([]byte{0, 0, 0, 0})
	done.End()
	if len(cur) > 0 && len(cur)+done.Len() > goodSize {
		out.dgrams = append(out.dgrams, cur)
		cur = nil
	}
	out.dgrams = append(out.dgrams, append(cur, done.Bytes()...))
}

// getLink answers RTM_GETLINK for one interface, by ifi_index or
// IFLA_IFNAME (or IFLA_ALT_IFNAME).
func (s *Socket) getLink(m Message, pid uint32, out *reply) unix.Errno {
	if len(m.Data) < unix.SizeofIfInfomsg {
		return unix.EINVAL
	}
	index := int32(binary.NativeEndian.Uint32(m.Data[4:]))
	var name string
	for _, a := range ParseAttrs(m.Data[unix.SizeofIfInfomsg:]) {
		if a.Type == unix.IFLA_IFNAME || a.Type == unix.IFLA_ALT_IFNAME {
			name = cString(a.Data)
		}
	}
	var ifc Interface
	var ok bool
	switch {
	case index > 0:
		ifc, ok = InterfaceByIndex(index)
	case name != "":
		ifc, ok = InterfaceByName(name)
	default:
		return unix.EINVAL
	}
	if !ok || (name != "" && ifc.Name != name) {
		return unix.ENODEV
	}
	var b Builder
	putLink(&b, ifc, unix.RTM_NEWLINK, 0, m.Seq, pid)
	out.dgrams = append(out.dgrams, b.Bytes())
	return 0
}

func cString(b []byte) string {
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}

// linkMessages builds RTM_NEWLINK for each interface.
func linkMessages(seq, pid uint32) [][]byte {
	var out [][]byte
	for _, ifc := range Interfaces() {
		var b Builder
		putLink(&b, ifc, unix.RTM_NEWLINK, unix.NLM_F_MULTI, seq, pid)
		out = append(out, b.Bytes())
	}
	return out
}

// putLink lays out an interface as rtnl_fill_ifinfo does, with the
// attributes ip(8) and getifaddrs(3) read.
func putLink(b *Builder, ifc Interface, typ, flags uint16, seq, pid uint32) {
	b.Begin(typ, flags, seq, pid)
	var hdr [unix.SizeofIfInfomsg]byte
	hdr[0] = unix.AF_UNSPEC
	binary.NativeEndian.PutUint16(hdr[2:], ifc.Type)
	binary.NativeEndian.PutUint32(hdr[4:], uint32(ifc.Index))
	binary.NativeEndian.PutUint32(hdr[8:], ifc.Flags)
	b.Raw(hdr[:])
	b.AttrString(unix.IFLA_IFNAME, ifc.Name)
	b.AttrU32(unix.IFLA_TXQLEN, ifc.TxQLen)
	b.AttrU8(unix.IFLA_OPERSTATE, ifc.OperState)
	b.AttrU8(unix.IFLA_LINKMODE, 0)
	b.AttrU32(unix.IFLA_MTU, ifc.MTU)
	b.AttrU32(unix.IFLA_GROUP, 0)
	b.AttrU32(unix.IFLA_MIN_MTU, ifc.MinMTU)
	b.AttrU32(unix.IFLA_MAX_MTU, ifc.MaxMTU)
	b.AttrU32(unix.IFLA_PROMISCUITY, 0)
	b.AttrU32(unix.IFLA_ALLMULTI, 0)
	b.AttrU32(unix.IFLA_NUM_TX_QUEUES, 1)
	// Linux's software defaults for offload sizes (GSO_MAX_SIZE...).
	b.AttrU32(unix.IFLA_GSO_MAX_SEGS, 65535)
	b.AttrU32(unix.IFLA_GSO_MAX_SIZE, 65536)
	b.AttrU32(unix.IFLA_GRO_MAX_SIZE, 65536)
	b.AttrU32(unix.IFLA_TSO_MAX_SIZE, 524280)
	b.AttrU32(unix.IFLA_TSO_MAX_SEGS, 65535)
	b.AttrU32(unix.IFLA_NUM_RX_QUEUES, 1)
	carrier := uint8(0)
	if ifc.Flags&unix.IFF_LOWER_UP != 0 {
		carrier = 1
	}
	b.AttrU8(unix.IFLA_CARRIER, carrier)
	if ifc.Qdisc != "" {
		b.AttrString(unix.IFLA_QDISC, ifc.Qdisc)
	}
	if ifc.HardwareAddr != nil {
		b.Attr(unix.IFLA_ADDRESS, ifc.HardwareAddr)
	}
	if ifc.Broadcast != nil {
		b.Attr(unix.IFLA_BROADCAST, ifc.Broadcast)
	}
	st := ifc.Stats
	// struct rtnl_link_stats64 (25 counters) and struct rtnl_link_stats
	// (24): rx/tx packets, bytes, errors, dropped, multicast first.
	first := []uint64{st.RxPackets, st.TxPackets, st.RxBytes, st.TxBytes, st.RxErrors, st.TxErrors,
		st.RxDropped, st.TxDropped, st.Multicast}
	s64 := make([]byte, 25*8)
	s32 := make([]byte, 24*4)
	for i, v := range first {
		binary.NativeEndian.PutUint64(s64[i*8:], v)
		binary.NativeEndian.PutUint32(s32[i*4:], uint32(v))
	}
	b.Attr(unix.IFLA_STATS64, s64)
	b.Attr(unix.IFLA_STATS, s32)
	// IFLA_AF_SPEC: IPv6's address generation mode (EUI-64).
	spec := b.Nested(unix.IFLA_AF_SPEC)
	v6 := b.Nested(unix.AF_INET6)
	b.AttrU8(unix.IFLA_INET6_ADDR_GEN_MODE, 0)
	b.EndNested(v6)
	b.EndNested(spec)
	b.End()
}

// addrMessages builds RTM_NEWADDR for each address of the family the
// request's struct ifaddrmsg names (AF_UNSPEC: all) and, with strict
// checking, of the interface its ifa_index names. Linux dumps the IPv4
// addresses of every interface, then the IPv6 ones.
func addrMessages(m Message, strict bool, pid uint32) [][]byte {
	family := int(m.Data[0])
	var index int32
	if strict && len(m.Data) >= unix.SizeofIfAddrmsg {
		index = int32(binary.NativeEndian.Uint32(m.Data[4:]))
	}
	var out [][]byte
	for _, f := range []int{unix.AF_INET, unix.AF_INET6} {
		if family != unix.AF_UNSPEC && family != f {
			continue
		}
		for _, ifc := range Interfaces() {
			if index != 0 && ifc.Index != index {
				continue
			}
			for _, a := range ifc.Addrs {
				if a.IP.Is4() != (f == unix.AF_INET) {
					continue
				}
				var b Builder
				putAddr(&b, ifc, a, unix.NLM_F_MULTI, m.Seq, pid)
				out = append(out, b.Bytes())
			}
		}
	}
	return out
}

// putAddr lays out an address as inet_fill_ifaddr and inet6_fill_ifaddr
// do.
func putAddr(b *Builder, ifc Interface, a Address, flags uint16, seq, pid uint32) {
	b.Begin(unix.RTM_NEWADDR, flags, seq, pid)
	var hdr [unix.SizeofIfAddrmsg]byte
	if a.IP.Is4() {
		hdr[0] = unix.AF_INET
	} else {
		hdr[0] = unix.AF_INET6
	}
	hdr[1] = uint8(a.PrefixLen)
	hdr[2] = uint8(a.Flags)
	hdr[3] = a.Scope
	binary.NativeEndian.PutUint32(hdr[4:], uint32(ifc.Index))
	b.Raw(hdr[:])
	ip := a.IP.AsSlice()
	b.Attr(unix.IFA_ADDRESS, ip)
	if a.IP.Is4() {
		b.Attr(unix.IFA_LOCAL, ip)
		if a.Broadcast.IsValid() {
			b.Attr(unix.IFA_BROADCAST, a.Broadcast.AsSlice())
		}
		label := a.Label
		if label == "" {
			label = ifc.Name
		}
		b.AttrString(unix.IFA_LABEL, label)
	}
	b.AttrU32(unix.IFA_FLAGS, a.Flags)
	ci := make([]byte, 16) // struct ifa_cacheinfo
	binary.NativeEndian.PutUint32(ci[0:], infinity)
	binary.NativeEndian.PutUint32(ci[4:], infinity)
	stamp := uint32(time.Since(bootTime) / (10 * time.Millisecond))
	binary.NativeEndian.PutUint32(ci[8:], 0)
	binary.NativeEndian.PutUint32(ci[12:], stamp)
	b.Attr(unix.IFA_CACHEINFO, ci)
	b.End()
}

// routeMessages builds RTM_NEWROUTE for each route of the family (and,
// with strict checking, of the table) the request's struct rtmsg names.
func routeMessages(m Message, strict bool, pid uint32) [][]byte {
	family := int(m.Data[0])
	var table uint32
	if strict && len(m.Data) >= unix.SizeofRtMsg {
		table = uint32(m.Data[4])
		for _, a := range ParseAttrs(m.Data[unix.SizeofRtMsg:]) {
			if a.Type == unix.RTA_TABLE && len(a.Data) >= 4 {
				table = binary.NativeEndian.Uint32(a.Data)
			}
		}
	}
	var out [][]byte
	for _, f := range []int{unix.AF_INET, unix.AF_INET6} {
		if family != unix.AF_UNSPEC && family != f {
			continue
		}
		for _, r := range Routes() {
			if r.Family != f || (table != 0 && uint32(r.Table) != table) {
				continue
			}
			var b Builder
			putRoute(&b, r, unix.NLM_F_MULTI, m.Seq, pid)
			out = append(out, b.Bytes())
		}
	}
	return out
}

func putRoute(b *Builder, r Route, flags uint16, seq, pid uint32) {
	b.Begin(unix.RTM_NEWROUTE, flags, seq, pid)
	var hdr [unix.SizeofRtMsg]byte
	hdr[0] = uint8(r.Family)
	hdr[1] = uint8(r.Dst.Bits())
	hdr[4] = r.Table
	hdr[5] = r.Protocol
	hdr[6] = r.Scope
	hdr[7] = r.Type
	b.Raw(hdr[:])
	b.AttrU32(unix.RTA_TABLE, uint32(r.Table))
	if r.Dst.Bits() > 0 {
		b.Attr(unix.RTA_DST, r.Dst.Addr().AsSlice())
	}
	if r.Family == unix.AF_INET6 || r.Priority != 0 {
		b.AttrU32(unix.RTA_PRIORITY, r.Priority)
	}
	if r.Src.IsValid() {
		b.Attr(unix.RTA_PREFSRC, r.Src.AsSlice())
	}
	if r.Gateway.IsValid() {
		b.Attr(unix.RTA_GATEWAY, r.Gateway.AsSlice())
	}
	if r.OutIndex != 0 {
		b.AttrU32(unix.RTA_OIF, uint32(r.OutIndex))
	}
	if r.Family == unix.AF_INET6 {
		b.AttrU8(unix.RTA_PREF, 0) // ICMPV6_ROUTER_PREF_MEDIUM
	}
	b.End()
}

// The default policy rules (fib_default_rules): IPv4 looks up the local,
// main and default tables, IPv6 the local and main ones.
var defaultRules = []struct {
	family int
	pref   uint32
	table  uint8
}{
	{unix.AF_INET, 0, unix.RT_TABLE_LOCAL},
	{unix.AF_INET, 32766, unix.RT_TABLE_MAIN},
	{unix.AF_INET, 32767, unix.RT_TABLE_DEFAULT},
	{unix.AF_INET6, 0, unix.RT_TABLE_LOCAL},
	{unix.AF_INET6, 32766, unix.RT_TABLE_MAIN},
}

// ruleMessages builds RTM_NEWRULE for the default rules of the family the
// request's struct fib_rule_hdr names (AF_UNSPEC: all).
func ruleMessages(m Message, pid uint32) [][]byte {
	family := int(m.Data[0])
	var out [][]byte
	for _, r := range defaultRules {
		if family != unix.AF_UNSPEC && family != r.family {
			continue
		}
		var b Builder
		b.Begin(unix.RTM_NEWRULE, unix.NLM_F_MULTI, m.Seq, pid)
		var hdr [12]byte // struct fib_rule_hdr
		hdr[0] = uint8(r.family)
		hdr[4] = r.table
		hdr[7] = unix.FR_ACT_TO_TBL
		b.Raw(hdr[:])
		b.AttrU32(unix.FRA_TABLE, uint32(r.table))
		if r.pref != 0 {
			b.AttrU32(unix.FRA_PRIORITY, r.pref)
		}
		b.AttrU8(unix.FRA_PROTOCOL, unix.RTPROT_KERNEL)
		b.End()
		out = append(out, b.Bytes())
	}
	return out
}
