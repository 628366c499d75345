package netstack

import (
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
	gwaiter "gvisor.dev/gvisor/pkg/waiter"

	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/network/ipv4"
	"gvisor.dev/gvisor/pkg/tcpip/network/ipv6"
	"gvisor.dev/gvisor/pkg/tcpip/transport/tcp"
	"gvisor.dev/gvisor/pkg/tcpip/transport/udp"

	"github.com/moat-sandbox/moat/internal/sentry/socket"
	"github.com/moat-sandbox/moat/internal/sentry/vfs"
	"github.com/moat-sandbox/moat/internal/sentry/waiter"
)

// Socket is an AF_INET or AF_INET6 socket of the sandbox's stack: the
// file implementation of its description.
type Socket struct {
	family   int
	stype    int
	protocol int

	// cur is the stack endpoint. A stream socket whose connection failed
	// or ended gets a new one when it connects again (see renew).
	cur atomic.Pointer[endpoint]
	// queue is the Sentry's wait queue, which each endpoint's events are
	// forwarded to.
	queue waiter.Queue

	nonblock atomic.Bool
	// rcvTimeo and sndTimeo are SO_RCVTIMEO and SO_SNDTIMEO in
	// nanoseconds: 0 waits forever, noWait not at all.
	rcvTimeo, sndTimeo atomic.Int64

	ino      uint64
	uid, gid uint32
	ctime    unix.Timespec
	released atomic.Bool

	// mu guards the options the socket keeps itself.
	mu sync.Mutex
	// opts are options stored only to be read back (level<<32 | name).
	opts map[uint64]int32
	// deferAccept is TCP_DEFER_ACCEPT as set, in retransmissions.
	deferAccept int
	// bindToDevice is SO_BINDTODEVICE's interface name.
	bindToDevice string
	// bound is the address bind(2) was given, kept for a new endpoint.
	bound *tcpip.FullAddress
	// ss is the socket's state as Linux's struct socket keeps it apart
	// from the connection's: what connect(2) goes by.
	ss sockState
	// sndbufSet and rcvbufSet say SO_SNDBUF and SO_RCVBUF were set (the
	// stack's auto-tuning is off then).
	sndbufSet, rcvbufSet bool
}

// sockState is struct socket's state (SS_*).
type sockState int

const (
	// ssUnconnected: never connected, or a connection attempt failed and
	// was reported; connect(2) may (re)try.
	ssUnconnected sockState = iota
	// ssConnecting: a connect(2) left in progress (non-blocking, or
	// interrupted), whose outcome the next connect(2) reports.
	ssConnecting
	// ssConnected: connected once (by connect(2) or accept(2)); connect(2)
	// is EISCONN from then on, even after the connection ended.
	ssConnected
)

// endpoint is a stack endpoint with its own wait queue, and the entry on
// that queue that forwards its events to the socket's queue.
type endpoint struct {
	tcpip.Endpoint
	wq     *gwaiter.Queue
	bridge gwaiter.Entry
}

var _ socket.Socket = (*Socket)(nil)
var _ vfs.Ioctler = (*Socket)(nil)

// noWait is a timeout that does not wait (SO_RCVTIMEO with a negative
// tv_sec).
const noWait = socket.NoWait

// ipprotoMax is IPPROTO_MAX: socket(2) protocols at or above it are EINVAL.
const ipprotoMax = 263

var (
	sockfsDev = vfs.NewAnonDev()
	// nextIno numbers the sockets. Its base keeps the numbers apart from
	// the other families' in /proc/PID/fd and /proc/net (see the package
	// documentation of /proc/net's provider).
	nextIno atomic.Uint64
)

func init() { nextIno.Store(inoBase) }

// inoBase is the first inode number of this family's sockets.
const inoBase = 1 << 20

func newFunc(family int) socket.NewFunc {
	return func(t socket.Task, stype, protocol, flags int) (*vfs.File, error) {
		return create(t, family, stype, protocol, flags)
	}
}

