// Package unix is the Sentry's Unix domain sockets (unix(7)), all in the
// Sentry: SOCK_STREAM, SOCK_DGRAM and SOCK_SEQPACKET, bound to filesystem
// paths (an S_IFSOCK node in the sandbox's VFS), to abstract names or not
// at all, with SCM_RIGHTS and SCM_CREDENTIALS.
//
// Model. A socket holds a receive queue of messages. A stream or
// seqpacket connection is two sockets, each the other's peer, each
// sending into the other's queue; a listener's queue holds the server
// ends of connections not yet accepted (connect makes them, so a client
// is connected, and may send, before the server accepts). A datagram
// socket sends into the queue of its peer or of the socket an address
// names. A message's bytes are charged to its sender until they are read
// (the sender's send buffer, SO_SNDBUF), which is what blocks a writer.
//
// Stream reads join messages except across a message that carried
// descriptors and, for a reader with SO_PASSCRED, across messages from
// different senders; datagram and seqpacket reads take one message.
//
// Locking: one lock, mu, guards every socket's state, queues and the
// address tables. Waiter queues are only notified under it (their own
// lock comes after). Descriptions (vfs.File) are never released with mu
// held: dropping the last reference to a socket runs Release, which takes
// mu; callers collect what to drop and drop it after unlocking.
package unix

import (
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	sys "golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/socket"
	"github.com/moat-sandbox/moat/internal/sentry/vfs"
	"github.com/moat-sandbox/moat/internal/sentry/waiter"
)

func init() {
	socket.RegisterFamily(sys.AF_UNIX, New)
	socket.RegisterPairFamily(sys.AF_UNIX, NewPair)
}

// mu guards the state of every socket (the fields marked so), the
// address tables and the in-flight descriptor counts.
var mu sync.Mutex

// Shutdown bits (sk_shutdown).
const (
	shutRD   = 1
	shutWR   = 2
	shutBoth = shutRD | shutWR
)

type state int

const (
	unconnected state = iota // TCP_CLOSE
	listening                // TCP_LISTEN
	connected                // TCP_ESTABLISHED
)

// ucred is a struct ucred: a sender's identity, or a peer's (SO_PEERCRED).
type ucred struct {
	pid      int32
	uid, gid uint32
}

// noCred is what SO_PEERCRED shows of an unconnected socket.
var noCred = ucred{0, ^uint32(0), ^uint32(0)}

// message is one unit of a receive queue: a datagram, a piece of a stream
// (one send, or part of a large one) or a pending connection.
type message struct {
	data   []byte // what is left unread
	sender *Socket
	charge int // bytes charged to sender's send buffer until it is read
	cred   ucred
	rights []*vfs.File // SCM_RIGHTS, references held
	// uid is whose in-flight descriptor count rights add to.
	uid uint32
	// conn is the server end of a connection waiting in a listener's
	// queue.
	conn *Socket
}

// Socket is an AF_UNIX socket: the file implementation of its
// description, and the endpoint a peer or a listener sees.
type Socket struct {
	stype int
	ino   uint64
	// nonblock follows the description's O_NONBLOCK.
	nonblock atomic.Bool
	// q is for the application's waiters (readiness); peerWait for
	// writers and connectors waiting for room in this socket's queue.
	q, peerWait waiter.Queue

	// Guarded by mu.
	uid, gid   uint32
	ctime      sys.Timespec
	state      state
	addr       *address // bound address, nil if none
	peer       *Socket
	rq         []*message
	shut       int
	err        sys.Errno // sk_err, 0 if none
	backlog    int       // listen(2)'s, or a datagram socket's queue limit
	passcred   bool
	sndbuf     int
	rcvbuf     int
	rcvtimeo   time.Duration // 0: wait forever
	sndtimeo   time.Duration
	wmem       int // bytes this socket's messages charge (SIOCOUTQ)
	peerCred   ucred
	dead       bool
	linger     sys.Linger
	boolOpts   map[int]int32 // stored options that only read back
	released   atomic.Bool
	accepted   bool
	connecting bool
}

var _ socket.Socket = (*Socket)(nil)

// Linux's defaults for net.core and net.unix.
const (
	defaultBuf   = 212992 // net.core.wmem_default, rmem_default
	bufMax       = 212992 // net.core.wmem_max, rmem_max (when not read from the host)
	minSndbuf    = 4608   // SOCK_MIN_SNDBUF
	minRcvbuf    = 2304   // SOCK_MIN_RCVBUF
	maxDgramQlen = 10     // net.unix.max_dgram_qlen
	// skbOverhead is what each queued message charges beyond its data,
	// standing for an sk_buff's truesize.
	skbOverhead = 576
	// maxFDs is SCM_MAX_FD: descriptors in one message.
	maxFDs = 253
)

var (
	sockfsDev = vfs.NewAnonDev()
	nextIno   atomic.Uint64
	// wmemMax and rmemMax bound SO_SNDBUF and SO_RCVBUF; they are the
	// host's when it says (read once at start-up).
	wmemMax = readSysctl("/proc/sys/net/core/wmem_max", bufMax)
	rmemMax = readSysctl("/proc/sys/net/core/rmem_max", bufMax)
)

