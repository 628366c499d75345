package netstack

import (
	"encoding/binary"

	"golang.org/x/sys/unix"
	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/header"
)

// Address layouts (ip(7), ipv6(7)).
const (
	sizeofSockaddrIn  = 16 // struct sockaddr_in
	sizeofSockaddrIn6 = 28 // struct sockaddr_in6
	// sin6LenRFC2133 is SIN6_LEN_RFC2133: a sockaddr_in6 without
	// sin6_scope_id, which Linux still accepts.
	sin6LenRFC2133 = 24
	// offsetofSaData is offsetof(struct sockaddr, sa_data): an address
	// shorter than this has no family.
	offsetofSaData = 2
)

// addrUse says what an address is parsed for: the checks differ as they
// do in Linux's inet_bind, the connect functions and the sendmsg ones.
type addrUse int

const (
	forBind addrUse = iota
	forConnect
	forSend
)

var (
	v4Loopback = tcpip.AddrFrom4([4]byte{127, 0, 0, 1})
	v6Loopback = tcpip.AddrFrom16([16]byte{15: 1})
)

func addrFamily(b []byte) int {
	if len(b) < offsetofSaData {
		return -1
	}
	return int(binary.LittleEndian.Uint16(b))
}

// parseAddr checks and converts a raw sockaddr for a socket of family
// as Linux does for use. A nil address (ok false, no error) is AF_UNSPEC
// where Linux reads that as "no address" (an IPv6 sendto).
func parseAddr(family, stype int, b []byte, use addrUse) (fa tcpip.FullAddress, ok bool, err error) {
	if len(b) < offsetofSaData {
		return fa, false, unix.EINVAL
	}
	f := addrFamily(b)
	if family == unix.AF_INET6 {
		switch {
		case f == unix.AF_INET && stype == unix.SOCK_DGRAM && use != forBind:
			// A datagram socket of AF_INET6 sends to and connects to IPv4
			// addresses as if they were v4-mapped.
			v4, _, err := parseAddr(unix.AF_INET, stype, b, use)
			if err != nil {
				return fa, false, err
			}
			a := v4.Addr.As4()
			v4.Addr = tcpip.AddrFrom16([16]byte{10: 0xff, 11: 0xff, 12: a[0], 13: a[1], 14: a[2], 15: a[3]})
			return v4, true, nil
		case f == unix.AF_UNSPEC && use == forSend:
			return fa, false, nil
		}
		if len(b) < sin6LenRFC2133 {
			return fa, false, unix.EINVAL
		}
		if f != unix.AF_INET6 {
			if use == forSend {
				return fa, false, unix.EINVAL
			}
			return fa, false, unix.EAFNOSUPPORT
		}
		fa.Port = binary.BigEndian.Uint16(b[2:])
		fa.Addr = tcpip.AddrFrom16Slice(b[8:24])
		if len(b) >= sizeofSockaddrIn6 {
			if scope := binary.LittleEndian.Uint32(b[24:]); scope != 0 && header.IsV6LinkLocalUnicastAddress(fa.Addr) {
				fa.NIC = tcpip.NICID(scope)
			}
		}
		return anyAddr(fa, use, v6Loopback), true, nil
	}
	if len(b) < sizeofSockaddrIn {
		return fa, false, unix.EINVAL
	}
	fa.Port = binary.BigEndian.Uint16(b[2:])
	fa.Addr = tcpip.AddrFrom4Slice(b[4:8])
	if f != unix.AF_INET {
		switch {
		case use == forBind && f == unix.AF_UNSPEC && fa.Addr.Unspecified():
			// Old programs bind AF_UNSPEC with INADDR_ANY.
		case use == forSend && f == unix.AF_UNSPEC:
		default:
			return fa, false, unix.EAFNOSUPPORT
		}
	}
	return anyAddr(fa, use, v4Loopback), true, nil
}

// anyAddr handles the unspecified address: bound to, it is the stack's
// empty address (every local address, of both families for a dual-stack
// socket); connected or sent to, it is the loopback address, as Linux
// has it.
func anyAddr(fa tcpip.FullAddress, use addrUse, loopback tcpip.Address) tcpip.FullAddress {
	if fa.Addr.Unspecified() {
		if use == forBind {
			fa.Addr = tcpip.Address{}
		} else {
			fa.Addr = loopback
		}
	}
	return fa
}

// encodeAddr lays out a stack address as a sockaddr of family: an IPv4
// address in an AF_INET6 socket's view is v4-mapped.
func encodeAddr(family int, fa tcpip.FullAddress) []byte {
	if family == unix.AF_INET6 {
		b := make([]byte, sizeofSockaddrIn6)
		binary.LittleEndian.PutUint16(b, unix.AF_INET6)
		binary.BigEndian.PutUint16(b[2:], fa.Port)
		switch fa.Addr.Len() {
		case 4:
			a := fa.Addr.As4()
			b[18], b[19] = 0xff, 0xff
			copy(b[20:24], a[:])
		case 16:
			a := fa.Addr.As16()
			copy(b[8:24], a[:])
			if header.IsV6LinkLocalUnicastAddress(fa.Addr) {
				binary.LittleEndian.PutUint32(b[24:], uint32(fa.NIC))
			}
		}
		return b
	}
	b := make([]byte, sizeofSockaddrIn)
	binary.LittleEndian.PutUint16(b, unix.AF_INET)
	binary.BigEndian.PutUint16(b[2:], fa.Port)
	switch fa.Addr.Len() {
	case 4:
		a := fa.Addr.As4()
		copy(b[4:8], a[:])
	case 16:
		a := fa.Addr.As16()
		copy(b[4:8], a[12:16])
	}
	return b
}
