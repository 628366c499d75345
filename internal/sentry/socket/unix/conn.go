package unix

import (
	"encoding/binary"

	sys "golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/socket"
	"github.com/moat-sandbox/moat/internal/sentry/vfs"
	"github.com/moat-sandbox/moat/internal/sentry/waiter"
)

// Listen implements socket.Socket. The listener's SO_PEERCRED becomes
// the caller's, which connecting clients see as their peer's.
func (s *Socket) Listen(t socket.Task, backlog int) error {
	if s.stype == sys.SOCK_DGRAM {
		return sys.EOPNOTSUPP
	}
	mu.Lock()
	defer mu.Unlock()
	if s.addr == nil {
		return sys.EINVAL
	}
	if s.state != unconnected && s.state != listening {
		return sys.EINVAL
	}
	if backlog > s.backlog {
		s.peerWait.Notify(waiter.AllEvents)
	}
	s.backlog = backlog
	s.state = listening
	s.peerCred = credOf(t)
	return nil
}

// Accept implements socket.Socket: it waits (unless the listener is
// nonblocking; SO_RCVTIMEO bounds it) for a connection, and hands out
// its server end.
func (s *Socket) Accept(t socket.Task, flags int, peer bool) (*vfs.File, []byte, error) {
	if s.stype == sys.SOCK_DGRAM {
		return nil, nil, sys.EOPNOTSUPP
	}
	mu.Lock()
	if s.state != listening {
		mu.Unlock()
		return nil, nil, sys.EINVAL
	}
	var ns *Socket
	var err error
	for ns == nil {
		if len(s.rq) > 0 {
			m := s.rq[0]
			s.rq = s.rq[1:]
			ns = m.conn
			break
		}
		if s.err != 0 {
			err, s.err = s.err, 0
			break
		}
		if s.shut&shutRD != 0 || s.state != listening {
			err = sys.EINVAL
			break
		}
		if s.nonblock.Load() {
			err = sys.EAGAIN
			break
		}
		err = wait(t, &s.q, waiter.ReadableEvents|waiter.EventHup|waiter.EventErr, deadlineOf(s.rcvtimeo), func() bool {
			return len(s.rq) > 0 || s.err != 0 || s.shut&shutRD != 0 || s.state != listening
		})
		if err != nil {
			break
		}
	}
	if ns == nil {
		mu.Unlock()
		return nil, nil, err
	}
	s.peerWait.Notify(waiter.AllEvents) // room in the backlog
	ns.setOwner(t)
	ns.accepted = true
	ns.passcred = s.passcred // unix_sock_inherit_flags
	var addr []byte
	if peer {
		if ns.peer != nil {
			addr = ns.peer.addr.sockaddr()
		} else {
			addr = unnamed()
		}
	}
	mu.Unlock()
	return ns.file(flags & sys.O_NONBLOCK), addr, nil
}

// Connect implements socket.Socket.
func (s *Socket) Connect(t socket.Task, b []byte) error {
	if s.stype == sys.SOCK_DGRAM {
		return s.connectDgram(t, b)
	}
	a, err := parseAddr(b)
	if err != nil {
		return err
	}
	mu.Lock()
	if s.passcred && s.addr == nil {
		if err := s.autobindLocked(); err != nil {
			mu.Unlock()
			return err
		}
	}
	mu.Unlock()
	other, err := lookup(t, a, s.stype)
	if err != nil {
		return err
	}
	mu.Lock()
	defer mu.Unlock()
	for {
		switch s.state {
		case connected:
			return sys.EISCONN
		case listening:
			return sys.EINVAL
		}
		if s.dead {
			return sys.EINVAL
		}
		if other.dead || other.state != listening || other.shut&shutRD != 0 {
			return sys.ECONNREFUSED
		}
		if !other.recvqFullLocked() {
			break
		}
		if s.nonblock.Load() {
			return sys.EAGAIN
		}
		if err := wait(t, &other.peerWait, waiter.AllEvents, deadlineOf(s.sndtimeo), func() bool {
			return other.dead || other.state != listening || !other.recvqFullLocked() || s.state != unconnected
		}); err != nil {
			return err
		}
	}
	ns := newSocket(t, s.stype)
	ns.state = connected
	ns.peer = s
	ns.addr = other.addr
	ns.peerCred = credOf(t)
	s.peer = ns
	s.state = connected
	s.peerCred = other.peerCred
	other.rq = append(other.rq, &message{conn: ns})
	other.q.Notify(waiter.ReadableEvents)
	s.q.Notify(waiter.WritableEvents | waiter.EventWrBand)
	return nil
}