func now() sys.Timespec {
	ts, _ := sys.TimeToTimespec(time.Now())
	return ts
}

// newSocket makes an unconnected socket owned by ctx.
func newSocket(ctx vfs.Context, stype int) *Socket {
	s := &Socket{stype: stype, ino: nextIno.Add(1), sndbuf: defaultBuf, rcvbuf: defaultBuf, peerCred: noCred}
	s.setOwner(ctx)
	if stype == sys.SOCK_DGRAM {
		s.backlog = maxDgramQlen
	}
	return s
}

func (s *Socket) setOwner(ctx vfs.Context) {
	if ctx != nil {
		if c := ctx.Creds(); c != nil {
			s.uid, s.gid = c.FilesystemUID, c.FilesystemGID
		}
	}
	s.ctime = now()
}

// checkType maps socket(2)'s type and protocol for AF_UNIX: SOCK_RAW is
// SOCK_DGRAM, as Linux has it.
func checkType(stype, protocol int) (int, error) {
	if protocol != 0 && protocol != sys.AF_UNIX {
		return 0, sys.EPROTONOSUPPORT
	}
	switch stype {
	case sys.SOCK_STREAM, sys.SOCK_DGRAM, sys.SOCK_SEQPACKET:
		return stype, nil
	case sys.SOCK_RAW:
		return sys.SOCK_DGRAM, nil
	}
	return 0, sys.ESOCKTNOSUPPORT
}

func (s *Socket) file(flags int) *vfs.File {
	s.nonblock.Store(flags&sys.O_NONBLOCK != 0)
	return vfs.NewFile(s, vfs.VirtualDentry{}, sys.O_RDWR|flags&sys.O_NONBLOCK)
}

// New implements socket(2) for AF_UNIX (a socket.NewFunc).
func New(t socket.Task, stype, protocol, flags int) (*vfs.File, error) {
	stype, err := checkType(stype, protocol)
	if err != nil {
		return nil, err
	}
	return newSocket(t, stype).file(flags), nil
}

// NewPair implements socketpair(2) for AF_UNIX (a socket.PairFunc): two
// sockets connected to each other, each with its creator as SO_PEERCRED.
func NewPair(t socket.Task, stype, protocol, flags int) (*vfs.File, *vfs.File, error) {
	stype, err := checkType(stype, protocol)
	if err != nil {
		return nil, nil, err
	}
	a, b := newSocket(t, stype), newSocket(t, stype)
	cred := credOf(t)
	a.peer, b.peer = b, a
	a.state, b.state = connected, connected
	a.peerCred, b.peerCred = cred, cred
	return a.file(flags), b.file(flags), nil
}

// credOf is the caller's identity as SO_PEERCRED records it: its process
// and effective IDs.
func credOf(t vfs.Context) ucred {
	c := ucred{}
	if g, ok := t.(interface{ TGID() int32 }); ok {
		c.pid = g.TGID()
	}
	if cr := t.Creds(); cr != nil {
		c.uid, c.gid = cr.EffectiveUID, cr.EffectiveGID
	}
	return c
}

// senderCred is a message's default SCM_CREDENTIALS: the sender's
// process and real IDs.
func senderCred(t vfs.Context) ucred {
	c := ucred{}
	if g, ok := t.(interface{ TGID() int32 }); ok {
		c.pid = g.TGID()
	}
	if cr := t.Creds(); cr != nil {
		c.uid, c.gid = cr.RealUID, cr.RealGID
	}
	return c
}

// Family implements socket.Socket.
func (s *Socket) Family() int { return sys.AF_UNIX }

// Type implements socket.Socket.
func (s *Socket) Type() int { return s.stype }

// Protocol implements socket.Socket: always 0, as Linux reports it.
func (s *Socket) Protocol() int { return 0 }

// LinkName implements socket.Socket: "socket:[INO]".
func (s *Socket) LinkName() string { return "socket:[" + strconv.FormatUint(s.ino, 10) + "]" }

// SetStatusFlags implements socket.Socket.
func (s *Socket) SetStatusFlags(flags int) { s.nonblock.Store(flags&sys.O_NONBLOCK != 0) }

// Stat implements vfs.FileImpl: the socket's own inode, as sockfs shows
// it (a bound socket's path is another inode).
func (s *Socket) Stat(ctx vfs.Context) (vfs.Stat, error) {
	mu.Lock()
	defer mu.Unlock()
	return vfs.Stat{
		Dev: sockfsDev, Ino: s.ino, Mode: sys.S_IFSOCK | 0o777, Nlink: 1, UID: s.uid, GID: s.gid,
		Blksize: 4096, Atime: s.ctime, Mtime: s.ctime, Ctime: s.ctime,
	}, nil
}

