package netstack

import (
	"encoding/binary"
	"math"
	"reflect"
	"strings"
	"time"

	"golang.org/x/sys/unix"
	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/transport/tcp"

	"github.com/moat-sandbox/moat/internal/sentry/socket"
)

// net.core's buffer sysctls, the host's when it says (readHostSysctls).
var (
	wmemMax     = 212992
	rmemMax     = 212992
	wmemDefault = 212992
	rmemDefault = 212992
)

// Linux's smallest socket buffers (SOCK_MIN_SNDBUF, SOCK_MIN_RCVBUF).
const (
	minSndbuf = 4608
	minRcvbuf = 2304
)

// hz is the host kernel's clock rate, which rounds SO_RCVTIMEO and
// SO_SNDTIMEO (jiffies); probed by Register where the host allows it.
var hz int64 = 1000

// Options the socket stores only to read back, with their defaults.
const capNetAdmin = 12

func optKey(level, name int) uint64 { return uint64(uint32(level))<<32 | uint64(uint32(name)) }

// storedDefaults are the values options the socket keeps itself read
// before they are set.
var storedDefaults = map[uint64]int32{
	optKey(unix.IPPROTO_IP, unix.IP_MTU_DISCOVER): unix.IP_PMTUDISC_WANT,
	optKey(unix.SOL_SOCKET, unix.SO_RCVLOWAT):     1,
}

// stored lists the options kept only to be read back, per level.
var stored = map[uint64]bool{
	optKey(unix.SOL_SOCKET, unix.SO_OOBINLINE):              true,
	optKey(unix.SOL_SOCKET, unix.SO_DONTROUTE):              true,
	optKey(unix.SOL_SOCKET, unix.SO_PASSCRED):               true,
	optKey(unix.SOL_SOCKET, unix.SO_PRIORITY):               true,
	optKey(unix.SOL_SOCKET, unix.SO_TIMESTAMP):              true,
	optKey(unix.SOL_SOCKET, unix.SO_TIMESTAMPNS):            true,
	optKey(unix.SOL_SOCKET, unix.SO_RCVLOWAT):               true,
	optKey(unix.SOL_SOCKET, unix.SO_BUSY_POLL):              true,
	optKey(unix.SOL_SOCKET, unix.SO_ZEROCOPY):               true,
	optKey(unix.SOL_SOCKET, unix.SO_NO_CHECK):               true,
	optKey(unix.SOL_SOCKET, unix.SO_PASSSEC):                true,
	optKey(unix.SOL_SOCKET, unix.SO_RXQ_OVFL):               true,
	optKey(unix.SOL_SOCKET, unix.SO_WIFI_STATUS):            true,
	optKey(unix.SOL_SOCKET, unix.SO_SELECT_ERR_QUEUE):       true,
	optKey(unix.IPPROTO_IP, unix.IP_MTU_DISCOVER):           true,
	optKey(unix.IPPROTO_IP, unix.IP_RECVERR):                true,
	optKey(unix.IPPROTO_IP, unix.IP_FREEBIND):               true,
	optKey(unix.IPPROTO_IP, unix.IP_BIND_ADDRESS_NO_PORT):   true,
	optKey(unix.IPPROTO_IPV6, unix.IPV6_RECVERR):            true,
	optKey(unix.IPPROTO_IPV6, unix.IPV6_MTU_DISCOVER):       true,
	optKey(unix.IPPROTO_TCP, unix.TCP_NOTSENT_LOWAT):        true,
	optKey(unix.IPPROTO_TCP, unix.TCP_FASTOPEN):             true,
	optKey(unix.IPPROTO_TCP, unix.TCP_THIN_LINEAR_TIMEOUTS): true,
	optKey(unix.IPPROTO_UDP, unix.UDP_CORK):                 true,
	optKey(unix.IPPROTO_UDP, unix.UDP_SEGMENT):              true,
	optKey(unix.IPPROTO_UDP, unix.UDP_GRO):                  true,
}

func int32Bytes(v int32) []byte {
	b := make([]byte, 4)
	binary.NativeEndian.PutUint32(b, uint32(v))
	return b
}

func boolBytes(v bool) []byte {
	if v {
		return int32Bytes(1)
	}
	return int32Bytes(0)
}

// intVal reads an int option value: shorter than an int is EINVAL.
func intVal(val []byte) (int32, error) {
	if len(val) < 4 {
		return 0, unix.EINVAL
	}
	return int32(binary.NativeEndian.Uint32(val)), nil
}

// ipIntVal reads an IP-level value, which Linux also takes as one byte.
func ipIntVal(val []byte) (int32, error) {
	switch {
	case len(val) >= 4:
		return int32(binary.NativeEndian.Uint32(val)), nil
	case len(val) >= 1:
		return int32(val[0]), nil
	}
	return 0, unix.EINVAL
}

