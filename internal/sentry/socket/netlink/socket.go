// Package netlink is the sandbox's AF_NETLINK: NETLINK_ROUTE sockets
// (SOCK_RAW or SOCK_DGRAM) whose kernel side is the Sentry. It answers the
// requests programs use to find their interfaces and addresses:
// RTM_GETLINK (dump, or one interface by index or name), RTM_GETADDR and
// RTM_GETROUTE dumps, from the sandbox's view of its network (Interfaces,
// Routes: the user-space stack's NICs unless a network mode installs
// another view). Every other request is refused as Linux refuses what it
// does not support (NLMSG_ERROR with EOPNOTSUPP, or EPERM for changes
// without CAP_NET_ADMIN); other netlink protocols are EPROTONOSUPPORT.
// No multicast notifications are ever sent: the interfaces do not change.
//
// The package also answers the netdevice(7) ioctls (SIOCGIFINDEX, ...)
// from the same view, for every socket family that wants them.
package netlink

import (
	"encoding/binary"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/socket"
	"github.com/moat-sandbox/moat/internal/sentry/vfs"
	"github.com/moat-sandbox/moat/internal/sentry/waiter"
)

func init() {
	socket.RegisterFamily(unix.AF_NETLINK, New)
}

// Linux's limits and defaults.
const (
	maxLinks    = 32 // MAX_LINKS: netlink protocols
	defaultBuf  = 212992
	minSndbuf   = 4608
	minRcvbuf   = 2304
	maxGroups   = 64 // groups NETLINK_ROUTE knows (RTNLGRP_MAX, rounded up)
	solNetlink  = 270
	sizeofNlPkt = 4 // struct nl_pktinfo
)

var (
	sockfsDev = vfs.NewAnonDev()
	nextIno   atomic.Uint64
)

// inoBase keeps the inode numbers of netlink sockets apart from other
// families'.
const inoBase = 1 << 21

func init() { nextIno.Store(inoBase) }

// The bound sockets by port id, and the rover autobind takes negative
// ids from once a process's id is taken (netlink_autobind).
var (
	portsMu sync.Mutex
	ports   = map[uint32]*Socket{}
	rover   = int32(-4096)
)

// Socket is a NETLINK_ROUTE socket.
type Socket struct {
	stype    int
	protocol int
	ino      uint64
	uid, gid uint32
	ctime    unix.Timespec
	nonblock atomic.Bool
	queue    waiter.Queue
	// capNetAdmin is the creator's CAP_NET_ADMIN, which Linux checks
	// against the socket's opener for requests that change things.
	capNetAdmin bool

	mu       sync.Mutex
	portID   uint32
	bound    bool
	groups   uint64
	dstPort  uint32
	dstGroup uint32
	// rq holds the datagrams to read, with the port id of their sender
	// (0: the kernel).
	rq       []datagram
	rqBytes  int
	sndbuf   int
	rcvbuf   int
	rcvTimeo time.Duration // 0: forever; negative: do not wait
	sndTimeo time.Duration
	nlFlags  map[int]bool // SOL_NETLINK boolean options
	passcred bool
	released bool
}

type datagram struct {
	data []byte
	from uint32
}

var _ socket.Socket = (*Socket)(nil)
var _ vfs.Ioctler = (*Socket)(nil)

// New implements socket(2) for AF_NETLINK (a socket.NewFunc).
func New(t socket.Task, stype, protocol, flags int) (*vfs.File, error) {
	if stype != unix.SOCK_RAW && stype != unix.SOCK_DGRAM {
		return nil, unix.ESOCKTNOSUPPORT
	}
	if protocol < 0 || protocol >= maxLinks || protocol != unix.NETLINK_ROUTE {
		return nil, unix.EPROTONOSUPPORT
	}
	s := &Socket{stype: stype, protocol: protocol, ino: nextIno.Add(1), sndbuf: defaultBuf, rcvbuf: defaultBuf}
	if c := t.Creds(); c != nil {
		s.uid, s.gid = c.FilesystemUID, c.FilesystemGID
		s.capNetAdmin = c.HasCap(capNetAdmin)
	}
	s.ctime, _ = unix.TimeToTimespec(time.Now())
	s.nonblock.Store(flags&unix.O_NONBLOCK != 0)
	return vfs.NewFile(s, vfs.VirtualDentry{}, unix.O_RDWR|flags&unix.O_NONBLOCK), nil
}

// Family implements socket.Socket.
func (s *Socket) Family() int { return unix.AF_NETLINK }

// Type implements socket.Socket.
func (s *Socket) Type() int { return s.stype }

// Protocol implements socket.Socket.
func (s *Socket) Protocol() int { return s.protocol }

// LinkName implements socket.Socket.
func (s *Socket) LinkName() string { return "socket:[" + strconv.FormatUint(s.ino, 10) + "]" }

