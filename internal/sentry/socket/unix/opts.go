package unix

import (
	"encoding/binary"
	"time"

	sys "golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/socket"
	"github.com/moat-sandbox/moat/internal/sentry/vfs"
	"github.com/moat-sandbox/moat/internal/sentry/waiter"
)

// Socket options that only read back what was set (no effect on a Unix
// socket), with their defaults.
var storedOpts = map[int]int32{
	sys.SO_REUSEADDR:        0,
	sys.SO_KEEPALIVE:        0,
	sys.SO_BROADCAST:        0,
	sys.SO_DONTROUTE:        0,
	sys.SO_OOBINLINE:        0,
	sys.SO_PRIORITY:         0,
	sys.SO_RCVLOWAT:         1,
	sys.SO_PEEK_OFF:         -1,
	sys.SO_PASSSEC:          0,
	sys.SO_TIMESTAMP:        0,
	sys.SO_MARK:             0,
	sys.SO_NO_CHECK:         0,
	sys.SO_ZEROCOPY:         0,
	sys.SO_RXQ_OVFL:         0,
	sys.SO_WIFI_STATUS:      0,
	sys.SO_SELECT_ERR_QUEUE: 0,
	sys.SO_BUSY_POLL:        0,
}

// hz is the kernel's tick rate: socket timeouts are kept in ticks, which
// getsockopt shows.
const hz = 250

func (s *Socket) storedLocked(name int) int32 {
	if v, ok := s.boolOpts[name]; ok {
		return v
	}
	return storedOpts[name]
}

// rcvlowat is SO_RCVLOWAT.
func (s *Socket) rcvlowat() int { return int(s.storedLocked(sys.SO_RCVLOWAT)) }

func int32Bytes(v int32) []byte {
	b := make([]byte, 4)
	binary.LittleEndian.PutUint32(b, uint32(v))
	return b
}

func boolInt(b bool) int32 {
	if b {
		return 1
	}
	return 0
}

// timevalBytes is a timeout as getsockopt shows it: in whole ticks.
func timevalBytes(d time.Duration) []byte {
	b := make([]byte, 16)
	if d <= 0 {
		return b
	}
	ticks := int64((d + time.Second/hz - 1) / (time.Second / hz))
	binary.LittleEndian.PutUint64(b[0:], uint64(ticks/hz))
	binary.LittleEndian.PutUint64(b[8:], uint64((ticks%hz)*1000000/hz))
	return b
}

// parseTimeval is sock_set_timeout: EINVAL when short, EDOM for bad
// microseconds; a negative time is no timeout. The result is rounded up
// to whole ticks.
func parseTimeval(v []byte) (time.Duration, error) {
	if len(v) < 16 {
		return 0, sys.EINVAL
	}
	sec := int64(binary.LittleEndian.Uint64(v[0:]))
	usec := int64(binary.LittleEndian.Uint64(v[8:]))
	if usec < 0 || usec >= 1000000 {
		return 0, sys.EDOM
	}
	if sec < 0 || (sec == 0 && usec == 0) {
		return 0, nil
	}
	if sec > 1<<31 {
		return 0, nil // beyond MAX_SCHEDULE_TIMEOUT: forever
	}
	ticks := sec*hz + (usec+1000000/hz-1)/(1000000/hz)
	return time.Duration(ticks) * (time.Second / hz), nil
}

// GetSockOpt implements socket.Socket: SOL_SOCKET options (ENOPROTOOPT
// for others); other levels are EOPNOTSUPP, as a Unix socket has none.
func (s *Socket) GetSockOpt(t socket.Task, level, name, optLen int) ([]byte, error) {
	if level != sys.SOL_SOCKET {
		return nil, sys.EOPNOTSUPP
	}
	mu.Lock()
	defer mu.Unlock()
	switch name {
	case sys.SO_TYPE:
		return int32Bytes(int32(s.stype)), nil
	case sys.SO_DOMAIN:
		return int32Bytes(sys.AF_UNIX), nil
	case sys.SO_PROTOCOL:
		return int32Bytes(0), nil
	case sys.SO_ERROR:
		e := s.err
		s.err = 0
		return int32Bytes(int32(e)), nil
	case sys.SO_ACCEPTCONN:
		return int32Bytes(boolInt(s.state == listening)), nil
	case sys.SO_PASSCRED:
		return int32Bytes(boolInt(s.passcred)), nil
	case sys.SO_SNDBUF:
		return int32Bytes(int32(s.sndbuf)), nil
	case sys.SO_RCVBUF:
		return int32Bytes(int32(s.rcvbuf)), nil
	case sys.SO_SNDLOWAT:
		return int32Bytes(1), nil
	case sys.SO_PEERCRED:
		b := make([]byte, sys.SizeofUcred)
		binary.LittleEndian.PutUint32(b[0:], uint32(s.peerCred.pid))
		binary.LittleEndian.PutUint32(b[4:], s.peerCred.uid)
		binary.LittleEndian.PutUint32(b[8:], s.peerCred.gid)
		return b, nil
	case sys.SO_RCVTIMEO, sys.SO_RCVTIMEO_NEW:
		return timevalBytes(s.rcvtimeo), nil
	case sys.SO_SNDTIMEO, sys.SO_SNDTIMEO_NEW:
		return timevalBytes(s.sndtimeo), nil
	case sys.SO_LINGER:
		b := make([]byte, 8)
		binary.LittleEndian.PutUint32(b[0:], uint32(s.linger.Onoff))
		binary.LittleEndian.PutUint32(b[4:], uint32(s.linger.Linger))
		return b, nil
	}
	if _, ok := storedOpts[name]; ok {
		return int32Bytes(s.storedLocked(name)), nil
	}
	return nil, sys.ENOPROTOOPT
}

