package netlink

import (
	"encoding/binary"

	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/vfs"
)

// The netdevice(7) requests, which Linux answers on a socket of any
// family from the network namespace's interfaces.
const (
	sizeofIfreq  = 40 // struct ifreq
	sizeofIfconf = 16 // struct ifconf: int ifc_len, a pointer ifc_buf
	capNetAdmin  = 12
)

// IsInterfaceIoctl reports whether req is a netdevice(7) request
// InterfaceIoctl answers.
func IsInterfaceIoctl(req uintptr) bool {
	switch req {
	case unix.SIOCGIFCONF, unix.SIOCGIFNAME, unix.SIOCGIFINDEX, unix.SIOCGIFFLAGS, unix.SIOCGIFADDR,
		unix.SIOCGIFDSTADDR, unix.SIOCGIFBRDADDR, unix.SIOCGIFNETMASK, unix.SIOCGIFHWADDR,
		unix.SIOCGIFMETRIC, unix.SIOCGIFMTU, unix.SIOCGIFTXQLEN, unix.SIOCGIFMAP,
		unix.SIOCSIFFLAGS, unix.SIOCSIFADDR, unix.SIOCSIFDSTADDR, unix.SIOCSIFBRDADDR,
		unix.SIOCSIFNETMASK, unix.SIOCSIFMTU, unix.SIOCSIFNAME, unix.SIOCSIFHWADDR,
		unix.SIOCSIFTXQLEN, unix.SIOCSIFMETRIC:
		return true
	}
	return false
}

// InterfaceIoctl answers a netdevice(7) request from the sandbox's
// interfaces (Interfaces). Requests that change an interface are EPERM
// without CAP_NET_ADMIN and EOPNOTSUPP with it: the sandbox's interfaces
// are fixed.
func InterfaceIoctl(t vfs.Task, req, arg uintptr) (uintptr, error) {
	switch req {
	case unix.SIOCGIFCONF:
		return 0, ifconf(t, arg)
	case unix.SIOCSIFFLAGS, unix.SIOCSIFADDR, unix.SIOCSIFDSTADDR, unix.SIOCSIFBRDADDR,
		unix.SIOCSIFNETMASK, unix.SIOCSIFMTU, unix.SIOCSIFNAME, unix.SIOCSIFHWADDR,
		unix.SIOCSIFTXQLEN, unix.SIOCSIFMETRIC:
		if c := t.Creds(); c == nil || !c.HasCap(capNetAdmin) {
			return 0, unix.EPERM
		}
		return 0, unix.EOPNOTSUPP
	}
	var r [sizeofIfreq]byte
	if err := t.CopyIn(arg, r[:]); err != nil {
		return 0, err
	}
	var ifc Interface
	var ok bool
	if req == unix.SIOCGIFNAME {
		ifc, ok = InterfaceByIndex(int32(binary.NativeEndian.Uint32(r[16:])))
		if !ok {
			return 0, unix.ENODEV
		}
		clear(r[:unix.IFNAMSIZ])
		copy(r[:unix.IFNAMSIZ-1], ifc.Name)
		return 0, t.CopyOut(arg, r[:])
	}
	name := r[:unix.IFNAMSIZ-1]
	for i, c := range name {
		if c == 0 {
			name = name[:i]
			break
		}
	}
	ifc, ok = InterfaceByName(string(name))
	if !ok {
		return 0, unix.ENODEV
	}
	u := r[16:]
	switch req {
	case unix.SIOCGIFINDEX:
		binary.NativeEndian.PutUint32(u, uint32(ifc.Index))
	case unix.SIOCGIFFLAGS:
		// ifr_flags is a short: the flags above 16 bits are not shown.
		binary.NativeEndian.PutUint16(u, uint16(ifc.Flags))
	case unix.SIOCGIFMTU:
		binary.NativeEndian.PutUint32(u, ifc.MTU)
	case unix.SIOCGIFTXQLEN:
		binary.NativeEndian.PutUint32(u, ifc.TxQLen)
	case unix.SIOCGIFMETRIC:
		binary.NativeEndian.PutUint32(u, 0)
	case unix.SIOCGIFMAP:
		clear(u)
	case unix.SIOCGIFHWADDR:
		clear(u[:16])
		binary.NativeEndian.PutUint16(u, ifc.Type)
		copy(u[2:16], ifc.HardwareAddr)
	case unix.SIOCGIFADDR, unix.SIOCGIFDSTADDR, unix.SIOCGIFBRDADDR, unix.SIOCGIFNETMASK:
		a, ok := firstIPv4(ifc)
		if !ok {
			return 0, unix.EADDRNOTAVAIL
		}
		var ip [4]byte
		switch req {
		case unix.SIOCGIFADDR, unix.SIOCGIFDSTADDR:
			ip = a.IP.As4()
		case unix.SIOCGIFBRDADDR:
			if a.Broadcast.IsValid() {
				ip = a.Broadcast.As4()
			}
		case unix.SIOCGIFNETMASK:
			m := ^uint32(0) << (32 - a.PrefixLen)
			if a.PrefixLen == 0 {
				m = 0
			}
			binary.BigEndian.PutUint32(ip[:], m)
		}
		clear(u[:16])
		binary.NativeEndian.PutUint16(u, unix.AF_INET)
		copy(u[4:8], ip[:])
	default:
		return 0, unix.ENOTTY
	}
	return 0, t.CopyOut(arg, r[:])
}

func firstIPv4(ifc Interface) (Address, bool) {
	for _, a := range ifc.Addrs {
		if a.IP.Is4() {
			return a, true
		}
	}
	return Address{}, false
}

// ifconf implements SIOCGIFCONF: one struct ifreq per IPv4 address (its
// label and a sockaddr_in), as many as ifc_len holds; a null ifc_buf asks
// for the length needed.
func ifconf(t vfs.Task, arg uintptr) error {
	var c [sizeofIfconf]byte
	if err := t.CopyIn(arg, c[:]); err != nil {
		return err
	}
	room := int(int32(binary.NativeEndian.Uint32(c[0:])))
	buf := uintptr(binary.NativeEndian.Uint64(c[8:]))
	var out []byte
	for _, ifc := range Interfaces() {
		for _, a := range ifc.Addrs {
			if !a.IP.Is4() {
				continue
			}
			if buf != 0 && len(out)+sizeofIfreq > room {
				break
			}
			var r [sizeofIfreq]byte
			label := a.Label
			if label == "" {
				label = ifc.Name
			}
			copy(r[:unix.IFNAMSIZ-1], label)
			binary.NativeEndian.PutUint16(r[16:], unix.AF_INET)
			ip := a.IP.As4()
			copy(r[20:24], ip[:])
			out = append(out, r[:]...)
		}
	}
	if buf != 0 && len(out) > 0 {
		if err := t.CopyOut(buf, out); err != nil {
			return err
		}
	}
	binary.NativeEndian.PutUint32(c[0:], uint32(len(out)))
	return t.CopyOut(arg, c[:4])
}
