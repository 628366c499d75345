package unix

import (
	"time"

	sys "golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/socket"
	"github.com/moat-sandbox/moat/internal/sentry/vfs"
	"github.com/moat-sandbox/moat/internal/sentry/waiter"
)

// maxChunk bounds one message of a stream send, as Linux bounds an skb
// (SKB_MAX_HEAD(0) + UNIX_SKB_FRAGS_SZ).
const maxChunk = 32768 + 3776

// Write implements vfs.StreamFile: send(2) without flags.
func (s *Socket) Write(t vfs.Task, src []byte) (int, error) {
	return s.send(t, nil, src, nil, nil, 0)
}

// Read implements vfs.StreamFile: recv(2) without flags; descriptors
// passed with what it reads are closed. A read of nothing returns at
// once.
func (s *Socket) Read(t vfs.Task, dst []byte) (int, error) {
	if len(dst) == 0 {
		return 0, nil
	}
	n, r, _, err := s.recv(t, nil, dst, 0, false)
	dropFiles(r.rights)
	return n, err
}

// SendMsg implements socket.Socket.
func (s *Socket) SendMsg(t socket.Task, src, to, control []byte, flags int) (int, error) {
	return s.send(t, t, src, to, control, flags)
}

// RecvMsg implements socket.Socket.
func (s *Socket) RecvMsg(t socket.Task, dst []byte, flags int, wantFrom bool, controlLen int) (int, socket.RecvResult, error) {
	n, r, out, err := s.recv(t, t, dst, flags, wantFrom)
	if err != nil {
		dropFiles(r.rights)
		return 0, socket.RecvResult{}, err
	}
	ctl, cflags := r.control(t, controlLen, flags)
	res := socket.RecvResult{Control: ctl, Flags: out | cflags}
	if wantFrom {
		res.From = r.from
	}
	return n, res, nil
}

func (s *Socket) nonblocking(flags int) bool {
	return flags&sys.MSG_DONTWAIT != 0 || s.nonblock.Load()
}

// send is sendmsg; st is nil for write(2), which has no address or
// control messages.
func (s *Socket) send(t vfs.Task, st socket.Task, src, to, control []byte, flags int) (int, error) {
	var c scm
	if len(control) > 0 && st != nil {
		var err error
		if c, err = parseSCM(st, control); err != nil {
			return 0, err
		}
	}
	defer c.release()
	cred := senderCred(t)
	if c.cred != nil {
		cred = *c.cred
	}
	if s.stype == sys.SOCK_STREAM {
		n, err := s.sendStream(t, st, src, to, &c, cred, flags)
		if err == sys.EPIPE && n == 0 && flags&sys.MSG_NOSIGNAL == 0 {
			vfs.SendSIGPIPE(t)
		}
		if n > 0 {
			return n, nil
		}
		return 0, err
	}
	return s.sendDgram(t, st, src, to, &c, cred, flags)
}

// attachLocked moves c's descriptors to m, counting them in flight.
func attachLocked(t vfs.Task, st socket.Task, c *scm, m *message) error {
	if len(c.rights) == 0 {
		return nil
	}
	uid := uint32(0)
	if cr := t.Creds(); cr != nil {
		uid = cr.RealUID
	}
	if st != nil {
		if err := countInflightLocked(st, uid, len(c.rights)); err != nil {
			return err
		}
	} else {
		inflight[uid] += len(c.rights)
	}
	m.rights, m.uid = c.rights, uid
	c.rights = nil
	return nil
}

// waitSndbufLocked waits for room in s's send buffer, as
// sock_alloc_send_pskb does: a pending error or SHUT_WR first.
func (s *Socket) waitSndbufLocked(t vfs.Task, flags int, deadline time.Time) error {
	for {
		if s.err != 0 {
			err := s.err
			s.err = 0
			return err
		}
		if s.shut&shutWR != 0 {
			return sys.EPIPE
		}
		if s.wmem < s.sndbuf {
			return nil
		}
		if s.nonblocking(flags) {
			return sys.EAGAIN
		}
		if err := wait(t, &s.q, waiter.WritableEvents|waiter.EventWrBand|waiter.EventErr|waiter.EventHup, deadline, func() bool {
			return s.err != 0 || s.shut&shutWR != 0 || s.wmem < s.sndbuf
		}); err != nil {
			return err
		}
	}
}