// create checks socket(2)'s type and protocol as Linux's inet_create does
// and makes the endpoint.
func create(t vfs.Context, family, stype, protocol, flags int) (*vfs.File, error) {
	if protocol < 0 || protocol >= ipprotoMax {
		return nil, unix.EINVAL
	}
	var trans tcpip.TransportProtocolNumber
	switch stype {
	case unix.SOCK_STREAM:
		if protocol != 0 && protocol != unix.IPPROTO_TCP {
			return nil, unix.EPROTONOSUPPORT
		}
		protocol, trans = unix.IPPROTO_TCP, tcp.ProtocolNumber
	case unix.SOCK_DGRAM:
		if protocol != 0 && protocol != unix.IPPROTO_UDP {
			// Ping and UDP-Lite sockets are not offered.
			return nil, unix.EPROTONOSUPPORT
		}
		protocol, trans = unix.IPPROTO_UDP, udp.ProtocolNumber
	case unix.SOCK_RAW:
		if c := t.Creds(); c == nil || !c.HasCap(unix.CAP_NET_RAW) {
			return nil, unix.EPERM
		}
		return nil, unix.ESOCKTNOSUPPORT
	default:
		return nil, unix.ESOCKTNOSUPPORT
	}
	wq := &gwaiter.Queue{}
	ep, terr := Stack().NewEndpoint(trans, netProto(family), wq)
	if terr != nil {
		return nil, errno(terr)
	}
	if stype == unix.SOCK_DGRAM {
		// Datagram sockets start with net.core's default buffers, as
		// Linux's sock_init_data gives them.
		ep.SocketOptions().SetSendBufferSize(int64(wmemDefault), false)
		ep.SocketOptions().SetReceiveBufferSize(int64(rmemDefault), false)
	}
	return newSocket(t, family, stype, protocol, ep, wq, flags), nil
}

func netProto(family int) tcpip.NetworkProtocolNumber {
	if family == unix.AF_INET6 {
		return ipv6.ProtocolNumber
	}
	return ipv4.ProtocolNumber
}

// newSocket wraps an endpoint in a socket and a description with one
// reference.
func newSocket(t vfs.Context, family, stype, protocol int, ep tcpip.Endpoint, wq *gwaiter.Queue, flags int) *vfs.File {
	s := &Socket{family: family, stype: stype, protocol: protocol, ino: nextIno.Add(1)}
	if t != nil {
		if c := t.Creds(); c != nil {
			s.uid, s.gid = c.FilesystemUID, c.FilesystemGID
		}
	}
	s.ctime, _ = unix.TimeToTimespec(time.Now())
	s.nonblock.Store(flags&unix.O_NONBLOCK != 0)
	s.attach(ep, wq)
	track(s)
	return vfs.NewFile(s, vfs.VirtualDentry{}, unix.O_RDWR|flags&unix.O_NONBLOCK)
}

// attach makes ep the socket's endpoint. Its events reach the Sentry's
// waiters through a callback, which runs under the endpoint's queue lock
// and maybe the endpoint's own: notifying the socket's queue takes only
// that queue's lock.
func (s *Socket) attach(ep tcpip.Endpoint, wq *gwaiter.Queue) {
	e := &endpoint{Endpoint: ep, wq: wq}
	e.bridge = gwaiter.NewFunctionEntry(gwaiter.AllEvents, func(m gwaiter.EventMask) {
		s.queue.Notify(waiter.EventMask(m.ToLinux()))
	})
	wq.EventRegister(&e.bridge)
	s.cur.Store(e)
}

// ep is the socket's current endpoint.
func (s *Socket) ep() tcpip.Endpoint { return s.cur.Load().Endpoint }

// Family implements socket.Socket.
func (s *Socket) Family() int { return s.family }

// Type implements socket.Socket.
func (s *Socket) Type() int { return s.stype }

// Protocol implements socket.Socket.
func (s *Socket) Protocol() int { return s.protocol }

// LinkName implements socket.Socket.
func (s *Socket) LinkName() string { return "socket:[" + strconv.FormatUint(s.ino, 10) + "]" }

// Ino is the socket's inode number, as /proc/net shows it.
func (s *Socket) Ino() uint64 { return s.ino }

// SetStatusFlags implements socket.Socket.
func (s *Socket) SetStatusFlags(flags int) { s.nonblock.Store(flags&unix.O_NONBLOCK != 0) }

// Endpoint is the socket's stack endpoint (tests, diagnostics).
func (s *Socket) Endpoint() tcpip.Endpoint { return s.ep() }