// Release implements vfs.FileImpl: the last description closed.
func (s *Socket) Release() {
	if s.released.Swap(true) {
		return
	}
	var drop []*vfs.File
	mu.Lock()
	s.releaseLocked(false, &drop)
	mu.Unlock()
	dropFiles(drop)
}

// releaseLocked closes s, as unix_release_sock does. embryo: s is the
// server end of a connection never accepted. Descriptors in s's queue go
// to drop.
func (s *Socket) releaseLocked(embryo bool, drop *[]*vfs.File) {
	if s.dead {
		return
	}
	s.dead = true
	unbindLocked(s)
	oldState := s.state
	s.state = unconnected
	s.shut = shutBoth
	if p := s.peer; p != nil {
		s.peer = nil
		if s.stype != sys.SOCK_DGRAM {
			p.shut = shutBoth
			if len(s.rq) > 0 || embryo {
				p.err = sys.ECONNRESET
			}
			p.q.Notify(waiter.AllEvents)
		} else {
			p.peerWait.Notify(waiter.AllEvents)
			p.q.Notify(waiter.WritableEvents | waiter.EventWrBand)
		}
	}
	rq := s.rq
	s.rq = nil
	for _, m := range rq {
		if oldState == listening && m.conn != nil {
			m.conn.releaseLocked(true, drop)
		}
		consumeLocked(m, drop)
	}
	s.peerWait.Notify(waiter.AllEvents)
	s.q.Notify(waiter.AllEvents)
}

// consumeLocked frees a message taken off a queue: its charge goes back
// to the sender and its descriptors to drop.
func consumeLocked(m *message, drop *[]*vfs.File) {
	if m.sender != nil && m.charge > 0 {
		m.sender.wmem -= m.charge
		m.charge = 0
		m.sender.q.Notify(waiter.WritableEvents | waiter.EventWrBand)
	}
	if len(m.rights) > 0 {
		uncountInflightLocked(m.uid, len(m.rights))
		*drop = append(*drop, m.rights...)
		m.rights = nil
	}
}

func dropFiles(fs []*vfs.File) {
	for _, f := range fs {
		f.DecRef()
	}
}

// writableLocked is unix_writable: a socket may write (and polls
// writable) while what it has in flight is at most a quarter of its send
// buffer.
func (s *Socket) writableLocked() bool {
	return s.state != listening && s.wmem*4 <= s.sndbuf
}

// Readiness implements waiter.Waitable, as unix_poll and unix_dgram_poll
// report.
func (s *Socket) Readiness(mask waiter.EventMask) waiter.EventMask {
	mu.Lock()
	defer mu.Unlock()
	var m waiter.EventMask
	if s.err != 0 {
		m |= waiter.EventErr
	}
	if s.shut == shutBoth {
		m |= waiter.EventHup
	}
	if s.shut&shutRD != 0 {
		m |= waiter.EventRdHup | waiter.ReadableEvents
	}
	if len(s.rq) > 0 {
		m |= waiter.ReadableEvents
	}
	const writable = waiter.WritableEvents | waiter.EventWrBand
	switch s.stype {
	case sys.SOCK_STREAM:
		if s.state == unconnected {
			m |= waiter.EventHup
		}
		if s.writableLocked() {
			m |= writable
		}
	default:
		if s.stype == sys.SOCK_SEQPACKET && s.state == unconnected {
			m |= waiter.EventHup
		}
		if s.writableLocked() {
			if o := s.peer; o == nil || o.peer == s || !o.recvqFullLocked() {
				m |= writable
			}
		}
	}
	return m & (mask | waiter.AlwaysReported)
}

// recvqFullLocked is unix_recvq_full: more messages than the backlog.
func (s *Socket) recvqFullLocked() bool { return len(s.rq) > s.backlog }

// EventRegister implements waiter.Waitable.
func (s *Socket) EventRegister(e *waiter.Entry, mask waiter.EventMask) { s.q.Register(e, mask) }

// EventUnregister implements waiter.Waitable.
func (s *Socket) EventUnregister(e *waiter.Entry) { s.q.Unregister(e) }

// wait blocks until cond holds, with mu held on entry and on return,
// waking on notifications of events on q. deadline zero waits forever.
// A timeout is EAGAIN; a signal is vfs.ErrInterrupted, or EINTR when a
// timeout was set (Linux does not restart those waits).
func wait(t vfs.Task, q *waiter.Queue, events waiter.EventMask, deadline time.Time, cond func() bool) error {
	if cond() {
		return nil
	}
	e := waiter.NewEntry()
	q.Register(e, events)
	defer q.Unregister(e)
	for !cond() {
		mu.Unlock()
		err := t.Block(e.C(), deadline)
		mu.Lock()
		switch {
		case err == nil:
		case err == sys.ETIMEDOUT:
			if cond() {
				return nil
			}
			return sys.EAGAIN
		case err == vfs.ErrInterrupted && !deadline.IsZero():
			return sys.EINTR
		default:
			return err
		}
	}
	return nil
}

func deadlineOf(d time.Duration) time.Time {
	if d <= 0 {
		return time.Time{}
	}
	return time.Now().Add(d)
}