// GetSockOpt implements socket.Socket.
func (s *Socket) GetSockOpt(t socket.Task, level, name, optLen int) ([]byte, error) {
	if optLen < 0 {
		return nil, unix.EINVAL
	}
	if v, ok := s.getStored(level, name); ok {
		return v, nil
	}
	switch level {
	case unix.SOL_SOCKET:
		return s.getSocketOpt(name)
	case unix.IPPROTO_TCP:
		if s.stype != unix.SOCK_STREAM {
			return nil, unix.ENOPROTOOPT
		}
		return s.getTCPOpt(name, optLen)
	case unix.IPPROTO_IP:
		return s.getIPOpt(name)
	case unix.IPPROTO_IPV6:
		if s.family != unix.AF_INET6 {
			return nil, unix.ENOPROTOOPT
		}
		return s.getIPv6Opt(name)
	}
	return nil, unix.ENOPROTOOPT
}

// SetSockOpt implements socket.Socket.
func (s *Socket) SetSockOpt(t socket.Task, level, name int, val []byte) error {
	if stored[optKey(level, name)] && s.levelApplies(level) {
		v, err := ipIntVal(val)
		if level == unix.SOL_SOCKET || level == unix.IPPROTO_TCP || level == unix.IPPROTO_UDP {
			v, err = intVal(val)
		}
		if err != nil {
			return err
		}
		s.mu.Lock()
		if s.opts == nil {
			s.opts = map[uint64]int32{}
		}
		s.opts[optKey(level, name)] = v
		s.mu.Unlock()
		return nil
	}
	switch level {
	case unix.SOL_SOCKET:
		return s.setSocketOpt(t, name, val)
	case unix.IPPROTO_TCP:
		if s.stype != unix.SOCK_STREAM {
			return unix.ENOPROTOOPT
		}
		return s.setTCPOpt(name, val)
	case unix.IPPROTO_IP:
		return s.setIPOpt(name, val)
	case unix.IPPROTO_IPV6:
		if s.family != unix.AF_INET6 {
			return unix.ENOPROTOOPT
		}
		return s.setIPv6Opt(name, val)
	}
	return unix.ENOPROTOOPT
}

// levelApplies says whether options of level exist for this socket.
func (s *Socket) levelApplies(level int) bool {
	switch level {
	case unix.IPPROTO_TCP:
		return s.stype == unix.SOCK_STREAM
	case unix.IPPROTO_UDP:
		return s.stype == unix.SOCK_DGRAM
	case unix.IPPROTO_IPV6:
		return s.family == unix.AF_INET6
	}
	return true
}

func (s *Socket) getStored(level, name int) ([]byte, bool) {
	k := optKey(level, name)
	if !stored[k] || !s.levelApplies(level) {
		return nil, false
	}
	s.mu.Lock()
	v, ok := s.opts[k]
	s.mu.Unlock()
	if !ok {
		v = storedDefaults[k]
	}
	return int32Bytes(v), true
}

func (s *Socket) getSocketOpt(name int) ([]byte, error) {
	ops := s.ep().SocketOptions()
	switch name {
	case unix.SO_TYPE:
		return int32Bytes(int32(s.stype)), nil
	case unix.SO_DOMAIN:
		return int32Bytes(int32(s.family)), nil
	case unix.SO_PROTOCOL:
		return int32Bytes(int32(s.protocol)), nil
	case unix.SO_ERROR:
		if err := errno(s.takeError()); err != nil {
			return int32Bytes(int32(err.(unix.Errno))), nil
		}
		return int32Bytes(0), nil
	case unix.SO_ACCEPTCONN:
		return boolBytes(s.listening()), nil
	case unix.SO_REUSEADDR:
		return boolBytes(ops.GetReuseAddress()), nil
	case unix.SO_REUSEPORT:
		return boolBytes(ops.GetReusePort()), nil
	case unix.SO_KEEPALIVE:
		return boolBytes(ops.GetKeepAlive()), nil
	case unix.SO_BROADCAST:
		return boolBytes(ops.GetBroadcast()), nil
	case unix.SO_SNDBUF:
		return int32Bytes(int32(ops.GetSendBufferSize())), nil
	case unix.SO_RCVBUF:
		return int32Bytes(int32(ops.GetReceiveBufferSize())), nil
	case unix.SO_SNDLOWAT:
		return int32Bytes(1), nil
	case unix.SO_LINGER:
		l := ops.GetLinger()
		b := make([]byte, 8)
		if l.Enabled {
			binary.NativeEndian.PutUint32(b, 1)
		}
		binary.NativeEndian.PutUint32(b[4:], uint32(int32(l.Timeout/time.Second)))
		return b, nil
	case unix.SO_RCVTIMEO, unix.SO_RCVTIMEO_NEW:
		return timeval(s.rcvTimeo.Load()), nil
	case unix.SO_SNDTIMEO, unix.SO_SNDTIMEO_NEW:
		return timeval(s.sndTimeo.Load()), nil
	case unix.SO_PEERCRED:
		// An Internet socket has no peer credentials: pid 0, ids -1.
		b := make([]byte, 12)
		binary.NativeEndian.PutUint32(b[4:], ^uint32(0))
		binary.NativeEndian.PutUint32(b[8:], ^uint32(0))
		return b, nil
	case unix.SO_MARK:
		return int32Bytes(int32(ops.GetMark())), nil
	case unix.SO_BINDTODEVICE:
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.bindToDevice == "" {
			return []byte{}, nil
		}
		return append([]byte(s.bindToDevice), 0), nil
	case unix.SO_COOKIE:
		b := make([]byte, 8)
		binary.NativeEndian.PutUint64(b, s.ino)
		return b, nil
	}
	return nil, unix.ENOPROTOOPT
}

