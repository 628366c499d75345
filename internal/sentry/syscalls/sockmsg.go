package syscalls

import (
	"time"

	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/kernel"
	"github.com/moat-sandbox/moat/internal/sentry/socket"
)

// Sockets: the calls that move data (sendto, recvfrom, sendmsg, recvmsg
// and their batched forms).

func init() {
	register(map[uintptr]Syscall{
		unix.SYS_SENDTO:   {Handler: Sendto, Args: []Arg{AFD, ABufIn, AUint, AHex, APtr, AInt}},
		unix.SYS_RECVFROM: {Handler: Recvfrom, Args: []Arg{AFD, ABufOut, AUint, AHex, APtr, APtr}},
		unix.SYS_SENDMSG:  {Handler: Sendmsg, Args: []Arg{AFD, APtr, AHex}},
		unix.SYS_RECVMSG:  {Handler: Recvmsg, Args: []Arg{AFD, APtr, AHex}},
		unix.SYS_SENDMMSG: {Handler: Sendmmsg, Args: []Arg{AFD, APtr, AUint, AHex}},
		unix.SYS_RECVMMSG: {Handler: Recvmmsg, Status: Partial, Note: "an error after some datagrams is not kept for the next call", Args: []Arg{AFD, APtr, AUint, AHex, APtr}},
	})
}

const (
	// sizeofMsghdr and sizeofMmsghdr are struct msghdr and struct
	// mmsghdr on x86-64.
	sizeofMsghdr  = 56
	sizeofMmsghdr = 64
	// uioMaxIOV is UIO_MAXIOV: the most iovecs, and mmsghdrs, per call.
	uioMaxIOV = 1024
	// optmemMax is net.core.optmem_max: the most control bytes sendmsg
	// takes (ENOBUFS beyond).
	optmemMax = 131072
	// sendChunk is how much of a stream send is copied in per step;
	// maxDatagram bounds a message-oriented send, and recvChunk the
	// buffer a receive goes through (a datagram longer is cut, as by a
	// shorter buffer).
	sendChunk   = ioChunk
	maxDatagram = 64 << 20
	recvChunk   = ioChunk
	recvMax     = 64 << 20
	// msgCmsgCompat is MSG_CMSG_COMPAT, which 64-bit callers may not
	// pass.
	msgCmsgCompat = 0x80000000
	// msgWaitForOne is MSG_WAITFORONE.
	msgWaitForOne = 0x10000
)

// msghdr is a struct msghdr as read from the application.
type msghdr struct {
	name       uintptr
	namelen    uint32
	iov        uintptr
	iovlen     uint64
	control    uintptr
	controllen uint64
	flags      int32
}

func copyInMsghdr(t *kernel.Task, addr uintptr) (msghdr, error) {
	var b [sizeofMsghdr]byte
	if err := t.CopyIn(addr, b[:]); err != nil {
		return msghdr{}, err
	}
	return msghdr{
		name:       uintptr(le.Uint64(b[0:])),
		namelen:    le.Uint32(b[8:]),
		iov:        uintptr(le.Uint64(b[16:])),
		iovlen:     le.Uint64(b[24:]),
		control:    uintptr(le.Uint64(b[32:])),
		controllen: le.Uint64(b[40:]),
		flags:      int32(le.Uint32(b[48:])),
	}, nil
}

// sendData copies the data of a send in and sends it: a stream in steps
// of sendChunk (control goes with the first), anything else at once.
func sendData(t *kernel.Task, s socket.Socket, iovs []iovec, total uintptr, to, control []byte, flags int) (int, error) {
	st := sockTask{t}
	if s.Type() != unix.SOCK_STREAM {
		if total > maxDatagram {
			return 0, unix.EMSGSIZE
		}
		buf := make([]byte, total)
		if err := copyInIovs(t, iovs, 0, buf); err != nil {
			return 0, err
		}
		return s.SendMsg(st, buf, to, control, flags)
	}
	if total == 0 {
		return s.SendMsg(st, nil, to, control, flags)
	}
	buf := make([]byte, min(total, sendChunk))
	var done uintptr
	for done < total {
		chunk := buf[:min(total-done, sendChunk)]
		if err := copyInIovs(t, iovs, done, chunk); err != nil {
			if done > 0 {
				break
			}
			return 0, err
		}
		n, err := s.SendMsg(st, chunk, to, control, flags)
		control = nil
		done += uintptr(n)
		if err != nil || n < len(chunk) {
			if done > 0 {
				break
			}
			return 0, err
		}
	}
	return int(done), nil
}

