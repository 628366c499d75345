package hostinet

import (
	"encoding/binary"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/socket"
	"github.com/moat-sandbox/moat/internal/sentry/vfs"
	"github.com/moat-sandbox/moat/internal/sentry/waiter"
)

// Flags that go to the host as the application gave them. The host call
// always gets MSG_DONTWAIT (blocking is the Sentry's) and, on send,
// MSG_NOSIGNAL (SIGPIPE is raised by the Sentry, for the application).
const (
	sendFlagsPassed = unix.MSG_OOB | unix.MSG_DONTROUTE | unix.MSG_EOR | unix.MSG_CONFIRM | unix.MSG_MORE
	recvFlagsPassed = unix.MSG_OOB | unix.MSG_PEEK | unix.MSG_TRUNC
	// msgFlagsOut are the msg_flags recvmsg reports.
	msgFlagsOut = unix.MSG_TRUNC | unix.MSG_CTRUNC | unix.MSG_OOB | unix.MSG_EOR
)

// maxControl is the control buffer the host fills on receive: more than
// every control message this package passes on, all at once.
const maxControl = 4096

// Read implements vfs.StreamFile: recv(2) without flags.
func (s *Socket) Read(t vfs.Task, dst []byte) (int, error) {
	n, _, err := s.recv(t, dst, 0, false, 0)
	return n, err
}

// Write implements vfs.StreamFile: send(2) without flags (write, sendfile
// and splice into the socket come here).
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
	stream := s.stype == unix.SOCK_STREAM
	var addr []byte
	if to != nil && !stream {
		// TCP ignores the address of a sendto(2).
		a, err := s.hostAddr(to)
		if err != nil {
			return 0, err
		}
		addr = a
	}
	if flags&unix.MSG_FASTOPEN != 0 && stream {
		return 0, unix.EOPNOTSUPP
	}
	ctrl, err := s.sendControl(control)
	if err != nil {
		return 0, err
	}
	hflags := flags&sendFlagsPassed | unix.MSG_DONTWAIT | unix.MSG_NOSIGNAL
	p := s.policy(flags&unix.MSG_DONTWAIT != 0, &s.sndTimeo)
	done := 0
	for {
		var n int
		err := s.retry(t, waiter.EventOut, p, unix.EAGAIN, func() error {
			var err error
			n, err = s.sendOnce(src[done:], addr, ctrl, hflags)
			return err
		})
		if err != nil {
			if done > 0 {
				return done, nil
			}
			if err == unix.EPIPE && stream && flags&unix.MSG_NOSIGNAL == 0 {
				vfs.SendSIGPIPE(t)
			}
			return 0, err
		}
		done += n
		ctrl = nil // control messages go with the first bytes
		// A blocking stream send goes on until all is sent, as Linux's
		// does; a datagram or a non-blocking send is one host call.
		if !stream || p.Nonblock || done >= len(src) {
			return done, nil
		}
	}
}

// sendOnce is one host sendmsg.
func (s *Socket) sendOnce(src, addr, ctrl []byte, hflags int) (int, error) {
	iov := unix.Iovec{Len: uint64(len(src))}
	if len(src) > 0 {
		iov.Base = &src[0]
	}
	msg := unix.Msghdr{Iov: &iov, Iovlen: 1}
	if len(addr) > 0 {
		msg.Name = &addr[0]
		msg.Namelen = uint32(len(addr))
	}
	if len(ctrl) > 0 {
		msg.Control = &ctrl[0]
		msg.Controllen = uint64(len(ctrl))
	}
	for {
		r, _, e := syscall.Syscall(unix.SYS_SENDMSG, uintptr(s.fd), uintptr(unsafe.Pointer(&msg)), uintptr(hflags))
		if e == unix.EINTR {
			continue
		}
		if e != 0 {
			return 0, e
		}
		return int(r), nil
	}
}

