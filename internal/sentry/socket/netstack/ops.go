package netstack

import (
	"bytes"

	"golang.org/x/sys/unix"
	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/transport/tcp"
	gwaiter "gvisor.dev/gvisor/pkg/waiter"

	"github.com/moat-sandbox/moat/internal/sentry/socket"
	"github.com/moat-sandbox/moat/internal/sentry/vfs"
	"github.com/moat-sandbox/moat/internal/sentry/waiter"
)

// capNetBindService is CAP_NET_BIND_SERVICE.
const capNetBindService = 10

// unprivilegedPortStart is net.ipv4.ip_unprivileged_port_start.
const unprivilegedPortStart = 1024

// Bind implements socket.Socket.
func (s *Socket) Bind(t socket.Task, addr []byte) error {
	fa, _, err := parseAddr(s.family, s.stype, addr, forBind)
	if err != nil {
		return err
	}
	if fa.Port != 0 && fa.Port < unprivilegedPortStart {
		if c := t.Creds(); c == nil || !c.HasCap(capNetBindService) {
			return unix.EACCES
		}
	}
	switch terr := s.ep().Bind(fa); terr.(type) {
	case nil:
		if fa.Addr.Len() != 0 || fa.Port != 0 {
			s.mu.Lock()
			s.bound = &fa
			s.mu.Unlock()
		}
		return nil
	case *tcpip.ErrNoPortAvailable:
		return unix.EADDRINUSE
	default:
		return errno(terr)
	}
}

// Listen implements socket.Socket.
func (s *Socket) Listen(t socket.Task, backlog int) error {
	if s.stype != unix.SOCK_STREAM {
		return unix.EOPNOTSUPP
	}
	// Linux queues one connection more than the backlog (its fullness
	// test is "more than", the stack's "at least").
	return errno(s.ep().Listen(backlog + 1))
}

// Accept implements socket.Socket.
func (s *Socket) Accept(t socket.Task, flags int, peer bool) (*vfs.File, []byte, error) {
	if s.stype != unix.SOCK_STREAM {
		return nil, nil, unix.EOPNOTSUPP
	}
	var (
		pa  tcpip.FullAddress
		nep tcpip.Endpoint
		nwq *gwaiter.Queue
	)
	p := s.policy(false, &s.rcvTimeo)
	err := s.retry(t, waiter.ReadableEvents, p, unix.EAGAIN, func() error {
		var terr tcpip.Error
		nep, nwq, terr = s.ep().Accept(&pa)
		return errno(terr)
	})
	if err != nil {
		return nil, nil, err
	}
	f := newSocket(t, s.family, s.stype, s.protocol, nep, nwq, flags&unix.O_NONBLOCK)
	ns := f.Impl().(*Socket)
	// A connection inherits the listener's socket-level settings, as
	// Linux's sk_clone_lock copies them.
	ns.rcvTimeo.Store(s.rcvTimeo.Load())
	ns.sndTimeo.Store(s.sndTimeo.Load())
	s.mu.Lock()
	if len(s.opts) > 0 {
		ns.opts = make(map[uint64]int32, len(s.opts))
		for k, v := range s.opts {
			ns.opts[k] = v
		}
	}
	ns.bindToDevice = s.bindToDevice
	ns.ss = ssConnected
	s.mu.Unlock()
	var raw []byte
	if peer {
		raw = encodeAddr(s.family, pa)
	}
	return f, raw, nil
}