// takeError reads and clears the socket's pending error, as SO_ERROR
// does. The stack may hold one error twice (a connection's hard error and
// its last error): both go.
func (s *Socket) takeError() tcpip.Error {
	ops := s.ep().SocketOptions()
	err := ops.GetLastError()
	if err != nil {
		s.dropRepeat(err)
	}
	return err
}

// dropRepeat clears the pending error if it is err again, which the caller
// has just reported; another error is kept.
func (s *Socket) dropRepeat(err tcpip.Error) {
	ops := s.ep().SocketOptions()
	if next := ops.GetLastError(); next != nil && reflect.TypeOf(next) != reflect.TypeOf(err) {
		ops.SetLastError(next)
	}
}

// timeval is a timeout as getsockopt(2) shows it, rounded to the
// kernel's clock ticks; "forever" and "do not wait" both read as zero.
func timeval(d int64) []byte {
	b := make([]byte, 16)
	if d > 0 {
		tick := int64(time.Second) / hz
		j := (d + tick - 1) / tick
		binary.NativeEndian.PutUint64(b, uint64(j/hz))
		binary.NativeEndian.PutUint64(b[8:], uint64((j%hz)*(1000000/hz)))
	}
	return b
}

// parseTimeval reads SO_RCVTIMEO's or SO_SNDTIMEO's struct timeval, as
// Linux's sock_set_timeout does: microseconds out of range are EDOM, a
// negative time means "do not wait", zero "forever".
func parseTimeval(val []byte) (int64, error) {
	if len(val) < 16 {
		return 0, unix.EINVAL
	}
	sec := int64(binary.NativeEndian.Uint64(val))
	usec := int64(binary.NativeEndian.Uint64(val[8:]))
	if usec < 0 || usec >= 1000000 {
		return 0, unix.EDOM
	}
	if sec < 0 {
		return noWait, nil
	}
	if sec == 0 && usec == 0 || sec >= math.MaxInt64/int64(time.Second)-1 {
		return 0, nil
	}
	// Round up to the kernel's tick, as the timeout is kept in jiffies.
	tick := int64(time.Second) / hz
	d := sec*int64(time.Second) + usec*int64(time.Microsecond)
	return (d + tick - 1) / tick * tick, nil
}

func (s *Socket) setSocketOpt(t socket.Task, name int, val []byte) error {
	ops := s.ep().SocketOptions()
	switch name {
	case unix.SO_RCVTIMEO, unix.SO_RCVTIMEO_NEW, unix.SO_SNDTIMEO, unix.SO_SNDTIMEO_NEW:
		d, err := parseTimeval(val)
		if err != nil {
			return err
		}
		if name == unix.SO_RCVTIMEO || name == unix.SO_RCVTIMEO_NEW {
			s.rcvTimeo.Store(d)
		} else {
			s.sndTimeo.Store(d)
		}
		return nil
	case unix.SO_LINGER:
		if len(val) < 8 {
			return unix.EINVAL
		}
		on := binary.NativeEndian.Uint32(val) != 0
		secs := int32(binary.NativeEndian.Uint32(val[4:]))
		ops.SetLinger(tcpip.LingerOption{Enabled: on, Timeout: time.Duration(secs) * time.Second})
		return nil
	case unix.SO_BINDTODEVICE:
		return s.bindDevice(t, val)
	}
	v, err := intVal(val)
	if err != nil {
		return err
	}
	switch name {
	case unix.SO_TYPE, unix.SO_DOMAIN, unix.SO_PROTOCOL, unix.SO_ERROR, unix.SO_ACCEPTCONN,
		unix.SO_PEERCRED, unix.SO_COOKIE, unix.SO_SNDLOWAT:
		return unix.ENOPROTOOPT
	case unix.SO_REUSEADDR:
		ops.SetReuseAddress(v != 0)
	case unix.SO_REUSEPORT:
		ops.SetReusePort(v != 0)
	case unix.SO_KEEPALIVE:
		ops.SetKeepAlive(v != 0)
	case unix.SO_BROADCAST:
		ops.SetBroadcast(v != 0)
	case unix.SO_SNDBUF, unix.SO_SNDBUFFORCE:
		n, err := bufSize(t, name == unix.SO_SNDBUFFORCE, v, wmemMax)
		if err != nil {
			return err
		}
		ops.SetSendBufferSize(int64(max(2*n, minSndbuf)), true)
		s.mu.Lock()
		s.sndbufSet = true
		s.mu.Unlock()
	case unix.SO_RCVBUF, unix.SO_RCVBUFFORCE:
		n, err := bufSize(t, name == unix.SO_RCVBUFFORCE, v, rmemMax)
		if err != nil {
			return err
		}
		ops.SetReceiveBufferSize(int64(max(2*n, minRcvbuf)), true)
		s.mu.Lock()
		s.rcvbufSet = true
		s.mu.Unlock()
	case unix.SO_MARK:
		if c := t.Creds(); c == nil || !c.HasCap(capNetAdmin) {
			return unix.EPERM
		}
		ops.SetMark(uint32(v))
	default:
		return unix.ENOPROTOOPT
	}
	return nil
}