func (s *Socket) sendStream(t vfs.Task, st socket.Task, src, to []byte, c *scm, cred ucred, flags int) (int, error) {
	if flags&sys.MSG_OOB != 0 {
		return 0, sys.EOPNOTSUPP
	}
	mu.Lock()
	defer mu.Unlock()
	if to != nil {
		if s.state == connected {
			return 0, sys.EISCONN
		}
		return 0, sys.EOPNOTSUPP
	}
	if s.peer == nil {
		return 0, sys.ENOTCONN
	}
	if s.shut&shutWR != 0 {
		return 0, sys.EPIPE
	}
	deadline := deadlineOf(s.sndtimeo)
	sent := 0
	for sent < len(src) {
		if err := s.waitSndbufLocked(t, flags, deadline); err != nil {
			return sent, err
		}
		other := s.peer
		if other == nil || other.dead || other.shut&shutRD != 0 {
			return sent, sys.EPIPE
		}
		size := min(len(src)-sent, max(s.sndbuf/2-64, 1), maxChunk)
		m := &message{data: append([]byte(nil), src[sent:sent+size]...), sender: s, cred: cred}
		if sent == 0 {
			if err := attachLocked(t, st, c, m); err != nil {
				return 0, err
			}
		}
		m.charge = size + skbOverhead
		s.wmem += m.charge
		other.rq = append(other.rq, m)
		other.q.Notify(waiter.ReadableEvents)
		sent += size
	}
	return sent, nil
}

func (s *Socket) sendDgram(t vfs.Task, st socket.Task, src, to []byte, c *scm, cred ucred, flags int) (int, error) {
	if flags&sys.MSG_OOB != 0 {
		return 0, sys.EOPNOTSUPP
	}
	var dest *parsedAddr
	mu.Lock()
	if s.stype == sys.SOCK_SEQPACKET {
		if s.state != connected {
			mu.Unlock()
			return 0, sys.ENOTCONN
		}
		to = nil
	}
	mu.Unlock()
	if to != nil {
		a, err := parseAddr(to)
		if err != nil {
			return 0, err
		}
		dest = &a
	}
	mu.Lock()
	if s.passcred && s.addr == nil {
		if err := s.autobindLocked(); err != nil {
			mu.Unlock()
			return 0, err
		}
	}
	if len(src) > s.sndbuf-32 {
		mu.Unlock()
		return 0, sys.EMSGSIZE
	}
	deadline := deadlineOf(s.sndtimeo)
	if err := s.waitSndbufLocked(t, flags, deadline); err != nil {
		mu.Unlock()
		return 0, err
	}
	other := s.peer
	mu.Unlock()
	if dest != nil {
		if st == nil {
			return 0, sys.EINVAL
		}
		o, err := lookup(st, *dest, s.stype)
		if err != nil {
			return 0, err
		}
		other = o
	} else if other == nil {
		return 0, sys.ENOTCONN
	}

	var drop []*vfs.File
	mu.Lock()
	defer func() {
		mu.Unlock()
		dropFiles(drop)
	}()
	for {
		if !maySend(s, other) {
			return 0, sys.EPERM
		}
		if other.dead {
			if s.stype == sys.SOCK_SEQPACKET {
				return 0, sys.EPIPE
			}
			if s.peer == other {
				s.peer = nil
				s.state = unconnected
				s.dgramDisconnectedLocked(other, &drop)
			}
			return 0, sys.ECONNREFUSED
		}
		if other.shut&shutRD != 0 {
			return 0, sys.EPIPE
		}
		if other.peer == s || !other.recvqFullLocked() {
			break
		}
		if s.nonblocking(flags) {
			return 0, sys.EAGAIN
		}
		if err := wait(t, &other.peerWait, waiter.AllEvents, deadline, func() bool {
			return other.dead || other.shut&shutRD != 0 || !other.recvqFullLocked() || !maySend(s, other)
		}); err != nil {
			return 0, err
		}
	}
	m := &message{data: append([]byte(nil), src...), sender: s, cred: cred}
	if err := attachLocked(t, st, c, m); err != nil {
		return 0, err
	}
	m.charge = len(src) + skbOverhead
	s.wmem += m.charge
	other.rq = append(other.rq, m)
	other.q.Notify(waiter.ReadableEvents)
	return len(src), nil
}

// recv is recvmsg without the control messages: it returns the call's
// result, what came with the data and msg_flags.
func (s *Socket) recv(t vfs.Task, st socket.Task, dst []byte, flags int, wantFrom bool) (int, received, int, error) {
	if flags&sys.MSG_OOB != 0 {
		return 0, received{}, 0, sys.EOPNOTSUPP
	}
	var drop []*vfs.File
	defer func() { dropFiles(drop) }()
	mu.Lock()
	defer mu.Unlock()
	if s.stype == sys.SOCK_STREAM {
		return s.recvStreamLocked(t, dst, flags, wantFrom, &drop)
	}
	return s.recvDgramLocked(t, dst, flags, wantFrom, &drop)
}