// SetSockOpt implements socket.Socket.
func (s *Socket) SetSockOpt(t socket.Task, level, name int, val []byte) error {
	if level != sys.SOL_SOCKET {
		return sys.EOPNOTSUPP
	}
	switch name {
	case sys.SO_RCVTIMEO, sys.SO_RCVTIMEO_NEW, sys.SO_SNDTIMEO, sys.SO_SNDTIMEO_NEW:
		d, err := parseTimeval(val)
		if err != nil {
			return err
		}
		mu.Lock()
		if name == sys.SO_RCVTIMEO || name == sys.SO_RCVTIMEO_NEW {
			s.rcvtimeo = d
		} else {
			s.sndtimeo = d
		}
		mu.Unlock()
		return nil
	case sys.SO_LINGER:
		if len(val) < 8 {
			return sys.EINVAL
		}
		mu.Lock()
		s.linger.Onoff = int32(binary.LittleEndian.Uint32(val[0:]))
		s.linger.Linger = int32(binary.LittleEndian.Uint32(val[4:]))
		mu.Unlock()
		return nil
	}
	if len(val) < 4 {
		return sys.EINVAL
	}
	v := int32(binary.LittleEndian.Uint32(val))
	mu.Lock()
	defer mu.Unlock()
	switch name {
	case sys.SO_PASSCRED:
		s.passcred = v != 0
	case sys.SO_SNDBUF, sys.SO_SNDBUFFORCE:
		u := uint32(v)
		if name == sys.SO_SNDBUF || !t.Creds().HasCap(capNetAdmin) {
			if name == sys.SO_SNDBUFFORCE {
				return sys.EPERM
			}
			u = min(u, uint32(wmemMax))
		}
		u = min(u, 1<<30)
		s.sndbuf = max(int(u)*2, minSndbuf)
		s.q.Notify(writableMask)
	case sys.SO_RCVBUF, sys.SO_RCVBUFFORCE:
		u := uint32(v)
		if name == sys.SO_RCVBUF || !t.Creds().HasCap(capNetAdmin) {
			if name == sys.SO_RCVBUFFORCE {
				return sys.EPERM
			}
			u = min(u, uint32(rmemMax))
		}
		u = min(u, 1<<30)
		s.rcvbuf = max(int(u)*2, minRcvbuf)
	case sys.SO_REUSEPORT:
		return sys.EOPNOTSUPP
	case sys.SO_RCVLOWAT:
		if v < 0 {
			v = 1<<31 - 1
		}
		if v == 0 {
			v = 1
		}
		s.setStoredLocked(name, v)
	case sys.SO_PEEK_OFF:
		s.setStoredLocked(name, v)
	default:
		if _, ok := storedOpts[name]; !ok {
			return sys.ENOPROTOOPT
		}
		if name != sys.SO_PRIORITY && name != sys.SO_MARK && name != sys.SO_BUSY_POLL {
			v = boolInt(v != 0)
		}
		s.setStoredLocked(name, v)
	}
	return nil
}

// capNetAdmin is CAP_NET_ADMIN, which SO_SNDBUFFORCE and SO_RCVBUFFORCE
// need.
const capNetAdmin = 12

func (s *Socket) setStoredLocked(name int, v int32) {
	if s.boolOpts == nil {
		s.boolOpts = map[int]int32{}
	}
	s.boolOpts[name] = v
}

// ioctl requests on sockets.
const (
	siocinq  = 0x541b // FIONREAD
	siocoutq = 0x5411 // TIOCOUTQ
)

// Ioctl implements vfs.Ioctler: SIOCINQ (FIONREAD) is the unread bytes
// of a stream or the size of the next datagram; SIOCOUTQ the bytes sent
// and not yet read.
func (s *Socket) Ioctl(t vfs.Task, req, arg uintptr) (uintptr, error) {
	var v int
	mu.Lock()
	switch req {
	case siocinq:
		if s.state == listening {
			mu.Unlock()
			return 0, sys.EINVAL
		}
		if s.stype == sys.SOCK_DGRAM {
			if len(s.rq) > 0 {
				v = len(s.rq[0].data)
			}
		} else {
			for _, m := range s.rq {
				v += len(m.data)
			}
		}
	case siocoutq:
		v = s.wmem
	default:
		mu.Unlock()
		return 0, sys.ENOTTY
	}
	mu.Unlock()
	return 0, t.CopyOut(arg, int32Bytes(int32(v)))
}

const writableMask = waiter.WritableEvents | waiter.EventWrBand
