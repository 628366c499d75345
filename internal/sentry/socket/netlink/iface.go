package netlink

import (
	"net/netip"
	"sort"
	"sync"

	"golang.org/x/sys/unix"
)

// Interface is a network interface as the sandbox sees it: what
// RTM_GETLINK and RTM_GETADDR report, and the netdevice(7) ioctls.
type Interface struct {
	// Index is the ifindex (positive).
	Index int32
	Name  string
	// Type is the ARPHRD_* hardware type (ARPHRD_LOOPBACK, ARPHRD_ETHER).
	Type uint16
	// Flags are the IFF_* flags (IFF_UP|IFF_LOOPBACK|IFF_RUNNING|...).
	Flags uint32
	MTU   uint32
	// MinMTU and MaxMTU bound the MTU (0: no bound, as a loopback has).
	MinMTU, MaxMTU uint32
	// TxQLen is the transmit queue length ("qlen"); Qdisc the queueing
	// discipline's name ("noqueue").
	TxQLen uint32
	Qdisc  string
	// OperState is the RFC 2863 state (IF_OPER_UNKNOWN, IF_OPER_UP...).
	OperState uint8
	// HardwareAddr and Broadcast are the link-layer addresses (six zero
	// bytes for a loopback).
	HardwareAddr []byte
	Broadcast    []byte
	Addrs        []Address
	Stats        LinkStats
}

// Address is an interface's IP address.
type Address struct {
	IP        netip.Addr
	PrefixLen int
	// Scope is RT_SCOPE_* (RT_SCOPE_HOST for loopback addresses).
	Scope uint8
	// Flags are IFA_F_* (IFA_F_PERMANENT...).
	Flags uint32
	// Broadcast is an IPv4 address's broadcast address, if any.
	Broadcast netip.Addr
	// Label is an IPv4 address's label; empty means the interface name.
	Label string
}

// LinkStats are an interface's counters.
type LinkStats struct {
	RxPackets, TxPackets uint64
	RxBytes, TxBytes     uint64
	RxErrors, TxErrors   uint64
	RxDropped, TxDropped uint64
	Multicast            uint64
}

// Route is a routing table entry as RTM_GETROUTE reports it.
type Route struct {
	Family int // AF_INET or AF_INET6
	Dst    netip.Prefix
	// Table is RT_TABLE_MAIN or RT_TABLE_LOCAL; Protocol RTPROT_*,
	// Scope RT_SCOPE_*, Type RTN_*.
	Table    uint8
	Protocol uint8
	Scope    uint8
	Type     uint8
	// Src is the preferred source (RTA_PREFSRC), Gateway the next hop.
	Src      netip.Addr
	Gateway  netip.Addr
	OutIndex int32
	// Priority is the metric (RTA_PRIORITY); IPv6 routes always have one.
	Priority uint32
}

var (
	viewMu  sync.RWMutex
	ifaceFn func() []Interface
	routeFn func() []Route
)

// SetInterfaces makes fn the source of the interfaces the sandbox sees.
// The user-space stack (netstack) installs its NICs at start-up; a
// network mode that shows other interfaces (the host's) replaces it.
func SetInterfaces(fn func() []Interface) {
	viewMu.Lock()
	ifaceFn = fn
	viewMu.Unlock()
}

// SetRoutes makes fn the source of the routes RTM_GETROUTE reports. Without
// it, the routes are those the kernel derives from the interfaces'
// addresses (see DerivedRoutes).
func SetRoutes(fn func() []Route) {
	viewMu.Lock()
	routeFn = fn
	viewMu.Unlock()
}

// Interfaces returns the sandbox's interfaces by index.
func Interfaces() []Interface {
	viewMu.RLock()
	fn := ifaceFn
	viewMu.RUnlock()
	if fn == nil {
		return nil
	}
	ifs := fn()
	sort.Slice(ifs, func(i, j int) bool { return ifs[i].Index < ifs[j].Index })
	return ifs
}

