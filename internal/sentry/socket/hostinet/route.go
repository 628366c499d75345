package hostinet

import (
	"encoding/binary"
	"net/netip"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/socket/netlink"
)

// Routes is the host's routing tables, which an application on the host
// network sees: the Sentry dumps them through its own netlink socket and
// keeps the fields RTM_GETROUTE reports (a route the Sentry cannot parse
// is left out, never passed on raw).
func Routes() []netlink.Route {
	var out []netlink.Route
	for _, family := range []int{unix.AF_INET, unix.AF_INET6} {
		for _, m := range dump(unix.RTM_GETROUTE, family) {
			if r, ok := parseRoute(m); ok {
				out = append(out, r)
			}
		}
	}
	return out
}

// parseRoute reads one RTM_NEWROUTE message (struct rtmsg, then
// attributes).
func parseRoute(m syscall.NetlinkMessage) (netlink.Route, bool) {
	if m.Header.Type != unix.RTM_NEWROUTE || len(m.Data) < unix.SizeofRtMsg {
		return netlink.Route{}, false
	}
	family, dstLen := int(m.Data[0]), int(m.Data[1])
	r := netlink.Route{Family: family, Table: m.Data[4], Protocol: m.Data[5], Scope: m.Data[6], Type: m.Data[7]}
	attrs, err := syscall.ParseNetlinkRouteAttr(&m)
	if err != nil {
		return netlink.Route{}, false
	}
	dst := netip.IPv4Unspecified()
	if family == unix.AF_INET6 {
		dst = netip.IPv6Unspecified()
	}
	for _, a := range attrs {
		switch a.Attr.Type {
		case unix.RTA_TABLE:
			if len(a.Value) == 4 && binary.NativeEndian.Uint32(a.Value) < 256 {
				r.Table = uint8(binary.NativeEndian.Uint32(a.Value))
			}
		case unix.RTA_DST:
			if ip, ok := netip.AddrFromSlice(a.Value); ok {
				dst = ip
			}
		case unix.RTA_GATEWAY:
			if ip, ok := netip.AddrFromSlice(a.Value); ok {
				r.Gateway = ip
			}
		case unix.RTA_PREFSRC:
			if ip, ok := netip.AddrFromSlice(a.Value); ok {
				r.Src = ip
			}
		case unix.RTA_OIF:
			if len(a.Value) == 4 {
				r.OutIndex = int32(binary.NativeEndian.Uint32(a.Value))
			}
		case unix.RTA_PRIORITY:
			if len(a.Value) == 4 {
				r.Priority = binary.NativeEndian.Uint32(a.Value)
			}
		}
	}
	if dstLen > dst.BitLen() {
		return netlink.Route{}, false
	}
	r.Dst = netip.PrefixFrom(dst, dstLen)
	return r, true
}

// dump is the host's answer to an RTM_GET* dump request for family, asked
// through the Sentry's own netlink socket; nil when it fails.
func dump(typ, family int) []syscall.NetlinkMessage {
	b, err := syscall.NetlinkRIB(typ, family)
	if err != nil {
		return nil
	}
	msgs, err := syscall.ParseNetlinkMessage(b)
	if err != nil {
		return nil
	}
	return msgs
}