// Connect implements socket.Socket.
func (s *Socket) Connect(t socket.Task, addr []byte) error {
	if addrFamily(addr) == unix.AF_UNSPEC {
		// Dissolve the association (a datagram socket's peer).
		if s.stype == unix.SOCK_DGRAM {
			s.ep().Disconnect()
			return nil
		}
		return errno(s.ep().Disconnect())
	}
	fa, _, err := parseAddr(s.family, s.stype, addr, forConnect)
	if err != nil {
		return err
	}
	if s.stype != unix.SOCK_STREAM {
		return errno(s.ep().Connect(fa))
	}
	s.mu.Lock()
	state := s.ss
	s.mu.Unlock()
	ep := s.ep()
	switch tcp.EndpointState(ep.State()) {
	case tcp.StateListen:
		return unix.EISCONN
	case tcp.StateError, tcp.StateClose:
		switch state {
		case ssConnected:
			return unix.EISCONN
		case ssConnecting:
			// The outcome of an attempt nobody has asked about: its
			// error, or ECONNABORTED once SO_ERROR took it, as Linux
			// reports it before the socket may connect again.
			s.setState(ssUnconnected)
			terr := ep.Connect(fa)
			s.dropRepeat(terr)
			switch terr.(type) {
			case nil, *tcpip.ErrInvalidEndpointState, *tcpip.ErrConnectionAborted:
				return unix.ECONNABORTED
			}
			return errno(terr)
		}
		if err := s.renew(); err != nil {
			return err
		}
		ep = s.ep()
	}
	e := waiter.NewEntry()
	s.queue.Register(e, waiter.WritableEvents|waiter.EventErr|waiter.EventHup)
	defer s.queue.Unregister(e)
	terr := ep.Connect(fa)
	switch terr.(type) {
	case *tcpip.ErrConnectStarted, *tcpip.ErrAlreadyConnecting:
	case nil:
		s.setState(ssConnected)
		return nil
	default:
		s.dropRepeat(terr)
		if _, ok := terr.(*tcpip.ErrAlreadyConnected); !ok {
			s.setState(ssUnconnected)
		}
		return errno(terr)
	}
	// In progress: EINPROGRESS for the call that started it, EALREADY for
	// a later one, unless the caller may wait for the outcome.
	pending := errno(terr)
	s.setState(ssConnecting)
	p := s.policy(false, &s.sndTimeo)
	if p.Nonblock {
		return pending
	}
	for {
		if err := t.Block(e.C(), p.Deadline); err != nil {
			return p.WaitError(err, pending)
		}
		// Asking again reports the outcome once: success, or the error
		// that ended the attempt (ECONNREFUSED...).
		switch terr := ep.Connect(fa); terr.(type) {
		case *tcpip.ErrAlreadyConnecting:
			continue
		case nil, *tcpip.ErrAlreadyConnected:
			s.setState(ssConnected)
			return nil
		default:
			// Reported here, the error is no longer pending (SO_ERROR).
			s.dropRepeat(terr)
			s.setState(ssUnconnected)
			return errno(terr)
		}
	}
}

func (s *Socket) setState(st sockState) {
	s.mu.Lock()
	s.ss = st
	s.mu.Unlock()
}

// Shutdown implements socket.Socket.
func (s *Socket) Shutdown(t socket.Task, how int) error {
	var f tcpip.ShutdownFlags
	switch how {
	case unix.SHUT_RD:
		f = tcpip.ShutdownRead
	case unix.SHUT_WR:
		f = tcpip.ShutdownWrite
	case unix.SHUT_RDWR:
		f = tcpip.ShutdownRead | tcpip.ShutdownWrite
	default:
		return unix.EINVAL
	}
	return errno(s.ep().Shutdown(f))
}

// GetSockName implements socket.Socket.
func (s *Socket) GetSockName(t socket.Task) ([]byte, error) {
	fa, terr := s.ep().GetLocalAddress()
	if terr != nil {
		return nil, errno(terr)
	}
	return encodeAddr(s.family, fa), nil
}

// GetPeerName implements socket.Socket.
func (s *Socket) GetPeerName(t socket.Task) ([]byte, error) {
	fa, terr := s.ep().GetRemoteAddress()
	if terr != nil {
		return nil, errno(terr)
	}
	return encodeAddr(s.family, fa), nil
}

// Read implements vfs.StreamFile: recv(2) without flags.
func (s *Socket) Read(t vfs.Task, dst []byte) (int, error) {
	n, _, err := s.recv(t, dst, 0, false, 0)
	return n, err
}

// Write implements vfs.StreamFile: send(2) without flags.
func (s *Socket) Write(t vfs.Task, src []byte) (int, error) {
	return s.send(t, src, nil, nil, 0)
}

// SendMsg implements socket.Socket.
func (s *Socket) SendMsg(t socket.Task, src, to, control []byte, flags int) (int, error) {
	return s.send(t, src, to, control, flags)
}