// Routes returns the sandbox's routes.
func Routes() []Route {
	viewMu.RLock()
	fn := routeFn
	viewMu.RUnlock()
	if fn != nil {
		return fn()
	}
	return DerivedRoutes(Interfaces())
}

// DerivedRoutes are the routes Linux adds by itself for interfaces'
// addresses: in the local table, each address and (IPv4) its broadcast,
// a loopback's whole prefix; in the main table, each non-loopback prefix
// (IPv4) and each IPv6 prefix.
func DerivedRoutes(ifs []Interface) []Route {
	var rs []Route
	for _, ifc := range ifs {
		loop := ifc.Flags&unix.IFF_LOOPBACK != 0
		for _, a := range ifc.Addrs {
			pfx := netip.PrefixFrom(a.IP, a.PrefixLen).Masked()
			host := netip.PrefixFrom(a.IP, a.IP.BitLen())
			if a.IP.Is4() {
				if loop && a.PrefixLen < 32 {
					rs = append(rs, Route{Family: unix.AF_INET, Dst: pfx, Table: unix.RT_TABLE_LOCAL,
						Protocol: unix.RTPROT_KERNEL, Scope: unix.RT_SCOPE_HOST, Type: unix.RTN_LOCAL, Src: a.IP, OutIndex: ifc.Index})
				}
				rs = append(rs, Route{Family: unix.AF_INET, Dst: host, Table: unix.RT_TABLE_LOCAL,
					Protocol: unix.RTPROT_KERNEL, Scope: unix.RT_SCOPE_HOST, Type: unix.RTN_LOCAL, Src: a.IP, OutIndex: ifc.Index})
				bc := a.Broadcast
				if !bc.IsValid() && loop && a.PrefixLen < 31 {
					bc = lastAddr(pfx)
				}
				if bc.IsValid() {
					rs = append(rs, Route{Family: unix.AF_INET, Dst: netip.PrefixFrom(bc, 32), Table: unix.RT_TABLE_LOCAL,
						Protocol: unix.RTPROT_KERNEL, Scope: unix.RT_SCOPE_LINK, Type: unix.RTN_BROADCAST, Src: a.IP, OutIndex: ifc.Index})
				}
				if !loop {
					rs = append(rs, Route{Family: unix.AF_INET, Dst: pfx, Table: unix.RT_TABLE_MAIN,
						Protocol: unix.RTPROT_KERNEL, Scope: unix.RT_SCOPE_LINK, Type: unix.RTN_UNICAST, Src: a.IP, OutIndex: ifc.Index})
				}
				continue
			}
			rs = append(rs, Route{Family: unix.AF_INET6, Dst: pfx, Table: unix.RT_TABLE_MAIN,
				Protocol: unix.RTPROT_KERNEL, Scope: unix.RT_SCOPE_UNIVERSE, Type: unix.RTN_UNICAST, OutIndex: ifc.Index, Priority: 256})
			rs = append(rs, Route{Family: unix.AF_INET6, Dst: host, Table: unix.RT_TABLE_LOCAL,
				Protocol: unix.RTPROT_KERNEL, Scope: unix.RT_SCOPE_UNIVERSE, Type: unix.RTN_LOCAL, OutIndex: ifc.Index})
		}
	}
	return rs
}

// lastAddr is the highest address of an IPv4 prefix (its broadcast).
func lastAddr(p netip.Prefix) netip.Addr {
	a := p.Addr().As4()
	v := uint32(a[0])<<24 | uint32(a[1])<<16 | uint32(a[2])<<8 | uint32(a[3])
	v |= (1<<(32-p.Bits()) - 1)
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}

// InterfaceByName and InterfaceByIndex find an interface of the view.
func InterfaceByName(name string) (Interface, bool) {
	for _, ifc := range Interfaces() {
		if ifc.Name == name {
			return ifc, true
		}
	}
	return Interface{}, false
}

func InterfaceByIndex(index int32) (Interface, bool) {
	for _, ifc := range Interfaces() {
		if ifc.Index == index {
			return ifc, true
		}
	}
	return Interface{}, false
}