// SetStatusFlags implements socket.Socket.
func (s *Socket) SetStatusFlags(flags int) { s.nonblock.Store(flags&unix.O_NONBLOCK != 0) }

// Stat implements vfs.FileImpl.
func (s *Socket) Stat(ctx vfs.Context) (vfs.Stat, error) {
	return vfs.Stat{
		Dev: sockfsDev, Ino: s.ino, Mode: unix.S_IFSOCK | 0o777, Nlink: 1, UID: s.uid, GID: s.gid,
		Blksize: 4096, Atime: s.ctime, Mtime: s.ctime, Ctime: s.ctime,
	}, nil
}

// Release implements vfs.FileImpl.
func (s *Socket) Release() {
	s.mu.Lock()
	if s.released {
		s.mu.Unlock()
		return
	}
	s.released = true
	bound, id := s.bound, s.portID
	s.rq, s.rqBytes = nil, 0
	s.mu.Unlock()
	if bound {
		portsMu.Lock()
		if ports[id] == s {
			delete(ports, id)
		}
		portsMu.Unlock()
	}
}

// Readiness implements waiter.Waitable: readable with a datagram queued,
// always writable.
func (s *Socket) Readiness(mask waiter.EventMask) waiter.EventMask {
	s.mu.Lock()
	m := waiter.WritableEvents | waiter.EventWrBand
	if len(s.rq) > 0 {
		m |= waiter.ReadableEvents
	}
	s.mu.Unlock()
	return m & (mask | waiter.AlwaysReported)
}

// EventRegister implements waiter.Waitable.
func (s *Socket) EventRegister(e *waiter.Entry, mask waiter.EventMask) { s.queue.Register(e, mask) }

// EventUnregister implements waiter.Waitable.
func (s *Socket) EventUnregister(e *waiter.Entry) { s.queue.Unregister(e) }

// sockaddrNL lays out a struct sockaddr_nl.
func sockaddrNL(pid, groups uint32) []byte {
	b := make([]byte, unix.SizeofSockaddrNetlink)
	binary.NativeEndian.PutUint16(b, unix.AF_NETLINK)
	binary.NativeEndian.PutUint32(b[4:], pid)
	binary.NativeEndian.PutUint32(b[8:], groups)
	return b
}

// parseSockaddrNL reads a struct sockaddr_nl: too short or of another
// family is EINVAL, as netlink_bind and netlink_sendmsg have it.
func parseSockaddrNL(b []byte) (pid, groups uint32, err error) {
	if len(b) < unix.SizeofSockaddrNetlink || binary.NativeEndian.Uint16(b) != unix.AF_NETLINK {
		return 0, 0, unix.EINVAL
	}
	return binary.NativeEndian.Uint32(b[4:]), binary.NativeEndian.Uint32(b[8:]), nil
}

// tgid is the caller's process id, autobind's first choice.
func tgid(t vfs.Context) uint32 {
	if g, ok := t.(interface{ TGID() int32 }); ok {
		return uint32(g.TGID())
	}
	return 0
}

// autobindLocked gives an unbound socket a port id: the process's id if
// free, else a negative one from the rover.
func (s *Socket) autobindLocked(t vfs.Context) {
	if s.bound {
		return
	}
	portsMu.Lock()
	defer portsMu.Unlock()
	id := tgid(t)
	if _, taken := ports[id]; id == 0 || taken {
		for {
			if rover > -4096 {
				rover = -4096
			}
			id = uint32(rover)
			rover--
			if _, taken := ports[id]; !taken {
				break
			}
		}
	}
	ports[id] = s
	s.portID, s.bound = id, true
}

// Bind implements socket.Socket.
func (s *Socket) Bind(t socket.Task, addr []byte) error {
	pid, groups, err := parseSockaddrNL(addr)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.bound {
		if pid != s.portID {
			return unix.EINVAL
		}
	} else if pid == 0 {
		s.autobindLocked(t)
	} else {
		portsMu.Lock()
		if _, taken := ports[pid]; taken {
			portsMu.Unlock()
			return unix.EADDRINUSE
		}
		ports[pid] = s
		portsMu.Unlock()
		s.portID, s.bound = pid, true
	}
	// Route groups are open to everyone for receiving; none is ever sent.
	s.groups = s.groups&^0xffffffff | uint64(groups)
	return nil
}

// Listen implements socket.Socket.
func (s *Socket) Listen(t socket.Task, backlog int) error { return unix.EOPNOTSUPP }

// Accept implements socket.Socket.
func (s *Socket) Accept(t socket.Task, flags int, peer bool) (*vfs.File, []byte, error) {
	return nil, nil, unix.EOPNOTSUPP
}

// Shutdown implements socket.Socket.
func (s *Socket) Shutdown(t socket.Task, how int) error { return unix.EOPNOTSUPP }

