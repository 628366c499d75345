// Package hostinet is the network of `moat do --network=host`: AF_INET and
// AF_INET6 sockets (TCP and UDP) that the Sentry creates on the host and
// drives for the application.
//
// Every application socket is one host socket, created by the Sentry
// non-blocking and close-on-exec, and watched by the Sentry-wide host
// poller (internal/sentry/hostpoll), which turns the host's readiness into
// notifications on the socket's wait queue. Blocking is the Sentry's:
// an operation that would block on the host waits on that queue, bounded by
// SO_RCVTIMEO or SO_SNDTIMEO and interruptible like every wait of a task.
//
// Nothing the application passes reaches the host unchecked: addresses
// are parsed and rebuilt (addr.go), options go through a list of the
// (level, name) pairs this package knows, with their sizes (opt.go),
// control messages are parsed both ways (msg.go), and ioctls copy fixed
// layouts through Sentry buffers (ioctl.go).
package hostinet

import (
	"strconv"
	"sync/atomic"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/hostpoll"
	"github.com/moat-sandbox/moat/internal/sentry/socket"
	"github.com/moat-sandbox/moat/internal/sentry/socket/netlink"
	"github.com/moat-sandbox/moat/internal/sentry/vfs"
	"github.com/moat-sandbox/moat/internal/sentry/waiter"
)

// Register makes socket(2) of AF_INET and AF_INET6 create host sockets.
// The sandbox calls it at boot for --network=host. socketpair(2) of these
// families stays EOPNOTSUPP, as on Linux.
func Register() {
	loadSysctls()
	socket.RegisterFamily(unix.AF_INET, NewFunc(unix.AF_INET))
	socket.RegisterFamily(unix.AF_INET6, NewFunc(unix.AF_INET6))
	netlink.SetInterfaces(Interfaces)
	netlink.SetRoutes(Routes)
}

// Socket is an application's socket backed by a host socket.
type Socket struct {
	fd       int
	family   int
	stype    int
	protocol int

	// queue is notified by the host poller.
	queue waiter.Queue
	// flags holds the description's O_NONBLOCK.
	flags atomic.Int32
	// rcvTimeo and sndTimeo are SO_RCVTIMEO and SO_SNDTIMEO as the host
	// kernel rounded them (see timeout).
	rcvTimeo, sndTimeo atomic.Int64
	// controlOpts is set once an option that makes the host add control
	// messages to received data has been set.
	controlOpts atomic.Bool
	// uid and gid own the socket's inode: the creator's filesystem ids.
	uid, gid uint32
	ino      uint64
	released atomic.Bool
}

var _ socket.Socket = (*Socket)(nil)
var _ vfs.Ioctler = (*Socket)(nil)

// NewFunc returns the socket(2) constructor of family (AF_INET or
// AF_INET6).
func NewFunc(family int) socket.NewFunc {
	return func(t socket.Task, stype, protocol, flags int) (*vfs.File, error) {
		return create(t, family, stype, protocol, flags)
	}
}

// create checks socket(2)'s type and protocol as Linux's inet_create does
// and makes the host socket.
func create(t socket.Task, family, stype, protocol, flags int) (*vfs.File, error) {
	if protocol < 0 || protocol >= ipprotoMax {
		return nil, unix.EINVAL
	}
	switch stype {
	case unix.SOCK_STREAM:
		if protocol != 0 && protocol != unix.IPPROTO_TCP {
			return nil, unix.EPROTONOSUPPORT
		}
		protocol = unix.IPPROTO_TCP
	case unix.SOCK_DGRAM:
		if protocol != 0 && protocol != unix.IPPROTO_UDP {
			// Ping and UDP-Lite sockets are not offered.
			return nil, unix.EPROTONOSUPPORT
		}
		protocol = unix.IPPROTO_UDP
	case unix.SOCK_RAW:
		if c := t.Creds(); c == nil || !c.HasCap(unix.CAP_NET_RAW) {
			return nil, unix.EPERM
		}
		return nil, unix.ESOCKTNOSUPPORT
	default:
		return nil, unix.ESOCKTNOSUPPORT
	}
	fd, err := unix.Socket(family, stype|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, protocol)
	if err != nil {
		return nil, err
	}
	return wrap(t, fd, family, stype, protocol, flags)
}