// RecvMsg implements socket.Socket.
func (s *Socket) RecvMsg(t socket.Task, dst []byte, flags int, wantFrom bool, controlLen int) (int, socket.RecvResult, error) {
	return s.recv(t, dst, flags, wantFrom, controlLen)
}

func (s *Socket) send(t vfs.Task, src, to, control []byte, flags int) (int, error) {
	if flags&unix.MSG_OOB != 0 && (s.stype == unix.SOCK_STREAM || s.family == unix.AF_INET) {
		// The stack has no urgent data; Linux's UDP refuses the flag
		// over IPv4 and ignores it over IPv6.
		return 0, unix.EOPNOTSUPP
	}
	opts := tcpip.WriteOptions{More: flags&unix.MSG_MORE != 0, EndOfRecord: flags&unix.MSG_EOR != 0}
	p := s.policy(flags&unix.MSG_DONTWAIT != 0, &s.sndTimeo)
	if s.stype == unix.SOCK_DGRAM {
		if to != nil {
			fa, ok, err := parseAddr(s.family, s.stype, to, forSend)
			if err != nil {
				return 0, err
			}
			if ok {
				opts.To = &fa
			}
		}
		tos := -1
		if control != nil {
			cm, t, err := s.parseSendControl(control)
			if err != nil {
				return 0, err
			}
			opts.ControlMessages, tos = cm, t
		}
		var n int
		err := s.retry(t, waiter.WritableEvents, p, unix.EAGAIN, func() error {
			m, terr := s.writeDatagram(src, opts, tos)
			n = int(m)
			return errno(terr)
		})
		return n, err
	}
	n, err := s.sendStream(t, src, opts, p)
	if err == unix.EPIPE && flags&unix.MSG_NOSIGNAL == 0 {
		vfs.SendSIGPIPE(t)
	}
	return n, err
}

// sendStream queues src on a connection: all of it, as Linux's blocking
// send does, or what fits for a non-blocking one. A wait that ends early
// (a signal, SO_SNDTIMEO) returns what went, if anything did.
func (s *Socket) sendStream(t vfs.Task, src []byte, opts tcpip.WriteOptions, p waitPolicy) (int, error) {
	total := 0
	var e *waiter.Entry
	for {
		m, terr := s.ep().Write(bytes.NewReader(src[total:]), opts)
		total += int(m)
		if terr == nil && total == len(src) {
			return total, nil
		}
		if terr != nil {
			if _, ok := terr.(*tcpip.ErrWouldBlock); !ok {
				if total > 0 {
					return total, nil
				}
				return 0, errno(terr)
			}
		}
		// Out of room, or a partial write: wait for room.
		if p.Nonblock {
			if total > 0 {
				return total, nil
			}
			return 0, unix.EAGAIN
		}
		if e == nil {
			e = waiter.NewEntry()
			s.queue.Register(e, waiter.WritableEvents|waiter.EventErr|waiter.EventHup)
			defer s.queue.Unregister(e)
			// Registered: try again before sleeping, in case room came
			// in between.
			continue
		}
		if err := t.Block(e.C(), p.Deadline); err != nil {
			if total > 0 {
				return total, nil
			}
			return 0, p.WaitError(err, unix.EAGAIN)
		}
	}
}

