package hostinet

import (
	"bytes"
	"encoding/binary"
	"slices"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/socket"
)

// option describes a socket option the application may use: how many
// bytes of value the host reads or writes at most, whether getsockopt
// and setsockopt may pass it on, and an optional check of the caller's
// right to set it (the Sentry is root on the host; the application may
// not be).
type option struct {
	size     int
	get, set bool
	check    func(t socket.Task, val []byte) error
}

func intOpt() option       { return option{size: 4, get: true, set: true} }
func getOnly(n int) option { return option{size: n, get: true} }

// Option numbers x/sys/unix lacks.
const (
	soRcvtimeoNew = 66 // SO_RCVTIMEO_NEW
	soSndtimeoNew = 67 // SO_SNDTIMEO_NEW
	tcpInfoMax    = 512
	tcpCANameMax  = 16 // TCP_CA_NAME_MAX
	sizeofTimeval = 16 // struct timeval, struct __kernel_sock_timeval
)

// options is the whole list: everything else is ENOPROTOOPT. Which
// options apply to which socket (TCP's to a UDP socket, IPv6's to an IPv4
// one) the host decides, with the errno Linux gives.
var options = map[[2]int]option{
	// SOL_SOCKET.
	{unix.SOL_SOCKET, unix.SO_REUSEADDR}:       intOpt(),
	{unix.SOL_SOCKET, unix.SO_REUSEPORT}:       intOpt(),
	{unix.SOL_SOCKET, unix.SO_KEEPALIVE}:       intOpt(),
	{unix.SOL_SOCKET, unix.SO_BROADCAST}:       intOpt(),
	{unix.SOL_SOCKET, unix.SO_OOBINLINE}:       intOpt(),
	{unix.SOL_SOCKET, unix.SO_DONTROUTE}:       intOpt(),
	{unix.SOL_SOCKET, unix.SO_RCVBUF}:          intOpt(),
	{unix.SOL_SOCKET, unix.SO_SNDBUF}:          intOpt(),
	{unix.SOL_SOCKET, unix.SO_RCVLOWAT}:        intOpt(),
	{unix.SOL_SOCKET, unix.SO_SNDLOWAT}:        intOpt(), // the host: get 1, set ENOPROTOOPT
	{unix.SOL_SOCKET, unix.SO_TIMESTAMP}:       intOpt(),
	{unix.SOL_SOCKET, unix.SO_TIMESTAMPNS}:     intOpt(),
	{unix.SOL_SOCKET, unix.SO_TIMESTAMP_NEW}:   intOpt(),
	{unix.SOL_SOCKET, unix.SO_TIMESTAMPNS_NEW}: intOpt(),
	{unix.SOL_SOCKET, unix.SO_LINGER}:          {size: unix.SizeofLinger, get: true, set: true},
	{unix.SOL_SOCKET, unix.SO_PRIORITY}:        {size: 4, get: true, set: true, check: checkPriority},
	{unix.SOL_SOCKET, unix.SO_RCVBUFFORCE}:     {size: 4, set: true, check: needCap(unix.CAP_NET_ADMIN)},
	{unix.SOL_SOCKET, unix.SO_SNDBUFFORCE}:     {size: 4, set: true, check: needCap(unix.CAP_NET_ADMIN)},
	{unix.SOL_SOCKET, unix.SO_ERROR}:           getOnly(4),
	{unix.SOL_SOCKET, unix.SO_TYPE}:            getOnly(4),
	{unix.SOL_SOCKET, unix.SO_DOMAIN}:          getOnly(4),
	{unix.SOL_SOCKET, unix.SO_PROTOCOL}:        getOnly(4),
	{unix.SOL_SOCKET, unix.SO_ACCEPTCONN}:      getOnly(4),
	// SO_RCVTIMEO and SO_SNDTIMEO (old and new names, one layout on
	// x86-64) are kept by the Sentry: see setTimeout.
	{unix.SOL_SOCKET, unix.SO_RCVTIMEO}: {size: sizeofTimeval, get: true, set: true},
	{unix.SOL_SOCKET, unix.SO_SNDTIMEO}: {size: sizeofTimeval, get: true, set: true},
	{unix.SOL_SOCKET, soRcvtimeoNew}:    {size: sizeofTimeval, get: true, set: true},
	{unix.SOL_SOCKET, soSndtimeoNew}:    {size: sizeofTimeval, get: true, set: true},

	// IPPROTO_TCP.
	{unix.IPPROTO_TCP, unix.TCP_NODELAY}:       intOpt(),
	{unix.IPPROTO_TCP, unix.TCP_MAXSEG}:        intOpt(),
	{unix.IPPROTO_TCP, unix.TCP_CORK}:          intOpt(),
	{unix.IPPROTO_TCP, unix.TCP_KEEPIDLE}:      intOpt(),
	{unix.IPPROTO_TCP, unix.TCP_KEEPINTVL}:     intOpt(),
	{unix.IPPROTO_TCP, unix.TCP_KEEPCNT}:       intOpt(),
	{unix.IPPROTO_TCP, unix.TCP_SYNCNT}:        intOpt(),
	{unix.IPPROTO_TCP, unix.TCP_LINGER2}:       intOpt(),
	{unix.IPPROTO_TCP, unix.TCP_DEFER_ACCEPT}:  intOpt(),
	{unix.IPPROTO_TCP, unix.TCP_WINDOW_CLAMP}:  intOpt(),
	{unix.IPPROTO_TCP, unix.TCP_QUICKACK}:      intOpt(),
	{unix.IPPROTO_TCP, unix.TCP_USER_TIMEOUT}:  intOpt(),
	{unix.IPPROTO_TCP, unix.TCP_FASTOPEN}:      intOpt(),
	{unix.IPPROTO_TCP, unix.TCP_NOTSENT_LOWAT}: intOpt(),
	{unix.IPPROTO_TCP, unix.TCP_INFO}:          getOnly(tcpInfoMax),
	{unix.IPPROTO_TCP, unix.TCP_CONGESTION}:    {size: tcpCANameMax, get: true, set: true, check: checkCongestion},

	// IPPROTO_UDP.
	{unix.IPPROTO_UDP, unix.UDP_CORK}: intOpt(),

	// IPPROTO_IP: the host also takes a one-byte value for most of these.
	{unix.IPPROTO_IP, unix.IP_TOS}:                  intOpt(),
	{unix.IPPROTO_IP, unix.IP_TTL}:                  intOpt(),
	{unix.IPPROTO_IP, unix.IP_RECVTOS}:              intOpt(),
	{unix.IPPROTO_IP, unix.IP_RECVTTL}:              intOpt(),
	{unix.IPPROTO_IP, unix.IP_PKTINFO}:              intOpt(),
	{unix.IPPROTO_IP, unix.IP_MTU_DISCOVER}:         intOpt(),
	{unix.IPPROTO_IP, unix.IP_MULTICAST_TTL}:        intOpt(),
	{unix.IPPROTO_IP, unix.IP_MULTICAST_LOOP}:       intOpt(),
	{unix.IPPROTO_IP, unix.IP_FREEBIND}:             intOpt(),
	{unix.IPPROTO_IP, unix.IP_BIND_ADDRESS_NO_PORT}: intOpt(),
	{unix.IPPROTO_IP, unix.IP_MTU}:                  getOnly(4),

	// IPPROTO_IPV6.
	{unix.IPPROTO_IPV6, unix.IPV6_V6ONLY}:         intOpt(),
	{unix.IPPROTO_IPV6, unix.IPV6_UNICAST_HOPS}:   intOpt(),
	{unix.IPPROTO_IPV6, unix.IPV6_MULTICAST_HOPS}: intOpt(),
	{unix.IPPROTO_IPV6, unix.IPV6_MULTICAST_LOOP}: intOpt(),
	{unix.IPPROTO_IPV6, unix.IPV6_TCLASS}:         intOpt(),
	{unix.IPPROTO_IPV6, unix.IPV6_RECVTCLASS}:     intOpt(),
	{unix.IPPROTO_IPV6, unix.IPV6_RECVPKTINFO}:    intOpt(),
	{unix.IPPROTO_IPV6, unix.IPV6_RECVHOPLIMIT}:   intOpt(),
	{unix.IPPROTO_IPV6, unix.IPV6_MTU_DISCOVER}:   intOpt(),
	{unix.IPPROTO_IPV6, unix.IPV6_MTU}:            getOnly(4),
}

