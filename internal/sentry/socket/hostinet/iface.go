package hostinet

import (
	"net"
	"net/netip"

	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/socket/netlink"
)

// RFC 2863 operational states (IF_OPER_*), as RTM_NEWLINK reports them.
const (
	ifOperUnknown = 0
	ifOperDown    = 2
	ifOperUp      = 6
)

// Interfaces is the host's interfaces, which an application on the host
// network sees: what the Sentry reads of them through its own netlink
// socket (Go's net package), never through an application request. The
// counters stay zero and the queueing discipline unnamed: Linux keeps
// those in sysfs and in other netlink attributes the Sentry does not relay.
func Interfaces() []netlink.Interface {
	host, err := net.Interfaces()
	if err != nil {
		return nil
	}
	var out []netlink.Interface
	for _, h := range host {
		ifc := netlink.Interface{
			Index:     int32(h.Index),
			Name:      h.Name,
			Type:      unix.ARPHRD_ETHER,
			MTU:       uint32(h.MTU),
			TxQLen:    1000,
			OperState: ifOperDown,
		}
		if h.Flags&net.FlagUp != 0 {
			ifc.Flags |= unix.IFF_UP
		}
		if h.Flags&net.FlagRunning != 0 {
			ifc.Flags |= unix.IFF_RUNNING | unix.IFF_LOWER_UP
			ifc.OperState = ifOperUp
		}
		if h.Flags&net.FlagBroadcast != 0 {
			ifc.Flags |= unix.IFF_BROADCAST
		}
		if h.Flags&net.FlagMulticast != 0 {
			ifc.Flags |= unix.IFF_MULTICAST
		}
		if h.Flags&net.FlagPointToPoint != 0 {
			ifc.Flags |= unix.IFF_POINTOPOINT
		}
		ifc.HardwareAddr = make([]byte, 6)
		copy(ifc.HardwareAddr, h.HardwareAddr)
		ifc.Broadcast = []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
		if h.Flags&net.FlagLoopback != 0 {
			// Linux's lo: state UNKNOWN, an all-zero broadcast address.
			ifc.Flags |= unix.IFF_LOOPBACK
			ifc.Type = unix.ARPHRD_LOOPBACK
			ifc.OperState = ifOperUnknown
			ifc.Broadcast = make([]byte, 6)
		}
		addrs, _ := h.Addrs()
		for _, a := range addrs {
			ipn, ok := a.(*net.IPNet)
			if !ok {
				continue
			}
			ip, ok := netip.AddrFromSlice(ipn.IP)
			if !ok {
				continue
			}
			ip = ip.Unmap()
			ones, _ := ipn.Mask.Size()
			ad := netlink.Address{IP: ip, PrefixLen: ones, Flags: unix.IFA_F_PERMANENT}
			switch {
			case ip.IsLoopback():
				ad.Scope = unix.RT_SCOPE_HOST
			case ip.IsLinkLocalUnicast():
				ad.Scope = unix.RT_SCOPE_LINK
			}
			if ip.Is4() && ifc.Flags&unix.IFF_BROADCAST != 0 && ones < 31 {
				b := ip.As4()
				for i := range 4 {
					b[i] |= ^ipn.Mask[len(ipn.Mask)-4+i]
				}
				ad.Broadcast = netip.AddrFrom4(b)
			}
			ifc.Addrs = append(ifc.Addrs, ad)
		}
		out = append(out, ifc)
	}
	return out
}