// copyInIovs fills dst from the iovecs' bytes starting at offset off.
func copyInIovs(t *kernel.Task, iovs []iovec, off uintptr, dst []byte) error {
	for _, v := range iovs {
		if len(dst) == 0 {
			return nil
		}
		if off >= v.len {
			off -= v.len
			continue
		}
		k := min(v.len-off, uintptr(len(dst)))
		if err := t.CopyIn(v.base+off, dst[:k]); err != nil {
			return err
		}
		dst = dst[k:]
		off = 0
	}
	return nil
}

// copyOutIovs writes src over the iovecs.
func copyOutIovs(t *kernel.Task, iovs []iovec, src []byte) error {
	for _, v := range iovs {
		if len(src) == 0 {
			return nil
		}
		k := min(uintptr(len(src)), v.len)
		if err := t.CopyOut(v.base, src[:k]); err != nil {
			return err
		}
		src = src[k:]
	}
	return nil
}

// recvBuffer sizes the Sentry buffer of a receive of total bytes.
func recvBuffer(s socket.Socket, total uintptr, flags int) []byte {
	lim := uintptr(recvMax)
	if s.Type() == unix.SOCK_STREAM && flags&unix.MSG_WAITALL == 0 {
		lim = recvChunk
	}
	return make([]byte, min(total, lim))
}

// discards reports whether a receive drops the bytes it takes instead of
// copying them out: TCP with MSG_TRUNC (tcp_recvmsg), where the buffer may
// even be NULL.
func discards(s socket.Socket, flags int) bool {
	return flags&unix.MSG_TRUNC != 0 && s.Type() == unix.SOCK_STREAM &&
		(s.Family() == unix.AF_INET || s.Family() == unix.AF_INET6)
}

// Sendto implements sendto(2) and send(2).
func Sendto(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	f, s, err := getSocket(t, a[0])
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	var to []byte
	if a[4] != 0 {
		if to, err = copyInSockaddr(t, a[4], int32(a[5])); err != nil {
			return 0, err
		}
		if len(to) == 0 {
			to = nil
		}
	}
	iovs := []iovec{{a[1], min(a[2], maxRWCount)}}
	n, err := sendData(t, s, iovs, iovs[0].len, to, nil, int(int32(a[3])))
	if err != nil {
		return 0, err
	}
	return uintptr(n), nil
}

// Recvfrom implements recvfrom(2) and recv(2).
func Recvfrom(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	f, s, err := getSocket(t, a[0])
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	flags := int(int32(a[3]))
	buf := recvBuffer(s, min(a[2], maxRWCount), flags)
	wantFrom := a[4] != 0
	n, res, err := s.RecvMsg(sockTask{t}, buf, flags, wantFrom, 0)
	if err != nil {
		return 0, err
	}
	if k := min(n, len(buf)); k > 0 && !discards(s, flags) {
		if err := t.CopyOut(a[1], buf[:k]); err != nil {
			return 0, err
		}
	}
	if wantFrom {
		if err := copyOutSockaddr(t, res.From, a[4], a[5]); err != nil {
			return 0, err
		}
	}
	return uintptr(n), nil
}

// Sendmsg implements sendmsg(2).
func Sendmsg(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	f, s, err := getSocket(t, a[0])
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	n, err := sendmsg(t, s, a[1], int(int32(a[2])))
	return uintptr(n), err
}

func sendmsg(t *kernel.Task, s socket.Socket, addr uintptr, flags int) (int, error) {
	if flags&msgCmsgCompat != 0 {
		return 0, unix.EINVAL
	}
	m, err := copyInMsghdr(t, addr)
	if err != nil {
		return 0, err
	}
	var to []byte
	if m.name != 0 && m.namelen != 0 {
		if int32(m.namelen) < 0 {
			return 0, unix.EINVAL
		}
		if to, err = copyInSockaddr(t, m.name, int32(min(m.namelen, socket.MaxAddrLen))); err != nil {
			return 0, err
		}
	}
	if m.iovlen > uioMaxIOV {
		return 0, unix.EMSGSIZE
	}
	iovs, total, err := copyInIovecs(t, m.iov, uintptr(m.iovlen))
	if err != nil {
		return 0, err
	}
	var control []byte
	if m.controllen > 0 {
		if m.controllen > optmemMax {
			return 0, unix.ENOBUFS
		}
		control = make([]byte, m.controllen)
		if err := t.CopyIn(m.control, control); err != nil {
			return 0, err
		}
	}
	return sendData(t, s, iovs, total, to, control, flags)
}