// needCap makes an option need a capability the host would ask of the
// application (EPERM without it).
func needCap(cap int) func(socket.Task, []byte) error {
	return func(t socket.Task, val []byte) error {
		if c := t.Creds(); c == nil || !c.HasCap(cap) {
			return unix.EPERM
		}
		return nil
	}
}

// checkPriority: priorities 0 to 6 are free, others need CAP_NET_ADMIN
// (or CAP_NET_RAW).
func checkPriority(t socket.Task, val []byte) error {
	if len(val) < 4 {
		return nil // the host says EINVAL
	}
	if v := int32(binary.NativeEndian.Uint32(val)); v >= 0 && v <= 6 {
		return nil
	}
	if c := t.Creds(); c != nil && (c.HasCap(unix.CAP_NET_ADMIN) || c.HasCap(unix.CAP_NET_RAW)) {
		return nil
	}
	return unix.EPERM
}

// checkCongestion: without CAP_NET_ADMIN, only the algorithms of
// net.ipv4.tcp_allowed_congestion_control.
func checkCongestion(t socket.Task, val []byte) error {
	if c := t.Creds(); c != nil && c.HasCap(unix.CAP_NET_ADMIN) {
		return nil
	}
	name := val[:min(len(val), tcpCANameMax-1)]
	if i := bytes.IndexByte(name, 0); i >= 0 {
		name = name[:i]
	}
	if len(name) == 0 || slices.Contains(allowedCongestion, string(name)) {
		return nil // empty: the host's error
	}
	return unix.EPERM
}