// bufSize is the buffer size SO_SNDBUF or SO_RCVBUF asks for, before
// Linux doubles it: capped by the sysctl, or for the FORCE variants
// (CAP_NET_ADMIN) only kept from going negative.
func bufSize(t socket.Task, force bool, v int32, limit int) (int, error) {
	if force {
		if c := t.Creds(); c == nil || !c.HasCap(capNetAdmin) {
			return 0, unix.EPERM
		}
		return min(int(max(v, 0)), math.MaxInt32/2), nil
	}
	// The value is taken as unsigned: a negative one is the cap.
	return min(int(uint32(v)), limit, math.MaxInt32/2), nil
}

// bindDevice implements SO_BINDTODEVICE: only "lo" exists.
func (s *Socket) bindDevice(t socket.Task, val []byte) error {
	if c := t.Creds(); c == nil || !c.HasCap(unix.CAP_NET_RAW) {
		return unix.EPERM
	}
	name := string(val[:min(len(val), unix.IFNAMSIZ-1)])
	if i := strings.IndexByte(name, 0); i >= 0 {
		name = name[:i]
	}
	var nic int32
	if name != "" {
		if name != LoopbackName {
			return unix.ENODEV
		}
		nic = int32(LoopbackNIC)
	}
	if terr := s.ep().SocketOptions().SetBindToDevice(nic); terr != nil {
		return errno(terr)
	}
	s.mu.Lock()
	s.bindToDevice = name
	s.mu.Unlock()
	return nil
}

// TCP_INFO's size in this kernel generation (struct tcp_info up to
// tcpi_total_rto_time and the fields after it, zeroed).
const sizeofTCPInfo = 280

// Linux's TCP states (include/net/tcp_states.h).
const (
	tcpEstablished = 1
	tcpSynSent     = 2
	tcpSynRecv     = 3
	tcpFinWait1    = 4
	tcpFinWait2    = 5
	tcpTimeWait    = 6
	tcpClose       = 7
	tcpCloseWait   = 8
	tcpLastAck     = 9
	tcpListen      = 10
	tcpClosing     = 11
)

// linuxTCPState is the Linux state of a stack TCP state.
func linuxTCPState(st uint32) uint8 {
	switch tcp.EndpointState(st) {
	case tcp.StateEstablished:
		return tcpEstablished
	case tcp.StateSynSent, tcp.StateConnecting:
		return tcpSynSent
	case tcp.StateSynRecv:
		return tcpSynRecv
	case tcp.StateFinWait1:
		return tcpFinWait1
	case tcp.StateFinWait2:
		return tcpFinWait2
	case tcp.StateTimeWait:
		return tcpTimeWait
	case tcp.StateCloseWait:
		return tcpCloseWait
	case tcp.StateLastAck:
		return tcpLastAck
	case tcp.StateListen:
		return tcpListen
	case tcp.StateClosing:
		return tcpClosing
	}
	return tcpClose
}