func (s *Socket) recv(t vfs.Task, dst []byte, flags int, wantFrom bool, controlLen int) (int, socket.RecvResult, error) {
	var res socket.RecvResult
	if flags&unix.MSG_ERRQUEUE != 0 {
		// Nothing this package enables queues errors (IP_RECVERR is not
		// offered), so the error queue is always empty.
		return 0, res, unix.EAGAIN
	}
	stream := s.stype == unix.SOCK_STREAM
	peek := flags&unix.MSG_PEEK != 0
	waitAll := stream && flags&unix.MSG_WAITALL != 0 && flags&(unix.MSG_OOB|unix.MSG_TRUNC) == 0
	hflags := flags&recvFlagsPassed | unix.MSG_DONTWAIT
	p := s.policy(flags&unix.MSG_DONTWAIT != 0, &s.rcvTimeo)

	var name [socket.MaxAddrLen]byte
	// The host gets room for every message; the application's room is
	// applied when they are laid out again. A socket with no option that
	// makes control messages gets none.
	var ctrl []byte
	if s.controlOpts.Load() {
		ctrl = make([]byte, maxControl)
	}
	done := 0
	for {
		var r recvOut
		err := s.retry(t, waiter.EventIn, p, unix.EAGAIN, func() error {
			var err error
			r, err = s.recvOnce(dst[done:], hflags, name[:], wantFrom, ctrl)
			// A MSG_WAITALL peek that saw nothing new waits for more.
			if err == nil && peek && waitAll && r.n > 0 && r.n <= done {
				return unix.EAGAIN
			}
			return err
		})
		if err != nil {
			if done > 0 {
				return done, res, nil
			}
			return 0, res, err
		}
		if r.namelen > 0 {
			res.From = appAddr(name[:min(r.namelen, len(name))])
		}
		var trunc bool
		res.Control, trunc = recvControl(ctrl[:r.ctrllen], controlLen)
		res.Flags = r.flags & msgFlagsOut
		if trunc {
			res.Flags |= unix.MSG_CTRUNC
		}
		if peek && waitAll {
			// Each peek starts from the front of the queue again.
			done = r.n
			if done >= len(dst) {
				return done, res, nil
			}
			continue
		}
		done += r.n
		if !waitAll || r.n == 0 || done >= len(dst) {
			return done, res, nil
		}
	}
}

type recvOut struct {
	n, namelen, ctrllen, flags int
}

// recvOnce is one host recvmsg into dst, name and ctrl.
func (s *Socket) recvOnce(dst []byte, hflags int, name []byte, wantName bool, ctrl []byte) (recvOut, error) {
	iov := unix.Iovec{Len: uint64(len(dst))}
	if len(dst) > 0 {
		iov.Base = &dst[0]
	}
	for {
		msg := unix.Msghdr{Iov: &iov, Iovlen: 1}
		if wantName {
			msg.Name = &name[0]
			msg.Namelen = uint32(len(name))
		}
		if len(ctrl) > 0 {
			msg.Control = &ctrl[0]
			msg.Controllen = uint64(len(ctrl))
		}
		r, _, e := syscall.Syscall(unix.SYS_RECVMSG, uintptr(s.fd), uintptr(unsafe.Pointer(&msg)), uintptr(hflags))
		if e == unix.EINTR {
			continue
		}
		if e != 0 {
			return recvOut{}, e
		}
		return recvOut{
			n:       int(r),
			namelen: int(msg.Namelen),
			ctrllen: min(int(msg.Controllen), len(ctrl)),
			flags:   int(msg.Flags),
		}, nil
	}
}

// sendControl checks the application's control messages and rebuilds
// the ones the host gets. Like Linux for an IP socket: SOL_SOCKET's
// SCM_RIGHTS and SCM_CREDENTIALS are ignored, any other SOL_SOCKET message
// is EINVAL (SO_MARK, timestamping and SCM_TXTIME are not offered); TCP
// looks at nothing else; UDP takes IP_TOS, IP_TTL and IP_PKTINFO (IPv4)
// or IPV6_PKTINFO, IPV6_HOPLIMIT, IPV6_TCLASS and IPV6_DONTFRAG (IPv6) at
// their exact sizes, refuses other messages of its IP level with EINVAL
// and ignores other levels. The host checks the values.
func (s *Socket) sendControl(control []byte) ([]byte, error) {
	msgs, err := socket.ParseControl(control)
	if err != nil || len(msgs) == 0 {
		return nil, err
	}
	w := socket.NewControlWriter(len(control))
	for _, m := range msgs {
		if m.Level == unix.SOL_SOCKET {
			if m.Type == unix.SCM_RIGHTS || m.Type == unix.SCM_CREDENTIALS {
				continue
			}
			return nil, unix.EINVAL
		}
		if s.stype == unix.SOCK_STREAM {
			continue
		}
		var ok bool
		switch {
		case s.family == unix.AF_INET && m.Level == unix.SOL_IP:
			switch m.Type {
			case unix.IP_TOS:
				ok = len(m.Data) == 4 || len(m.Data) == 1
			case unix.IP_TTL:
				ok = len(m.Data) == 4
			case unix.IP_PKTINFO:
				ok = len(m.Data) == unix.SizeofInet4Pktinfo
			}
		case s.family == unix.AF_INET6 && m.Level == unix.SOL_IPV6:
			switch m.Type {
			case unix.IPV6_PKTINFO:
				ok = len(m.Data) >= unix.SizeofInet6Pktinfo
				m.Data = m.Data[:min(len(m.Data), unix.SizeofInet6Pktinfo)]
			case unix.IPV6_HOPLIMIT, unix.IPV6_TCLASS, unix.IPV6_DONTFRAG:
				ok = len(m.Data) == 4
			}
		default:
			continue
		}
		if !ok {
			return nil, unix.EINVAL
		}
		w.Put(m.Level, m.Type, m.Data) // never longer than the original
	}
	return w.Bytes(), nil
}

