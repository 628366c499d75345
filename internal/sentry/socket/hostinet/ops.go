package hostinet

import (
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/socket"
	"github.com/moat-sandbox/moat/internal/sentry/vfs"
	"github.com/moat-sandbox/moat/internal/sentry/waiter"
)

// addrCall runs bind or connect (nr) on the host with a rebuilt address.
func (s *Socket) addrCall(nr uintptr, a []byte) error {
	for {
		_, _, e := syscall.Syscall(nr, uintptr(s.fd), ptr(a), uintptr(len(a)))
		if e != unix.EINTR {
			return hostErr(e)
		}
	}
}

// Bind implements socket.Socket.
func (s *Socket) Bind(t socket.Task, addr []byte) error {
	a, err := s.hostAddr(addr)
	if err != nil {
		return err
	}
	if s.needsBindService(a) {
		if c := t.Creds(); c == nil || !c.HasCap(unix.CAP_NET_BIND_SERVICE) {
			return unix.EACCES
		}
	}
	return s.addrCall(unix.SYS_BIND, a)
}

// needsBindService reports whether binding a (rebuilt) takes
// CAP_NET_BIND_SERVICE: a well-formed address of the socket's family with
// a port below net.ipv4.ip_unprivileged_port_start. Malformed ones go to
// the host, which rejects them.
func (s *Socket) needsBindService(a []byte) bool {
	family := int(a[0]) | int(a[1])<<8
	switch {
	case s.family == unix.AF_INET && (family == unix.AF_INET || family == unix.AF_UNSPEC):
		if len(a) < sizeofSockaddrInet4 {
			return false
		}
	case s.family == unix.AF_INET6 && family == unix.AF_INET6:
		if len(a) < 24 { // SIN6_LEN_RFC2133
			return false
		}
	default:
		return false
	}
	p := addrPort(a)
	return p != 0 && p < unprivilegedPortStart
}

// Listen implements socket.Socket; the host clamps the backlog.
func (s *Socket) Listen(t socket.Task, backlog int) error {
	_, _, e := syscall.Syscall(unix.SYS_LISTEN, uintptr(s.fd), uintptr(backlog), 0)
	return hostErr(e)
}

// Accept implements socket.Socket: the host's accept4, waiting for a
// connection unless non-blocking (SO_RCVTIMEO bounds the wait, as on
// Linux).
func (s *Socket) Accept(t socket.Task, flags int, peer bool) (*vfs.File, []byte, error) {
	var (
		buf [socket.MaxAddrLen]byte
		l   uint32
		nfd int
	)
	err := s.retry(t, waiter.EventIn, s.policy(false, &s.rcvTimeo), unix.EAGAIN, func() error {
		for {
			l = uint32(len(buf))
			r, _, e := syscall.Syscall6(unix.SYS_ACCEPT4, uintptr(s.fd), uintptr(unsafe.Pointer(&buf[0])),
				uintptr(unsafe.Pointer(&l)), unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0, 0)
			if e == unix.EINTR {
				continue
			}
			nfd = int(r)
			return hostErr(e)
		}
	})
	if err != nil {
		return nil, nil, err
	}
	var status int
	if flags&unix.SOCK_NONBLOCK != 0 {
		status = unix.O_NONBLOCK
	}
	f, err := wrap(t, nfd, s.family, s.stype, s.protocol, status)
	if err != nil {
		return nil, nil, err
	}
	// The new socket inherits the listener's options, as on Linux: the
	// host copied its own; the Sentry copies what it keeps.
	ns := f.Impl().(*Socket)
	ns.rcvTimeo.Store(s.rcvTimeo.Load())
	ns.sndTimeo.Store(s.sndTimeo.Load())
	ns.controlOpts.Store(s.controlOpts.Load())
	var from []byte
	if peer {
		from = appAddr(buf[:min(int(l), len(buf))])
	}
	return f, from, nil
}

// Connect implements socket.Socket. The host socket never blocks: a
// blocking connect of a stream waits for the handshake on the socket's
// queue and asks the host again, which reports the outcome (0, or the
// error that ended the attempt) and moves the socket on as Linux's own
// second connect does. SO_SNDTIMEO bounds the wait (EINPROGRESS after
// it, or EALREADY if the attempt was going already); an interrupted wait
// leaves the attempt going, and a restarted connect waits for it again.
func (s *Socket) Connect(t socket.Task, addr []byte) error {
	a, err := s.hostAddr(addr)
	if err != nil {
		return err
	}
	err = s.addrCall(unix.SYS_CONNECT, a)
	if s.stype != unix.SOCK_STREAM || (err != unix.EINPROGRESS && err != unix.EALREADY) {
		return err
	}
	p := s.policy(false, &s.sndTimeo)
	if p.Nonblock {
		return err
	}
	// A wait that times out reports what the first call said: EINPROGRESS
	// for a new attempt, EALREADY for one already going.
	first := err
	e := waiter.NewEntry()
	s.queue.Register(e, waiter.EventOut|waiter.EventErr|waiter.EventHup)
	defer s.queue.Unregister(e)
	for {
		err = s.addrCall(unix.SYS_CONNECT, a)
		if err != unix.EALREADY && err != unix.EINPROGRESS {
			return err
		}
		if berr := t.Block(e.C(), p.Deadline); berr != nil {
			return p.WaitError(berr, first)
		}
	}
}

// Shutdown implements socket.Socket.
func (s *Socket) Shutdown(t socket.Task, how int) error {
	if err := unix.Shutdown(s.fd, how); err != nil {
		return err
	}
	// The host reports the change too; waiters recheck either way.
	s.queue.Notify(waiter.AllEvents)
	return nil
}

// GetSockName implements socket.Socket.
func (s *Socket) GetSockName(t socket.Task) ([]byte, error) {
	return sockname(unix.SYS_GETSOCKNAME, s.fd)
}

// GetPeerName implements socket.Socket.
func (s *Socket) GetPeerName(t socket.Task) ([]byte, error) {
	return sockname(unix.SYS_GETPEERNAME, s.fd)
}