// wrap makes a file description of host socket fd, which the Sentry owns
// from now on (it is closed on failure).
func wrap(t vfs.Context, fd, family, stype, protocol, flags int) (*vfs.File, error) {
	s := &Socket{fd: fd, family: family, stype: stype, protocol: protocol}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		unix.Close(fd)
		return nil, err
	}
	s.ino = st.Ino
	if t != nil {
		if c := t.Creds(); c != nil {
			s.uid, s.gid = c.FilesystemUID, c.FilesystemGID
		}
	}
	s.flags.Store(int32(flags & unix.O_NONBLOCK))
	if err := hostpoll.Add(fd, &s.queue); err != nil {
		unix.Close(fd)
		return nil, err
	}
	return vfs.NewFile(s, vfs.VirtualDentry{}, unix.O_RDWR|flags&unix.O_NONBLOCK), nil
}

// ipprotoMax is IPPROTO_MAX: socket(2) protocols at or above it are EINVAL.
const ipprotoMax = 263

// Family implements socket.Socket.
func (s *Socket) Family() int { return s.family }

// Type implements socket.Socket.
func (s *Socket) Type() int { return s.stype }

// Protocol implements socket.Socket.
func (s *Socket) Protocol() int { return s.protocol }

// LinkName implements socket.Socket: the host socket's inode number, which
// the host's /proc/net tables show too.
func (s *Socket) LinkName() string { return "socket:[" + strconv.FormatUint(s.ino, 10) + "]" }

// SetStatusFlags implements socket.Socket.
func (s *Socket) SetStatusFlags(flags int) { s.flags.Store(int32(flags & unix.O_NONBLOCK)) }

func (s *Socket) nonBlocking() bool { return s.flags.Load()&unix.O_NONBLOCK != 0 }

// HostFD is the host socket (diagnostics and tests).
func (s *Socket) HostFD() int { return s.fd }

// Stat implements vfs.FileImpl: the host's sockfs inode, owned by the
// socket's creator.
func (s *Socket) Stat(ctx vfs.Context) (vfs.Stat, error) {
	var st unix.Stat_t
	if err := unix.Fstat(s.fd, &st); err != nil {
		return vfs.Stat{}, err
	}
	v := vfs.StatFromHost(&st)
	v.UID, v.GID = s.uid, s.gid
	return v, nil
}

// Release implements vfs.FileImpl. The host closes the connection as Linux
// would (a reset when unread data is left, a lingering close with
// SO_LINGER).
func (s *Socket) Release() {
	if s.released.Swap(true) {
		return
	}
	hostpoll.Remove(s.fd)
	unix.Close(s.fd)
}

// Readiness implements waiter.Waitable.
func (s *Socket) Readiness(mask waiter.EventMask) waiter.EventMask {
	return hostpoll.Readiness(s.fd, mask)
}

// EventRegister implements waiter.Waitable.
func (s *Socket) EventRegister(e *waiter.Entry, mask waiter.EventMask) { s.queue.Register(e, mask) }

// EventUnregister implements waiter.Waitable.
func (s *Socket) EventUnregister(e *waiter.Entry) { s.queue.Unregister(e) }

// Timeouts as the socket keeps them: zero is none (wait forever), a
// negative value is "do not wait" (SO_RCVTIMEO with a negative tv_sec).
const noWait = socket.NoWait

// waitPolicy is socket.WaitPolicy, how one call may block.
type waitPolicy = socket.WaitPolicy

// policy returns how a call on s may wait, given MSG_DONTWAIT (or the
// like) in dontwait and the timeout that applies (rcvTimeo or sndTimeo).
func (s *Socket) policy(dontwait bool, timeout *atomic.Int64) waitPolicy {
	return socket.Policy(dontwait || s.nonBlocking(), timeout.Load())
}

// retry runs op until it returns something other than EAGAIN, waiting for
// events on the socket between tries as p allows (socket.Retry).
func (s *Socket) retry(t vfs.Task, events waiter.EventMask, p waitPolicy, timeoutErr error, op func() error) error {
	return socket.Retry(t, &s.queue, events, p, timeoutErr, op)
}

// hostErr turns a raw errno into an error, nil for success.
func hostErr(e syscall.Errno) error {
	if e == 0 {
		return nil
	}
	return e
}

// ptr is the address of b's first byte, 0 for an empty slice.
func ptr(b []byte) uintptr {
	if len(b) == 0 {
		return 0
	}
	return uintptr(unsafe.Pointer(&b[0]))
}