// Recvmsg implements recvmsg(2).
func Recvmsg(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	f, s, err := getSocket(t, a[0])
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	n, err := recvmsg(t, s, a[1], int(int32(a[2])))
	return uintptr(n), err
}

// recvmsg receives into the msghdr at addr and updates its msg_namelen,
// msg_controllen and msg_flags.
func recvmsg(t *kernel.Task, s socket.Socket, addr uintptr, flags int) (int, error) {
	if flags&msgCmsgCompat != 0 {
		return 0, unix.EINVAL
	}
	m, err := copyInMsghdr(t, addr)
	if err != nil {
		return 0, err
	}
	if int32(m.namelen) < 0 {
		return 0, unix.EINVAL
	}
	if m.iovlen > uioMaxIOV {
		return 0, unix.EMSGSIZE
	}
	iovs, total, err := copyInIovecs(t, m.iov, uintptr(m.iovlen))
	if err != nil {
		return 0, err
	}
	controlLen := 0
	if m.control != 0 {
		controlLen = int(min(m.controllen, 1<<31-1))
	}
	buf := recvBuffer(s, total, flags)
	wantFrom := m.name != 0
	n, res, err := s.RecvMsg(sockTask{t}, buf, flags, wantFrom, controlLen)
	if err != nil {
		return 0, err
	}
	if !discards(s, flags) {
		if err := copyOutIovs(t, iovs, buf[:min(n, len(buf))]); err != nil {
			return 0, err
		}
	}
	if wantFrom {
		if err := copyOutSockaddr(t, res.From, m.name, addr+8); err != nil {
			return 0, err
		}
	}
	if len(res.Control) > 0 {
		t.CopyOut(m.control, res.Control) // as put_cmsg, a fault here is not the call's
	}
	outFlags := res.Flags | flags&unix.MSG_CMSG_CLOEXEC
	if err := copyOutInt32(t, addr+48, int32(outFlags)); err != nil {
		return 0, err
	}
	if err := copyOutUint64(t, addr+40, uint64(len(res.Control))); err != nil {
		return 0, err
	}
	return n, nil
}

// Sendmmsg implements sendmmsg(2): messages until one fails; the count
// sent, or the first one's error.
func Sendmmsg(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	f, s, err := getSocket(t, a[0])
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	vlen := min(uint32(a[2]), uioMaxIOV)
	flags := int(int32(a[3]))
	var sent uint32
	for sent < vlen {
		entry := a[1] + uintptr(sent)*sizeofMmsghdr
		n, err := sendmsg(t, s, entry, flags)
		if err == nil {
			err = copyOutInt32(t, entry+sizeofMsghdr, int32(n))
		}
		if err != nil {
			if sent > 0 {
				break
			}
			return 0, err
		}
		sent++
	}
	return uintptr(sent), nil
}

// Recvmmsg implements recvmmsg(2). As on Linux, the timeout is looked at
// only between messages, and what is left of it is written back.
func Recvmmsg(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	flags := int(int32(a[3]))
	if flags&msgCmsgCompat != 0 {
		return 0, unix.EINVAL
	}
	var end time.Time
	if a[4] != 0 {
		ts, err := copyInTimespec(t, a[4])
		if err != nil {
			return 0, err
		}
		end = time.Now().Add(time.Duration(ts.Sec)*time.Second + time.Duration(ts.Nsec))
	}
	f, s, err := getSocket(t, a[0])
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	if v, err := s.GetSockOpt(sockTask{t}, unix.SOL_SOCKET, unix.SO_ERROR, 4); err == nil && len(v) >= 4 {
		if e := int32(le.Uint32(v)); e != 0 {
			return 0, unix.Errno(e)
		}
	}
	vlen := min(uint32(a[2]), uioMaxIOV)
	var got uint32
	for got < vlen {
		entry := a[1] + uintptr(got)*sizeofMmsghdr
		n, err := recvmsg(t, s, entry, flags&^msgWaitForOne)
		if err == nil {
			err = copyOutInt32(t, entry+sizeofMsghdr, int32(n))
		}
		if err != nil {
			if got > 0 {
				break
			}
			return 0, err
		}
		got++
		if flags&msgWaitForOne != 0 {
			flags |= unix.MSG_DONTWAIT
		}
		if a[4] != 0 && !time.Now().Before(end) {
			break
		}
	}
	if a[4] != 0 && got > 0 {
		left := max(time.Until(end), 0)
		ts := unix.NsecToTimespec(left.Nanoseconds())
		if err := copyOutTimespec(t, a[4], ts); err != nil {
			return 0, err
		}
	}
	return uintptr(got), nil
}