// controlOpts are the options that make the host add control messages
// to what it receives.
var controlOpts = map[[2]int]bool{
	{unix.SOL_SOCKET, unix.SO_TIMESTAMP}:        true,
	{unix.SOL_SOCKET, unix.SO_TIMESTAMPNS}:      true,
	{unix.SOL_SOCKET, unix.SO_TIMESTAMP_NEW}:    true,
	{unix.SOL_SOCKET, unix.SO_TIMESTAMPNS_NEW}:  true,
	{unix.IPPROTO_IP, unix.IP_RECVTOS}:          true,
	{unix.IPPROTO_IP, unix.IP_RECVTTL}:          true,
	{unix.IPPROTO_IP, unix.IP_PKTINFO}:          true,
	{unix.IPPROTO_IPV6, unix.IPV6_RECVPKTINFO}:  true,
	{unix.IPPROTO_IPV6, unix.IPV6_RECVHOPLIMIT}: true,
	{unix.IPPROTO_IPV6, unix.IPV6_RECVTCLASS}:   true,
}

// recvSizes are the control messages passed on to the application, with
// their full data sizes: those that the options this package offers make
// the host send.
var recvSizes = map[[2]int]int{
	{unix.SOL_SOCKET, unix.SO_TIMESTAMP}:       16, // SCM_TIMESTAMP: struct timeval
	{unix.SOL_SOCKET, unix.SO_TIMESTAMPNS}:     16, // SCM_TIMESTAMPNS: struct timespec
	{unix.SOL_SOCKET, unix.SO_TIMESTAMP_NEW}:   16, // struct __kernel_sock_timeval
	{unix.SOL_SOCKET, unix.SO_TIMESTAMPNS_NEW}: 16,
	{unix.SOL_IP, unix.IP_TOS}:                 1,
	{unix.SOL_IP, unix.IP_TTL}:                 4,
	{unix.SOL_IP, unix.IP_PKTINFO}:             unix.SizeofInet4Pktinfo,
	{unix.SOL_IPV6, unix.IPV6_PKTINFO}:         unix.SizeofInet6Pktinfo,
	{unix.SOL_IPV6, unix.IPV6_HOPLIMIT}:        4,
	{unix.SOL_IPV6, unix.IPV6_TCLASS}:          4,
}

// recvControl keeps the known control messages of what the host gave
// (the whole of them: the host's buffer is larger than any set this
// package enables) and lays them out in the application's room as Linux
// would, truncating the last (MSG_CTRUNC) where it does not fit.
func recvControl(host []byte, controlLen int) ([]byte, bool) {
	w := socket.NewControlWriter(controlLen)
	for off := 0; off+socket.SizeofCmsghdr <= len(host); {
		l := int(binary.NativeEndian.Uint64(host[off:]))
		if l < socket.SizeofCmsghdr || l > len(host)-off {
			break
		}
		level := int(int32(binary.NativeEndian.Uint32(host[off+8:])))
		typ := int(int32(binary.NativeEndian.Uint32(host[off+12:])))
		if size, ok := recvSizes[[2]int{level, typ}]; ok {
			data := host[off+socket.SizeofCmsghdr : off+l]
			w.Put(level, typ, data[:min(len(data), size)])
		}
		off += socket.CmsgAlign(l)
	}
	return w.Bytes(), w.Truncated
}