func (s *Socket) getTCPOpt(name, optLen int) ([]byte, error) {
	ops := s.ep().SocketOptions()
	switch name {
	case unix.TCP_NODELAY:
		return boolBytes(!ops.GetDelayOption()), nil
	case unix.TCP_CORK:
		return boolBytes(ops.GetCorkOption()), nil
	case unix.TCP_QUICKACK:
		return boolBytes(ops.GetQuickAck()), nil
	case unix.TCP_KEEPIDLE:
		var v tcpip.KeepaliveIdleOption
		if terr := s.ep().GetSockOpt(&v); terr != nil {
			return nil, errno(terr)
		}
		return int32Bytes(int32(time.Duration(v) / time.Second)), nil
	case unix.TCP_KEEPINTVL:
		var v tcpip.KeepaliveIntervalOption
		if terr := s.ep().GetSockOpt(&v); terr != nil {
			return nil, errno(terr)
		}
		return int32Bytes(int32(time.Duration(v) / time.Second)), nil
	case unix.TCP_KEEPCNT, unix.TCP_MAXSEG, unix.TCP_SYNCNT, unix.TCP_WINDOW_CLAMP:
		opt := map[int]tcpip.SockOptInt{
			unix.TCP_KEEPCNT: tcpip.KeepaliveCountOption, unix.TCP_MAXSEG: tcpip.MaxSegOption,
			unix.TCP_SYNCNT: tcpip.TCPSynCountOption, unix.TCP_WINDOW_CLAMP: tcpip.TCPWindowClampOption,
		}[name]
		v, terr := s.ep().GetSockOptInt(opt)
		if terr != nil {
			return nil, errno(terr)
		}
		return int32Bytes(int32(v)), nil
	case unix.TCP_DEFER_ACCEPT:
		s.mu.Lock()
		r := s.deferAccept
		s.mu.Unlock()
		return int32Bytes(int32(retransToSecs(r, 1, 120))), nil
	case unix.TCP_USER_TIMEOUT:
		var v tcpip.TCPUserTimeoutOption
		if terr := s.ep().GetSockOpt(&v); terr != nil {
			return nil, errno(terr)
		}
		return int32Bytes(int32(time.Duration(v) / time.Millisecond)), nil
	case unix.TCP_LINGER2:
		var v tcpip.TCPLingerTimeoutOption
		if terr := s.ep().GetSockOpt(&v); terr != nil {
			return nil, errno(terr)
		}
		return int32Bytes(int32(time.Duration(v) / time.Second)), nil
	case unix.TCP_CONGESTION:
		var v tcpip.CongestionControlOption
		if terr := s.ep().GetSockOpt(&v); terr != nil {
			return nil, errno(terr)
		}
		b := make([]byte, 16) // TCP_CA_NAME_MAX
		copy(b, v)
		return b, nil
	case unix.TCP_INFO:
		return s.tcpInfo(), nil
	}
	return nil, unix.ENOPROTOOPT
}

// tcpInfo lays out TCP_INFO's basic fields: the state, timers, MSS and
// congestion figures the stack knows; the counters Linux adds are zero.
func (s *Socket) tcpInfo() []byte {
	b := make([]byte, sizeofTCPInfo)
	var info tcpip.TCPInfoOption
	s.ep().GetSockOpt(&info)
	b[0] = linuxTCPState(s.ep().State())
	b[1] = uint8(info.CcState)
	mss, _ := s.ep().GetSockOptInt(tcpip.MaxSegOption)
	put := func(off int, v uint32) { binary.NativeEndian.PutUint32(b[off:], v) }
	us := func(d time.Duration) uint32 { return uint32(d / time.Microsecond) }
	put(8, us(info.RTO))      // tcpi_rto
	put(12, 40000)            // tcpi_ato: TCP_ATO_MIN
	put(16, uint32(mss))      // tcpi_snd_mss
	put(20, uint32(mss))      // tcpi_rcv_mss
	put(60, 65536)            // tcpi_pmtu: the loopback MTU
	put(68, us(info.RTT))     // tcpi_rtt
	put(72, us(info.RTTVar))  // tcpi_rttvar
	put(76, info.SndSsthresh) // tcpi_snd_ssthresh
	put(80, info.SndCwnd)     // tcpi_snd_cwnd
	put(84, uint32(mss))      // tcpi_advmss
	put(88, 3)                // tcpi_reordering: net.ipv4.tcp_reordering
	if info.ReorderSeen {
		put(224, 1) // tcpi_reord_seen
	}
	return b
}

// secsToRetrans and retransToSecs convert TCP_DEFER_ACCEPT's seconds to
// the SYN-ACK retransmissions Linux keeps, and back: each retransmission
// doubles the timeout from initial, up to limit.
func secsToRetrans(secs, initial, limit int) int {
	if secs <= 0 {
		return 0
	}
	period, timeout, n := initial, initial, 1
	for secs > period && n < 255 {
		n++
		timeout = min(timeout*2, limit)
		period += timeout
	}
	return n
}

func retransToSecs(n, initial, limit int) int {
	if n <= 0 {
		return 0
	}
	period, timeout := initial, initial
	for n--; n > 0; n-- {
		timeout = min(timeout*2, limit)
		period += timeout
	}
	return period
}