func (s *Socket) recvStreamLocked(t vfs.Task, dst []byte, flags int, wantFrom bool, drop *[]*vfs.File) (int, received, int, error) {
	var r received
	if s.state != connected {
		return 0, r, 0, sys.EINVAL
	}
	peek := flags&sys.MSG_PEEK != 0
	target := 1
	if flags&sys.MSG_WAITALL != 0 {
		target = max(len(dst), 1)
	} else if lw := s.rcvlowat(); lw > 1 {
		target = max(min(lw, len(dst)), 1)
	}
	deadline := deadlineOf(s.rcvtimeo)
	copied := 0
	var err error
	credSet := false
	var cred ucred
	pi := 0 // with MSG_PEEK, the next message to look at
	for {
		var m *message
		if peek {
			if pi < len(s.rq) {
				m = s.rq[pi]
			}
		} else if len(s.rq) > 0 {
			m = s.rq[0]
		}
		if m == nil {
			if copied >= target {
				break
			}
			if s.err != 0 {
				err, s.err = s.err, 0
				break
			}
			if s.shut&shutRD != 0 {
				break
			}
			if s.nonblocking(flags) {
				err = sys.EAGAIN
				break
			}
			if peek {
				// Look again from the start once more has come.
				copied, pi, credSet = 0, 0, false
				dropFiles(r.rights)
				r.rights = nil
			}
			n := len(s.rq)
			err = wait(t, &s.q, waiter.ReadableEvents|waiter.EventRdHup|waiter.EventHup|waiter.EventErr, deadline, func() bool {
				return len(s.rq) != n || s.err != 0 || s.shut&shutRD != 0
			})
			if err != nil {
				break
			}
			continue
		}
		if s.passcred {
			if credSet && m.cred != cred {
				break
			}
			cred, credSet = m.cred, true
		}
		if wantFrom && !r.hasFrom {
			r.from, r.hasFrom = fromAddr(m.sender), true
		}
		chunk := min(len(m.data), len(dst)-copied)
		copy(dst[copied:], m.data[:chunk])
		copied += chunk
		if !peek {
			m.data = m.data[chunk:]
			got := len(m.rights) > 0
			if got {
				uncountInflightLocked(m.uid, len(m.rights))
				r.rights = append(r.rights, m.rights...)
				m.rights = nil
			}
			if len(m.data) > 0 {
				break
			}
			s.rq = s.rq[1:]
			consumeLocked(m, drop)
			if got {
				break
			}
		} else {
			if len(m.rights) > 0 {
				for _, f := range m.rights {
					f.IncRef()
				}
				r.rights = append(r.rights, m.rights...)
				break
			}
			pi++
		}
		if copied >= len(dst) {
			break
		}
	}
	if copied == 0 && err != nil {
		return 0, r, 0, err
	}
	if s.passcred {
		r.cred = &cred // zero when nothing was read, as Linux reports it
	}
	return copied, r, 0, nil
}

func (s *Socket) recvDgramLocked(t vfs.Task, dst []byte, flags int, wantFrom bool, drop *[]*vfs.File) (int, received, int, error) {
	var r received
	seq := s.stype == sys.SOCK_SEQPACKET
	if seq && s.state != connected {
		return 0, r, 0, sys.ENOTCONN
	}
	deadline := deadlineOf(s.rcvtimeo)
	for len(s.rq) == 0 {
		if s.err != 0 {
			err := s.err
			s.err = 0
			return 0, r, 0, err
		}
		nonblock := s.nonblocking(flags)
		if s.shut&shutRD != 0 {
			if nonblock && !seq {
				return 0, r, 0, sys.EAGAIN
			}
			return 0, r, 0, nil
		}
		if nonblock {
			return 0, r, 0, sys.EAGAIN
		}
		if err := wait(t, &s.q, waiter.ReadableEvents|waiter.EventRdHup|waiter.EventHup|waiter.EventErr, deadline, func() bool {
			return len(s.rq) > 0 || s.err != 0 || s.shut&shutRD != 0
		}); err != nil {
			return 0, r, 0, err
		}
	}
	m := s.rq[0]
	n := copy(dst, m.data)
	out := 0
	if n < len(m.data) {
		out |= sys.MSG_TRUNC
	}
	ret := n
	if flags&sys.MSG_TRUNC != 0 {
		ret = len(m.data)
	}
	if wantFrom {
		r.from, r.hasFrom = fromAddr(m.sender), true
	}
	if s.passcred {
		c := m.cred
		r.cred = &c
	}
	if flags&sys.MSG_PEEK == 0 {
		s.rq = s.rq[1:]
		if len(m.rights) > 0 {
			uncountInflightLocked(m.uid, len(m.rights))
			r.rights = m.rights
			m.rights = nil
		}
		consumeLocked(m, drop)
		s.peerWait.Notify(waiter.AllEvents)
	} else {
		for _, f := range m.rights {
			f.IncRef()
		}
		r.rights = append(r.rights, m.rights...)
	}
	return ret, r, out, nil
}
