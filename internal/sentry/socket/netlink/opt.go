package netlink

import (
	"encoding/binary"
	"math"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/socket"
)

// The SOL_NETLINK options that are flags.
var nlFlagOpts = map[int]bool{
	unix.NETLINK_PKTINFO:         true,
	unix.NETLINK_BROADCAST_ERROR: true,
	unix.NETLINK_NO_ENOBUFS:      true,
	unix.NETLINK_LISTEN_ALL_NSID: true,
	unix.NETLINK_CAP_ACK:         true,
	unix.NETLINK_EXT_ACK:         true,
	unix.NETLINK_GET_STRICT_CHK:  true,
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

// GetSockOpt implements socket.Socket.
func (s *Socket) GetSockOpt(t socket.Task, level, name, optLen int) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch level {
	case solNetlink:
		if optLen < 4 {
			return nil, unix.EINVAL
		}
		if nlFlagOpts[name] {
			return boolBytes(s.nlFlags[name]), nil
		}
		if name == unix.NETLINK_LIST_MEMBERSHIPS {
			b := make([]byte, maxGroups/8)
			binary.NativeEndian.PutUint64(b, s.groups)
			return b, nil
		}
		return nil, unix.ENOPROTOOPT
	case unix.SOL_SOCKET:
		switch name {
		case unix.SO_TYPE:
			return int32Bytes(int32(s.stype)), nil
		case unix.SO_DOMAIN:
			return int32Bytes(unix.AF_NETLINK), nil
		case unix.SO_PROTOCOL:
			return int32Bytes(int32(s.protocol)), nil
		case unix.SO_ERROR, unix.SO_ACCEPTCONN:
			return int32Bytes(0), nil
		case unix.SO_SNDBUF:
			return int32Bytes(int32(s.sndbuf)), nil
		case unix.SO_RCVBUF:
			return int32Bytes(int32(s.rcvbuf)), nil
		case unix.SO_PASSCRED:
			return boolBytes(s.passcred), nil
		case unix.SO_RCVTIMEO, unix.SO_RCVTIMEO_NEW:
			return timeval(s.rcvTimeo), nil
		case unix.SO_SNDTIMEO, unix.SO_SNDTIMEO_NEW:
			return timeval(s.sndTimeo), nil
		case unix.SO_PEERCRED:
			b := make([]byte, 12)
			binary.NativeEndian.PutUint32(b[4:], ^uint32(0))
			binary.NativeEndian.PutUint32(b[8:], ^uint32(0))
			return b, nil
		}
	}
	return nil, unix.ENOPROTOOPT
}

func timeval(d time.Duration) []byte {
	b := make([]byte, 16)
	if d > 0 {
		binary.NativeEndian.PutUint64(b, uint64(d/time.Second))
		binary.NativeEndian.PutUint64(b[8:], uint64(d%time.Second/time.Microsecond))
	}
	return b
}

// SetSockOpt implements socket.Socket.
func (s *Socket) SetSockOpt(t socket.Task, level, name int, val []byte) error {
	switch level {
	case solNetlink:
		if len(val) < 4 {
			return unix.EINVAL
		}
		v := int32(binary.NativeEndian.Uint32(val))
		s.mu.Lock()
		defer s.mu.Unlock()
		switch {
		case nlFlagOpts[name]:
			if s.nlFlags == nil {
				s.nlFlags = map[int]bool{}
			}
			s.nlFlags[name] = v != 0
			return nil
		case name == unix.NETLINK_ADD_MEMBERSHIP || name == unix.NETLINK_DROP_MEMBERSHIP:
			if v <= 0 || v > maxGroups {
				return unix.EINVAL
			}
			s.autobindLocked(t)
			if name == unix.NETLINK_ADD_MEMBERSHIP {
				s.groups |= 1 << (v - 1)
			} else {
				s.groups &^= 1 << (v - 1)
			}
			return nil
		}
		return unix.ENOPROTOOPT
	case unix.SOL_SOCKET:
		switch name {
		case unix.SO_RCVTIMEO, unix.SO_RCVTIMEO_NEW, unix.SO_SNDTIMEO, unix.SO_SNDTIMEO_NEW:
			if len(val) < 16 {
				return unix.EINVAL
			}
			sec := int64(binary.NativeEndian.Uint64(val))
			usec := int64(binary.NativeEndian.Uint64(val[8:]))
			if usec < 0 || usec >= 1000000 {
				return unix.EDOM
			}
			d := time.Duration(sec)*time.Second + time.Duration(usec)*time.Microsecond
			if sec < 0 {
				d = -1
			} else if sec >= math.MaxInt64/int64(time.Second)-1 {
				d = 0
			}
			s.mu.Lock()
			if name == unix.SO_RCVTIMEO || name == unix.SO_RCVTIMEO_NEW {
				s.rcvTimeo = d
			} else {
				s.sndTimeo = d
			}
			s.mu.Unlock()
			return nil
		case unix.SO_ATTACH_FILTER, unix.SO_DETACH_FILTER, unix.SO_LOCK_FILTER:
			// No notifications are ever sent, so a filter has nothing to
			// filter.
			return nil
		}
		if len(val) < 4 {
			return unix.EINVAL
		}
		v := int32(binary.NativeEndian.Uint32(val))
		s.mu.Lock()
		defer s.mu.Unlock()
		switch name {
		case unix.SO_SNDBUF, unix.SO_SNDBUFFORCE:
			n, err := bufSize(t, name == unix.SO_SNDBUFFORCE, v, wmemMax())
			if err != nil {
				return err
			}
			s.sndbuf = max(2*n, minSndbuf)
		case unix.SO_RCVBUF, unix.SO_RCVBUFFORCE:
			n, err := bufSize(t, name == unix.SO_RCVBUFFORCE, v, rmemMax())
			if err != nil {
				return err
			}
			s.rcvbuf = max(2*n, minRcvbuf)
		case unix.SO_PASSCRED:
			s.passcred = v != 0
		case unix.SO_PRIORITY, unix.SO_MARK, unix.SO_RXQ_OVFL, unix.SO_TIMESTAMP, unix.SO_BUSY_POLL:
			// Accepted; nothing uses them here.
		default:
			return unix.ENOPROTOOPT
		}
		return nil
	}
	return unix.ENOPROTOOPT
}

// bufSize is SO_SNDBUF's or SO_RCVBUF's request before doubling: capped
// by net.core's maximum, or with FORCE (CAP_NET_ADMIN) only kept from
// going negative.
func bufSize(t socket.Task, force bool, v int32, limit int) (int, error) {
	if force {
		if c := t.Creds(); c == nil || !c.HasCap(capNetAdmin) {
			return 0, unix.EPERM
		}
		return min(int(max(v, 0)), math.MaxInt32/2), nil
	}
	return min(int(uint32(v)), limit, math.MaxInt32/2), nil
}

// net.core.wmem_max and rmem_max, the host's (read once).
var (
	sysctlOnce         sync.Once
	wmemMaxV, rmemMaxV = defaultBuf, defaultBuf
)

func readSysctls() {
	read := func(path string, v *int) {
		b, err := os.ReadFile(path)
		if err != nil {
			return
		}
		if n, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && n > 0 {
			*v = n
		}
	}
	read("/proc/sys/net/core/wmem_max", &wmemMaxV)
	read("/proc/sys/net/core/rmem_max", &rmemMaxV)
}

func wmemMax() int { sysctlOnce.Do(readSysctls); return wmemMaxV }
func rmemMax() int { sysctlOnce.Do(readSysctls); return rmemMaxV }