// renew gives a stream socket whose connection failed or ended a new
// endpoint, as Linux lets such a socket connect again: the options carry
// over, and so does an address bind(2) chose (a port the stack chose is
// released).
func (s *Socket) renew() error {
	wq := &gwaiter.Queue{}
	ep, terr := Stack().NewEndpoint(tcp.ProtocolNumber, netProto(s.family), wq)
	if terr != nil {
		return errno(terr)
	}
	old := s.cur.Load()
	copyOptions(old.Endpoint, ep)
	s.mu.Lock()
	bound := s.bound
	if s.sndbufSet {
		ep.SocketOptions().SetSendBufferSize(old.SocketOptions().GetSendBufferSize(), true)
	}
	if s.rcvbufSet {
		ep.SocketOptions().SetReceiveBufferSize(old.SocketOptions().GetReceiveBufferSize(), true)
	}
	s.mu.Unlock()
	old.wq.EventUnregister(&old.bridge)
	old.Close()
	s.attach(ep, wq)
	if bound != nil {
		return errno(ep.Bind(*bound))
	}
	return nil
}

// Stat implements vfs.FileImpl: the socket's inode, as sockfs shows it.
func (s *Socket) Stat(ctx vfs.Context) (vfs.Stat, error) {
	return vfs.Stat{
		Dev: sockfsDev, Ino: s.ino, Mode: unix.S_IFSOCK | 0o777, Nlink: 1, UID: s.uid, GID: s.gid,
		Blksize: 4096, Atime: s.ctime, Mtime: s.ctime, Ctime: s.ctime,
	}, nil
}

// Release implements vfs.FileImpl: the last description closed. The stack
// closes the endpoint as Linux would (a reset when unread data is left or
// SO_LINGER has a zero timeout, a FIN otherwise).
func (s *Socket) Release() {
	if s.released.Swap(true) {
		return
	}
	untrack(s)
	e := s.cur.Load()
	e.wq.EventUnregister(&e.bridge)
	e.Close()
}

// Readiness implements waiter.Waitable.
func (s *Socket) Readiness(mask waiter.EventMask) waiter.EventMask {
	ask := gwaiter.EventMask(mask|waiter.EventErr|waiter.EventHup) & gwaiter.AllEvents
	ep := s.ep()
	m := waiter.EventMask(ep.Readiness(ask).ToLinux())
	if s.stype == unix.SOCK_STREAM {
		switch tcp.EndpointState(ep.State()) {
		case tcp.StateClose, tcp.StateTimeWait:
			// The stack calls a closed endpoint ready for anything; Linux
			// reports an error only while one is pending.
			m &^= waiter.EventErr
		case tcp.StateInitial, tcp.StateBound:
			// A socket never connected polls writable (and hung up) on
			// Linux.
			m |= waiter.WritableEvents
		}
	}
	return m & (mask | waiter.AlwaysReported)
}

// EventRegister implements waiter.Waitable.
func (s *Socket) EventRegister(e *waiter.Entry, mask waiter.EventMask) { s.queue.Register(e, mask) }

// EventUnregister implements waiter.Waitable.
func (s *Socket) EventUnregister(e *waiter.Entry) { s.queue.Unregister(e) }

// waitPolicy is socket.WaitPolicy, how one call may block.
type waitPolicy = socket.WaitPolicy

// policy returns how a call on s may wait, given MSG_DONTWAIT (or the
// like) in dontwait and the timeout that applies (rcvTimeo or sndTimeo).
func (s *Socket) policy(dontwait bool, timeout *atomic.Int64) waitPolicy {
	return socket.Policy(dontwait || s.nonblock.Load(), timeout.Load())
}

// retry runs op until it returns something other than EAGAIN, waiting for
// events on the socket between tries as p allows (socket.Retry).
func (s *Socket) retry(t vfs.Task, events waiter.EventMask, p waitPolicy, timeoutErr error, op func() error) error {
	return socket.Retry(t, &s.queue, events, p, timeoutErr, op)
}

// The live sockets, for /proc/net.
var (
	liveMu sync.Mutex
	live   = map[*Socket]struct{}{}
)

func track(s *Socket) {
	liveMu.Lock()
	live[s] = struct{}{}
	liveMu.Unlock()
}

func untrack(s *Socket) {
	liveMu.Lock()
	delete(live, s)
	liveMu.Unlock()
}

// sockets returns the live sockets of a family and protocol.
func sockets(family, protocol int) []*Socket {
	liveMu.Lock()
	defer liveMu.Unlock()
	var out []*Socket
	for s := range live {
		if s.family == family && s.protocol == protocol {
			out = append(out, s)
		}
	}
	return out
}