func (s *Socket) setTCPOpt(name int, val []byte) error {
	if name == unix.TCP_CONGESTION {
		name := string(val[:min(len(val), 15)])
		if i := strings.IndexByte(name, 0); i >= 0 {
			name = name[:i]
		}
		v := tcpip.CongestionControlOption(name)
		if terr := s.ep().SetSockOpt(&v); terr != nil {
			return unix.ENOENT
		}
		return nil
	}
	v, err := intVal(val)
	if err != nil {
		return err
	}
	ops := s.ep().SocketOptions()
	switch name {
	case unix.TCP_NODELAY:
		ops.SetDelayOption(v == 0)
	case unix.TCP_CORK:
		ops.SetCorkOption(v != 0)
	case unix.TCP_QUICKACK:
		ops.SetQuickAck(v != 0)
	case unix.TCP_KEEPIDLE, unix.TCP_KEEPINTVL:
		if v < 1 || v > 32767 { // MAX_TCP_KEEPIDLE, MAX_TCP_KEEPINTVL
			return unix.EINVAL
		}
		d := time.Duration(v) * time.Second
		if name == unix.TCP_KEEPIDLE {
			o := tcpip.KeepaliveIdleOption(d)
			return errno(s.ep().SetSockOpt(&o))
		}
		o := tcpip.KeepaliveIntervalOption(d)
		return errno(s.ep().SetSockOpt(&o))
	case unix.TCP_KEEPCNT:
		if v < 1 || v > 127 { // MAX_TCP_KEEPCNT
			return unix.EINVAL
		}
		return errno(s.ep().SetSockOptInt(tcpip.KeepaliveCountOption, int(v)))
	case unix.TCP_MAXSEG:
		if v < 88 || v > 65535-40 { // TCP_MIN_MSS, MAX_TCP_WINDOW
			return unix.EINVAL
		}
		return errno(s.ep().SetSockOptInt(tcpip.MaxSegOption, int(v)))
	case unix.TCP_SYNCNT:
		if v < 1 || v > 127 { // MAX_TCP_SYNCNT
			return unix.EINVAL
		}
		return errno(s.ep().SetSockOptInt(tcpip.TCPSynCountOption, int(v)))
	case unix.TCP_WINDOW_CLAMP:
		return errno(s.ep().SetSockOptInt(tcpip.TCPWindowClampOption, int(max(v, 0))))
	case unix.TCP_DEFER_ACCEPT:
		r := secsToRetrans(int(v), 1, 120)
		s.mu.Lock()
		s.deferAccept = r
		s.mu.Unlock()
		o := tcpip.TCPDeferAcceptOption(time.Duration(retransToSecs(r, 1, 120)) * time.Second)
		return errno(s.ep().SetSockOpt(&o))
	case unix.TCP_USER_TIMEOUT:
		if v < 0 {
			return unix.EINVAL
		}
		o := tcpip.TCPUserTimeoutOption(time.Duration(v) * time.Millisecond)
		return errno(s.ep().SetSockOpt(&o))
	case unix.TCP_LINGER2:
		o := tcpip.TCPLingerTimeoutOption(time.Duration(v) * time.Second)
		return errno(s.ep().SetSockOpt(&o))
	case unix.TCP_INFO:
		return unix.ENOPROTOOPT
	default:
		return unix.ENOPROTOOPT
	}
	return nil
}

func (s *Socket) getIPOpt(name int) ([]byte, error) {
	ops := s.ep().SocketOptions()
	switch name {
	case unix.IP_TOS:
		v, terr := s.ep().GetSockOptInt(tcpip.IPv4TOSOption)
		if terr != nil {
			return nil, errno(terr)
		}
		return int32Bytes(int32(v)), nil
	case unix.IP_TTL:
		v, terr := s.ep().GetSockOptInt(tcpip.IPv4TTLOption)
		if terr != nil {
			return nil, errno(terr)
		}
		if v == tcpip.UseDefaultIPv4TTL {
			v = 64
		}
		return int32Bytes(int32(v)), nil
	case unix.IP_RECVTOS:
		return boolBytes(ops.GetReceiveTOS()), nil
	case unix.IP_RECVTTL:
		return boolBytes(ops.GetReceiveTTL()), nil
	case unix.IP_PKTINFO:
		return boolBytes(ops.GetReceivePacketInfo()), nil
	case unix.IP_MTU:
		return s.pathMTU()
	}
	return nil, unix.ENOPROTOOPT
}

// pathMTU is IP_MTU and IPV6_MTU: the route's MTU for a connected
// socket (only the loopback's here), ENOTCONN otherwise.
func (s *Socket) pathMTU() ([]byte, error) {
	ra, terr := s.ep().GetRemoteAddress()
	if terr != nil {
		return nil, unix.ENOTCONN
	}
	nic := tcpip.NICID(LoopbackNIC)
	if ra.NIC != 0 {
		nic = ra.NIC
	}
	info, ok := Stack().SingleNICInfo(nic)
	if !ok {
		return nil, unix.ENOTCONN
	}
	return int32Bytes(int32(info.MTU)), nil
}

func (s *Socket) setIPOpt(name int, val []byte) error {
	v, err := ipIntVal(val)
	if err != nil {
		return err
	}
	ops := s.ep().SocketOptions()
	switch name {
	case unix.IP_TOS:
		v &= 0xff
		if s.stype == unix.SOCK_STREAM {
			// The ECN bits of a TCP socket are the stack's.
			v &^= 3
		}
		return errno(s.ep().SetSockOptInt(tcpip.IPv4TOSOption, int(v)))
	case unix.IP_TTL:
		if v == -1 {
			v = tcpip.UseDefaultIPv4TTL
		} else if v < 1 || v > 255 {
			return unix.EINVAL
		}
		return errno(s.ep().SetSockOptInt(tcpip.IPv4TTLOption, int(v)))
	case unix.IP_RECVTOS:
		ops.SetReceiveTOS(v != 0)
	case unix.IP_RECVTTL:
		ops.SetReceiveTTL(v != 0)
	case unix.IP_PKTINFO:
		ops.SetReceivePacketInfo(v != 0)
	default:
		return unix.ENOPROTOOPT
	}
	return nil
}