// Connect implements socket.Socket: it sets the default destination
// (AF_UNSPEC: the kernel again).
func (s *Socket) Connect(t socket.Task, addr []byte) error {
	if len(addr) >= 2 && binary.NativeEndian.Uint16(addr) == unix.AF_UNSPEC {
		s.mu.Lock()
		s.dstPort, s.dstGroup = 0, 0
		s.mu.Unlock()
		return nil
	}
	pid, groups, err := parseSockaddrNL(addr)
	if err != nil {
		return err
	}
	if (pid != 0 || groups != 0) && !s.capNetAdmin {
		// NETLINK_ROUTE lets only the privileged send to others.
		return unix.EPERM
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.autobindLocked(t)
	s.dstPort, s.dstGroup = pid, firstGroup(groups)
	return nil
}

// firstGroup is ffs(groups): the group a send goes to.
func firstGroup(groups uint32) uint32 {
	for i := uint32(0); i < 32; i++ {
		if groups&(1<<i) != 0 {
			return i + 1
		}
	}
	return 0
}

// GetSockName implements socket.Socket.
func (s *Socket) GetSockName(t socket.Task) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return sockaddrNL(s.portID, uint32(s.groups)), nil
}

// GetPeerName implements socket.Socket.
func (s *Socket) GetPeerName(t socket.Task) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var g uint32
	if s.dstGroup != 0 {
		g = 1 << (s.dstGroup - 1)
	}
	return sockaddrNL(s.dstPort, g), nil
}

// Read implements vfs.StreamFile.
func (s *Socket) Read(t vfs.Task, dst []byte) (int, error) {
	n, _, err := s.recv(t, dst, 0, false, 0)
	return n, err
}

// Write implements vfs.StreamFile.
func (s *Socket) Write(t vfs.Task, src []byte) (int, error) {
	return s.send(t, src, nil, 0)
}

// SendMsg implements socket.Socket.
func (s *Socket) SendMsg(t socket.Task, src, to, control []byte, flags int) (int, error) {
	if control != nil {
		if _, err := socket.ParseControl(control); err != nil {
			return 0, err
		}
	}
	return s.send(t, src, to, flags)
}

// RecvMsg implements socket.Socket.
func (s *Socket) RecvMsg(t socket.Task, dst []byte, flags int, wantFrom bool, controlLen int) (int, socket.RecvResult, error) {
	return s.recv(t, dst, flags, wantFrom, controlLen)
}

func (s *Socket) send(t vfs.Task, src, to []byte, flags int) (int, error) {
	if flags&unix.MSG_OOB != 0 {
		return 0, unix.EOPNOTSUPP
	}
	s.mu.Lock()
	dstPort, dstGroup := s.dstPort, s.dstGroup
	s.mu.Unlock()
	if to != nil {
		pid, groups, err := parseSockaddrNL(to)
		if err != nil {
			return 0, err
		}
		dstPort, dstGroup = pid, firstGroup(groups)
		if (dstPort != 0 || dstGroup != 0) && !s.capNetAdmin {
			return 0, unix.EPERM
		}
	}
	s.mu.Lock()
	s.autobindLocked(t)
	pid, sndbuf := s.portID, s.sndbuf
	s.mu.Unlock()
	if len(src) > sndbuf-32 {
		return 0, unix.EMSGSIZE
	}
	if dstPort != 0 {
		// Unicast to another socket of the sandbox.
		portsMu.Lock()
		peer := ports[dstPort]
		portsMu.Unlock()
		if peer == nil {
			return 0, unix.ECONNREFUSED
		}
		peer.enqueue([]datagram{{data: append([]byte(nil), src...), from: pid}})
		return len(src), nil
	}
	if dstGroup != 0 {
		// Nobody else listens to route groups in the sandbox.
		return len(src), nil
	}
	var out reply
	for _, m := range ParseMessages(src) {
		s.kernelReceive(m, pid, &out)
	}
	if len(out.dgrams) > 0 {
		ds := make([]datagram, len(out.dgrams))
		for i, d := range out.dgrams {
			ds[i] = datagram{data: d}
		}
		s.enqueue(ds)
	}
	return len(src), nil
}

// kernelReceive handles one request as netlink_rcv_skb does: only
// requests of the protocol's types are handled; the others and every
// success are acknowledged when NLM_F_ACK asks, every failure always.
func (s *Socket) kernelReceive(m Message, pid uint32, out *reply) {
	var err unix.Errno
	if m.Flags&unix.NLM_F_REQUEST != 0 && m.Type >= unix.NLMSG_MIN_TYPE {
		var dumped bool
		err, dumped = s.handleRoute(m, pid, out)
		if dumped {
			return
		}
	}
	if m.Flags&unix.NLM_F_ACK == 0 && err == 0 {
		return
	}
	out.dgrams = append(out.dgrams, s.ack(m, pid, err))
}