func (s *Socket) recv(t vfs.Task, dst []byte, flags int, wantFrom bool, controlLen int) (int, socket.RecvResult, error) {
	var r socket.RecvResult
	if flags&unix.MSG_ERRQUEUE != 0 {
		// Nothing is ever queued there.
		return 0, r, unix.EAGAIN
	}
	if s.stype == unix.SOCK_DGRAM {
		return s.recvDatagram(t, dst, flags, wantFrom, controlLen)
	}
	if flags&unix.MSG_OOB != 0 {
		// No urgent data is ever pending.
		return 0, r, unix.EINVAL
	}
	if len(dst) == 0 {
		if s.listening() {
			return 0, r, unix.ENOTCONN
		}
		return 0, r, nil
	}
	peek := flags&unix.MSG_PEEK != 0
	waitAll := flags&unix.MSG_WAITALL != 0 && !peek
	buf := dst
	if flags&unix.MSG_TRUNC != 0 {
		// The bytes are consumed without being copied out.
		buf = make([]byte, len(dst))
	}
	p := s.policy(flags&unix.MSG_DONTWAIT != 0, &s.rcvTimeo)
	n := 0
	var e *waiter.Entry
	for {
		w := tcpip.SliceWriter(buf[n:])
		res, terr := s.ep().Read(&w, tcpip.ReadOptions{Peek: peek})
		switch terr.(type) {
		case nil:
			n += res.Count
			if !waitAll || n == len(buf) {
				return n, r, nil
			}
			continue
		case *tcpip.ErrClosedForReceive:
			return n, r, nil
		case *tcpip.ErrWouldBlock:
		default:
			if n > 0 {
				return n, r, nil
			}
			return 0, r, errno(terr)
		}
		if p.Nonblock {
			if n > 0 {
				return n, r, nil
			}
			return 0, r, unix.EAGAIN
		}
		if e == nil {
			e = waiter.NewEntry()
			s.queue.Register(e, waiter.ReadableEvents|waiter.EventErr|waiter.EventHup|waiter.EventRdHup)
			defer s.queue.Unregister(e)
			continue
		}
		if err := t.Block(e.C(), p.Deadline); err != nil {
			if n > 0 {
				return n, r, nil
			}
			return 0, r, p.WaitError(err, unix.EAGAIN)
		}
	}
}

// writeDatagram sends one datagram; tos (when not negative) is the type
// of service or traffic class an IP_TOS or IPV6_TCLASS control message
// gave it, which the stack takes only as the socket's own setting.
func (s *Socket) writeDatagram(src []byte, opts tcpip.WriteOptions, tos int) (int64, tcpip.Error) {
	ep := s.ep()
	if tos < 0 {
		return ep.Write(bytes.NewReader(src), opts)
	}
	opt := tcpip.IPv4TOSOption
	if s.family == unix.AF_INET6 {
		opt = tcpip.IPv6TrafficClassOption
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old, _ := ep.GetSockOptInt(opt)
	ep.SetSockOptInt(opt, tos)
	defer ep.SetSockOptInt(opt, old)
	return ep.Write(bytes.NewReader(src), opts)
}

func (s *Socket) recvDatagram(t vfs.Task, dst []byte, flags int, wantFrom bool, controlLen int) (int, socket.RecvResult, error) {
	var r socket.RecvResult
	var res tcpip.ReadResult
	p := s.policy(flags&unix.MSG_DONTWAIT != 0, &s.rcvTimeo)
	err := s.retry(t, waiter.ReadableEvents, p, unix.EAGAIN, func() error {
		w := tcpip.SliceWriter(dst)
		var terr tcpip.Error
		res, terr = s.ep().Read(&w, tcpip.ReadOptions{Peek: flags&unix.MSG_PEEK != 0, NeedRemoteAddr: wantFrom})
		switch terr.(type) {
		case *tcpip.ErrBadBuffer:
			// A datagram longer than an empty buffer: taken, nothing
			// copied.
			if res.Total > 0 {
				res.Count = 0
				return nil
			}
		case *tcpip.ErrClosedForReceive:
			res = tcpip.ReadResult{}
			return nil
		}
		return errno(terr)
	})
	if err != nil {
		return 0, r, err
	}
	n := res.Count
	if res.Total > len(dst) {
		r.Flags |= unix.MSG_TRUNC
		if flags&unix.MSG_TRUNC != 0 {
			n = res.Total
		}
	}
	if wantFrom && res.RemoteAddr.Addr.Len() > 0 {
		r.From = encodeAddr(s.family, res.RemoteAddr)
	}
	if controlLen > 0 {
		w := socket.NewControlWriter(controlLen)
		s.putControl(w, res.ControlMessages)
		r.Control = w.Bytes()
		if w.Truncated {
			r.Flags |= unix.MSG_CTRUNC
		}
	}
	return n, r, nil
}

// listening reports whether a stream socket listens.
func (s *Socket) listening() bool {
	return s.stype == unix.SOCK_STREAM && s.ep().SocketOptions().GetAcceptConn()
}
