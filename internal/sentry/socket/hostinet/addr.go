package hostinet

import (
	"encoding/binary"
	"os"
	"strconv"
	"strings"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/socket"
)

// Layouts of the addresses the host is given and gives back (x86-64, the
// same for the application and the host).
const (
	sizeofSockaddrInet4 = 16 // struct sockaddr_in
	sizeofSockaddrInet6 = 28 // struct sockaddr_in6
)

// hostAddr rebuilds the application's raw sockaddr as the host gets it:
// only the fields of the address's family (sockaddr_in's family, port and
// address; sockaddr_in6's family, port, flow label, address and scope),
// zeros elsewhere, and the application's length capped to the layout's
// size (Linux reads nothing beyond). An AF_UNSPEC address has the layout
// of the socket's family (bind's compatibility case, connect's
// disconnect, UDP's sendto); another family keeps only its number, so the
// host rejects it with the errno Linux gives for that call and length.
func (s *Socket) hostAddr(raw []byte) ([]byte, error) {
	if len(raw) < 2 {
		return nil, unix.EINVAL
	}
	family := int(binary.NativeEndian.Uint16(raw))
	layout := family
	if family == unix.AF_UNSPEC {
		layout = s.family
	}
	size := sizeofSockaddrInet6
	if layout == unix.AF_INET {
		size = sizeofSockaddrInet4
	}
	n := min(len(raw), size)
	buf := make([]byte, size)
	switch layout {
	case unix.AF_INET:
		copy(buf[:min(n, 8)], raw) // family, port, address; not sin_zero
	case unix.AF_INET6:
		copy(buf[:n], raw)
	default:
		copy(buf[:2], raw)
	}
	return buf[:n], nil
}

// appAddr copies an address the host returned for the application.
func appAddr(raw []byte) []byte {
	if len(raw) < 2 {
		return nil
	}
	out := make([]byte, len(raw))
	copy(out, raw)
	if binary.NativeEndian.Uint16(out) == unix.AF_INET && len(out) >= sizeofSockaddrInet4 {
		clear(out[8:sizeofSockaddrInet4])
	}
	return out
}

// addrPort is the port of a rebuilt address (network byte order in the
// layout), 0 if it has none.
func addrPort(a []byte) int {
	if len(a) < 4 {
		return 0
	}
	return int(binary.BigEndian.Uint16(a[2:4]))
}

// sockname calls getsockname or getpeername (nr) on the host socket.
func sockname(nr uintptr, fd int) ([]byte, error) {
	var buf [socket.MaxAddrLen]byte
	l := uint32(len(buf))
	_, _, e := syscall.RawSyscall(nr, uintptr(fd), uintptr(unsafe.Pointer(&buf[0])), uintptr(unsafe.Pointer(&l)))
	if e != 0 {
		return nil, e
	}
	return appAddr(buf[:min(int(l), len(buf))]), nil
}

// unprivilegedPortStart is net.ipv4.ip_unprivileged_port_start: binding a
// port below it takes CAP_NET_BIND_SERVICE, which the Sentry (root on the
// host) has whether or not the application does.
var unprivilegedPortStart = 1024

// allowedCongestion is net.ipv4.tcp_allowed_congestion_control: the
// algorithms TCP_CONGESTION may choose without CAP_NET_ADMIN.
var allowedCongestion []string

// loadSysctls reads the host settings the Sentry enforces for the
// application.
func loadSysctls() {
	if b, err := os.ReadFile("/proc/sys/net/ipv4/ip_unprivileged_port_start"); err == nil {
		if n, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
			unprivilegedPortStart = n
		}
	}
	if b, err := os.ReadFile("/proc/sys/net/ipv4/tcp_allowed_congestion_control"); err == nil {
		allowedCongestion = strings.Fields(string(b))
	}
}