func (s *Socket) getIPv6Opt(name int) ([]byte, error) {
	ops := s.ep().SocketOptions()
	switch name {
	case unix.IPV6_V6ONLY:
		return boolBytes(ops.GetV6Only()), nil
	case unix.IPV6_TCLASS:
		v, terr := s.ep().GetSockOptInt(tcpip.IPv6TrafficClassOption)
		if terr != nil {
			return nil, errno(terr)
		}
		return int32Bytes(int32(v)), nil
	case unix.IPV6_UNICAST_HOPS:
		v, terr := s.ep().GetSockOptInt(tcpip.IPv6HopLimitOption)
		if terr != nil {
			return nil, errno(terr)
		}
		if v == tcpip.UseDefaultIPv6HopLimit {
			v = 64
		}
		return int32Bytes(int32(v)), nil
	case unix.IPV6_RECVTCLASS:
		return boolBytes(ops.GetReceiveTClass()), nil
	case unix.IPV6_RECVHOPLIMIT:
		return boolBytes(ops.GetReceiveHopLimit()), nil
	case unix.IPV6_RECVPKTINFO:
		return boolBytes(ops.GetIPv6ReceivePacketInfo()), nil
	case unix.IPV6_MTU:
		return s.pathMTU()
	}
	return nil, unix.ENOPROTOOPT
}

func (s *Socket) setIPv6Opt(name int, val []byte) error {
	v, err := intVal(val)
	if err != nil {
		return err
	}
	ops := s.ep().SocketOptions()
	switch name {
	case unix.IPV6_V6ONLY:
		// Only before the socket has a port, as Linux has it.
		if fa, terr := s.ep().GetLocalAddress(); terr == nil && fa.Port != 0 {
			return unix.EINVAL
		}
		ops.SetV6Only(v != 0)
	case unix.IPV6_TCLASS:
		if v < -1 || v > 0xff {
			return unix.EINVAL
		}
		if v == -1 {
			v = 0
		}
		return errno(s.ep().SetSockOptInt(tcpip.IPv6TrafficClassOption, int(v)))
	case unix.IPV6_UNICAST_HOPS:
		if v < -1 || v > 255 {
			return unix.EINVAL
		}
		return errno(s.ep().SetSockOptInt(tcpip.IPv6HopLimitOption, int(v)))
	case unix.IPV6_RECVTCLASS:
		ops.SetReceiveTClass(v != 0)
	case unix.IPV6_RECVHOPLIMIT:
		ops.SetReceiveHopLimit(v != 0)
	case unix.IPV6_RECVPKTINFO:
		ops.SetIPv6ReceivePacketInfo(v != 0)
	default:
		return unix.ENOPROTOOPT
	}
	return nil
}

// parseSendControl reads a datagram's control messages: IP_TTL and
// IPV6_HOPLIMIT, and IP_TOS or IPV6_TCLASS (returned as tos, -1 for none),
// apply to the one datagram; other IP-level messages are EINVAL and
// socket-level ones (SCM_RIGHTS...) are ignored, as Linux has them.
func (s *Socket) parseSendControl(control []byte) (cm tcpip.SendableControlMessages, tos int, err error) {
	tos = -1
	msgs, err := socket.ParseControl(control)
	if err != nil {
		return cm, tos, err
	}
	for _, m := range msgs {
		switch m.Level {
		case unix.IPPROTO_IP:
			switch m.Type {
			case unix.IP_TTL:
				v, err := intVal(m.Data)
				if err != nil || v < 1 || v > 255 {
					return cm, tos, unix.EINVAL
				}
				cm.HasTTL, cm.TTL = true, uint8(v)
			case unix.IP_TOS:
				// An int, or (older programs) one byte.
				switch len(m.Data) {
				case 4:
					tos = int(binary.NativeEndian.Uint32(m.Data) & 0xff)
				case 1:
					tos = int(m.Data[0])
				default:
					return cm, tos, unix.EINVAL
				}
			default:
				return cm, tos, unix.EINVAL
			}
		case unix.IPPROTO_IPV6:
			switch m.Type {
			case unix.IPV6_HOPLIMIT:
				v, err := intVal(m.Data)
				if err != nil || v < -1 || v > 255 {
					return cm, tos, unix.EINVAL
				}
				if v >= 0 {
					cm.HasHopLimit, cm.HopLimit = true, uint8(v)
				}
			case unix.IPV6_TCLASS:
				v, err := intVal(m.Data)
				if err != nil || v < -1 || v > 255 {
					return cm, tos, unix.EINVAL
				}
				if v >= 0 {
					tos = int(v)
				}
			default:
				return cm, tos, unix.EINVAL
			}
		}
	}
	return cm, tos, nil
}