func isTimeout(level, name int) bool {
	return level == unix.SOL_SOCKET && (name == unix.SO_RCVTIMEO || name == unix.SO_SNDTIMEO ||
		name == soRcvtimeoNew || name == soSndtimeoNew)
}

// GetSockOpt implements socket.Socket: a known option is read from the
// host into a Sentry buffer of the caller's size (capped to the option's),
// so the host shortens and formats it exactly as Linux does.
func (s *Socket) GetSockOpt(t socket.Task, level, name, optLen int) ([]byte, error) {
	o, ok := options[[2]int{level, name}]
	if !ok || !o.get {
		return nil, unix.ENOPROTOOPT
	}
	if optLen < 0 {
		return nil, unix.EINVAL
	}
	buf := make([]byte, min(optLen, o.size))
	l := uint32(len(buf))
	_, _, e := syscall.Syscall6(unix.SYS_GETSOCKOPT, uintptr(s.fd), uintptr(level), uintptr(name),
		ptr(buf), uintptr(unsafe.Pointer(&l)), 0)
	if e != 0 {
		return nil, e
	}
	return buf[:min(int(l), len(buf))], nil
}

// SetSockOpt implements socket.Socket: a known option's first bytes (at
// most its size) go to the host in a Sentry buffer; the host checks the
// length and the value as Linux does.
func (s *Socket) SetSockOpt(t socket.Task, level, name int, val []byte) error {
	o, ok := options[[2]int{level, name}]
	if !ok || !o.set {
		return unix.ENOPROTOOPT
	}
	buf := make([]byte, min(len(val), o.size))
	copy(buf, val)
	if o.check != nil {
		if err := o.check(t, buf); err != nil {
			return err
		}
	}
	if err := s.hostSetOpt(level, name, buf); err != nil {
		return err
	}
	if isTimeout(level, name) {
		s.setTimeout(name, buf)
	}
	if controlOpts[[2]int{level, name}] {
		s.controlOpts.Store(true)
	}
	return nil
}

func (s *Socket) hostSetOpt(level, name int, buf []byte) error {
	_, _, e := syscall.Syscall6(unix.SYS_SETSOCKOPT, uintptr(s.fd), uintptr(level), uintptr(name),
		ptr(buf), uintptr(len(buf)), 0)
	return hostErr(e)
}

// setTimeout records SO_RCVTIMEO or SO_SNDTIMEO after the host took it
// (so it was well formed). The host socket ignores its own copy, as it
// never blocks, but keeps what getsockopt shows, rounded to the host's
// clock ticks; the Sentry waits for the same rounded time. A negative
// tv_sec means no waiting at all, zero means no timeout.
func (s *Socket) setTimeout(name int, val []byte) {
	target := &s.rcvTimeo
	if name == unix.SO_SNDTIMEO || name == soSndtimeoNew {
		target = &s.sndTimeo
	}
	sec := int64(binary.NativeEndian.Uint64(val[0:]))
	if sec < 0 {
		target.Store(noWait)
		return
	}
	var tv [sizeofTimeval]byte
	l := uint32(len(tv))
	_, _, e := syscall.Syscall6(unix.SYS_GETSOCKOPT, uintptr(s.fd), unix.SOL_SOCKET, uintptr(name),
		uintptr(unsafe.Pointer(&tv[0])), uintptr(unsafe.Pointer(&l)), 0)
	if e != 0 {
		return
	}
	d := time.Duration(int64(binary.NativeEndian.Uint64(tv[0:])))*time.Second +
		time.Duration(int64(binary.NativeEndian.Uint64(tv[8:])))*time.Microsecond
	target.Store(int64(d)) // zero: none
}