// connectDgram sets (or with AF_UNSPEC clears) a datagram socket's
// default destination, which then only takes datagrams from it.
func (s *Socket) connectDgram(t socket.Task, b []byte) error {
	if len(b) < 2 {
		return sys.EINVAL
	}
	var other *Socket
	if binary.LittleEndian.Uint16(b) != sys.AF_UNSPEC {
		a, err := parseAddr(b)
		if err != nil {
			return err
		}
		mu.Lock()
		if s.passcred && s.addr == nil {
			if err := s.autobindLocked(); err != nil {
				mu.Unlock()
				return err
			}
		}
		mu.Unlock()
		if other, err = lookup(t, a, s.stype); err != nil {
			return err
		}
	}
	var drop []*vfs.File
	mu.Lock()
	defer func() {
		mu.Unlock()
		dropFiles(drop)
	}()
	if other != nil {
		if other.dead {
			return sys.ECONNREFUSED
		}
		if !maySend(s, other) {
			return sys.EPERM
		}
	}
	old := s.peer
	s.peer = other
	if other != nil {
		s.state = connected
	} else {
		s.state = unconnected
	}
	if old != nil && old != other {
		s.dgramDisconnectedLocked(old, &drop)
	}
	s.q.Notify(waiter.WritableEvents | waiter.EventWrBand)
	return nil
}

// maySend is unix_may_send: other takes datagrams from anyone unless it
// is connected, and then only from its peer.
func maySend(s, other *Socket) bool { return other.peer == nil || other.peer == s }

// dgramDisconnectedLocked is what Linux does when a datagram socket
// leaves its peer old: its unread datagrams are dropped, and if that lost
// any, a peer connected back to it gets ECONNRESET.
func (s *Socket) dgramDisconnectedLocked(old *Socket, drop *[]*vfs.File) {
	if len(s.rq) == 0 {
		return
	}
	for _, m := range s.rq {
		consumeLocked(m, drop)
	}
	s.rq = nil
	s.peerWait.Notify(waiter.AllEvents)
	if !old.dead && old.peer == s {
		old.err = sys.ECONNRESET
		old.q.Notify(waiter.EventErr)
	}
}

// Shutdown implements socket.Socket. On a connection, the peer sees the
// other half: SHUT_WR here is end-of-file there.
func (s *Socket) Shutdown(t socket.Task, how int) error {
	if how < sys.SHUT_RD || how > sys.SHUT_RDWR {
		return sys.EINVAL
	}
	mode := how + 1 // SHUT_RD->shutRD, SHUT_WR->shutWR, SHUT_RDWR->both
	mu.Lock()
	defer mu.Unlock()
	s.shut |= mode
	s.q.Notify(waiter.AllEvents)
	s.peerWait.Notify(waiter.AllEvents)
	if o := s.peer; o != nil && s.stype != sys.SOCK_DGRAM {
		pm := 0
		if mode&shutRD != 0 {
			pm |= shutWR
		}
		if mode&shutWR != 0 {
			pm |= shutRD
		}
		o.shut |= pm
		o.q.Notify(waiter.AllEvents)
		o.peerWait.Notify(waiter.AllEvents)
	}
	return nil
}