// putControl lays out a datagram's control messages the socket asked for.
func (s *Socket) putControl(w *socket.ControlWriter, cm tcpip.ReceivableControlMessages) {
	s.mu.Lock()
	ts := s.opts[optKey(unix.SOL_SOCKET, unix.SO_TIMESTAMP)] != 0
	tsns := s.opts[optKey(unix.SOL_SOCKET, unix.SO_TIMESTAMPNS)] != 0
	s.mu.Unlock()
	if cm.HasTimestamp && (ts || tsns) {
		b := make([]byte, 16)
		ns := cm.Timestamp.UnixNano()
		binary.NativeEndian.PutUint64(b, uint64(ns/1e9))
		if tsns {
			binary.NativeEndian.PutUint64(b[8:], uint64(ns%1e9))
			w.Put(unix.SOL_SOCKET, unix.SO_TIMESTAMPNS, b)
		} else {
			binary.NativeEndian.PutUint64(b[8:], uint64(ns%1e9/1e3))
			w.Put(unix.SOL_SOCKET, unix.SO_TIMESTAMP, b)
		}
	}
	if cm.HasTOS {
		w.Put(unix.IPPROTO_IP, unix.IP_TOS, []byte{cm.TOS})
	}
	if cm.HasTTL {
		w.Put(unix.IPPROTO_IP, unix.IP_TTL, int32Bytes(int32(cm.TTL)))
	}
	if cm.HasIPPacketInfo {
		b := make([]byte, 12) // struct in_pktinfo
		binary.NativeEndian.PutUint32(b, uint32(cm.PacketInfo.NIC))
		if a := cm.PacketInfo.LocalAddr; a.Len() == 4 {
			v := a.As4()
			copy(b[4:8], v[:])
		}
		if a := cm.PacketInfo.DestinationAddr; a.Len() == 4 {
			v := a.As4()
			copy(b[8:12], v[:])
		}
		w.Put(unix.IPPROTO_IP, unix.IP_PKTINFO, b)
	}
	if cm.HasTClass {
		w.Put(unix.IPPROTO_IPV6, unix.IPV6_TCLASS, int32Bytes(int32(cm.TClass)))
	}
	if cm.HasHopLimit {
		w.Put(unix.IPPROTO_IPV6, unix.IPV6_HOPLIMIT, int32Bytes(int32(cm.HopLimit)))
	}
	if cm.HasIPv6PacketInfo {
		b := make([]byte, 20) // struct in6_pktinfo
		if a := cm.IPv6PacketInfo.Addr; a.Len() == 16 {
			v := a.As16()
			copy(b, v[:])
		}
		binary.NativeEndian.PutUint32(b[16:], uint32(cm.IPv6PacketInfo.NIC))
		w.Put(unix.IPPROTO_IPV6, unix.IPV6_PKTINFO, b)
	}
}

// copyOptions gives a new endpoint the options of the one it replaces.
func copyOptions(from, to tcpip.Endpoint) {
	f, t := from.SocketOptions(), to.SocketOptions()
	t.SetReuseAddress(f.GetReuseAddress())
	t.SetReusePort(f.GetReusePort())
	t.SetKeepAlive(f.GetKeepAlive())
	t.SetBroadcast(f.GetBroadcast())
	t.SetLinger(f.GetLinger())
	t.SetDelayOption(f.GetDelayOption())
	t.SetCorkOption(f.GetCorkOption())
	t.SetQuickAck(f.GetQuickAck())
	t.SetV6Only(f.GetV6Only())
	t.SetReceiveTOS(f.GetReceiveTOS())
	t.SetReceiveTClass(f.GetReceiveTClass())
	t.SetMark(f.GetMark())
	t.SetBindToDevice(f.GetBindToDevice())
	for _, o := range []tcpip.SockOptInt{tcpip.KeepaliveCountOption, tcpip.IPv4TOSOption, tcpip.IPv6TrafficClassOption,
		tcpip.IPv4TTLOption, tcpip.IPv6HopLimitOption, tcpip.TCPSynCountOption, tcpip.TCPWindowClampOption} {
		if v, terr := from.GetSockOptInt(o); terr == nil {
			to.SetSockOptInt(o, v)
		}
	}
	var idle tcpip.KeepaliveIdleOption
	var intvl tcpip.KeepaliveIntervalOption
	var user tcpip.TCPUserTimeoutOption
	var linger2 tcpip.TCPLingerTimeoutOption
	var cc tcpip.CongestionControlOption
	var deferAccept tcpip.TCPDeferAcceptOption
	for _, o := range []interface {
		tcpip.GettableSocketOption
		tcpip.SettableSocketOption
	}{&idle, &intvl, &user, &linger2, &cc, &deferAccept} {
		if from.GetSockOpt(o) == nil {
			to.SetSockOpt(o)
		}
	}
}