// ack builds NLMSG_ERROR for a request: error 0 acknowledges. A failure
// carries the whole request unless NETLINK_CAP_ACK is set; otherwise only
// its header follows, with NLM_F_CAPPED.
func (s *Socket) ack(m Message, pid uint32, err unix.Errno) []byte {
	s.mu.Lock()
	capped := s.nlFlags[unix.NETLINK_CAP_ACK]
	s.mu.Unlock()
	flags := uint16(0)
	payload := m.Data
	if err == 0 || capped {
		flags |= unix.NLM_F_CAPPED
		payload = nil
	}
	var b Builder
	b.Begin(nlmsgError, flags, m.Seq, pid)
	var e [4 + nlmsgHdrLen]byte
	binary.NativeEndian.PutUint32(e[0:], uint32(-int32(err)))
	binary.NativeEndian.PutUint32(e[4:], m.Len)
	binary.NativeEndian.PutUint16(e[8:], m.Type)
	binary.NativeEndian.PutUint16(e[10:], m.Flags)
	binary.NativeEndian.PutUint32(e[12:], m.Seq)
	binary.NativeEndian.PutUint32(e[16:], m.PID)
	b.Raw(append(e[:], payload...))
	b.End()
	return b.Bytes()
}

// strict reports NETLINK_GET_STRICT_CHK.
func (s *Socket) strict() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.nlFlags[unix.NETLINK_GET_STRICT_CHK]
}

func (s *Socket) enqueue(ds []datagram) {
	s.mu.Lock()
	if s.released {
		s.mu.Unlock()
		return
	}
	for _, d := range ds {
		s.rq = append(s.rq, d)
		s.rqBytes += len(d.data)
	}
	s.mu.Unlock()
	s.queue.Notify(waiter.ReadableEvents)
}

func (s *Socket) recv(t vfs.Task, dst []byte, flags int, wantFrom bool, controlLen int) (int, socket.RecvResult, error) {
	var r socket.RecvResult
	if flags&unix.MSG_OOB != 0 {
		return 0, r, unix.EOPNOTSUPP
	}
	if flags&unix.MSG_ERRQUEUE != 0 {
		return 0, r, unix.EAGAIN
	}
	s.mu.Lock()
	timeo := s.rcvTimeo
	s.mu.Unlock()
	nonblock := flags&unix.MSG_DONTWAIT != 0 || s.nonblock.Load() || timeo < 0
	var deadline time.Time
	if timeo > 0 {
		deadline = time.Now().Add(timeo)
	}
	var e *waiter.Entry
	for {
		s.mu.Lock()
		if len(s.rq) > 0 {
			d := s.rq[0]
			if flags&unix.MSG_PEEK == 0 {
				s.rq = s.rq[1:]
				s.rqBytes -= len(d.data)
			}
			pktinfo, passcred := s.nlFlags[unix.NETLINK_PKTINFO], s.passcred
			s.mu.Unlock()
			n := copy(dst, d.data)
			if len(d.data) > len(dst) {
				r.Flags |= unix.MSG_TRUNC
				if flags&unix.MSG_TRUNC != 0 {
					n = len(d.data)
				}
			}
			if wantFrom {
				r.From = sockaddrNL(d.from, 0)
			}
			if controlLen > 0 && (pktinfo || passcred) {
				w := socket.NewControlWriter(controlLen)
				if pktinfo {
					w.Put(solNetlink, unix.NETLINK_PKTINFO, make([]byte, sizeofNlPkt))
				}
				if passcred {
					// The kernel's credentials: pid 0, uid 0, gid 0.
					w.Put(unix.SOL_SOCKET, unix.SCM_CREDENTIALS, make([]byte, 12))
				}
				r.Control = w.Bytes()
				if w.Truncated {
					r.Flags |= unix.MSG_CTRUNC
				}
			}
			return n, r, nil
		}
		s.mu.Unlock()
		if nonblock {
			return 0, r, unix.EAGAIN
		}
		if e == nil {
			e = waiter.NewEntry()
			s.queue.Register(e, waiter.ReadableEvents)
			defer s.queue.Unregister(e)
			continue
		}
		if err := t.Block(e.C(), deadline); err != nil {
			switch {
			case err == unix.ETIMEDOUT:
				return 0, r, unix.EAGAIN
			case err == vfs.ErrInterrupted && !deadline.IsZero():
				return 0, r, unix.EINTR
			}
			return 0, r, err
		}
	}
}

// Ioctl implements vfs.Ioctler: the netdevice(7) requests, which Linux
// answers on sockets of every family.
func (s *Socket) Ioctl(t vfs.Task, req, arg uintptr) (uintptr, error) {
	if IsInterfaceIoctl(req) {
		return InterfaceIoctl(t, req, arg)
	}
	return 0, unix.ENOTTY
}
