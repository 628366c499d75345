package netstack

import (
	"bytes"
	"encoding/binary"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sys/unix"
	"gvisor.dev/gvisor/pkg/tcpip"

	"github.com/moat-sandbox/moat/internal/sentry/auth"
	"github.com/moat-sandbox/moat/internal/sentry/linux"
	"github.com/moat-sandbox/moat/internal/sentry/vfs"
	"github.com/moat-sandbox/moat/internal/sentry/waiter"
)

// task is a socket.Task for the tests: no memory, an interrupt channel,
// a count of SIGPIPEs.
type task struct {
	creds   *auth.Credentials
	intr    chan struct{}
	sigpipe atomic.Int32
}

func newTask() *task { return &task{creds: auth.New(0, 0, nil), intr: make(chan struct{}, 1)} }

func (t *task) Creds() *auth.Credentials               { return t.creds }
func (t *task) CopyIn(addr uintptr, dst []byte) error  { return unix.EFAULT }
func (t *task) CopyOut(addr uintptr, src []byte) error { return unix.EFAULT }
func (t *task) HostWait(int, int16, time.Time) (int16, error) {
	return 0, unix.ENOSYS
}
func (t *task) Block(ch <-chan struct{}, deadline time.Time) error {
	var tc <-chan time.Time
	if !deadline.IsZero() {
		tm := time.NewTimer(time.Until(deadline))
		defer tm.Stop()
		tc = tm.C
	}
	select {
	case <-ch:
		return nil
	case <-t.intr:
		return vfs.ErrInterrupted
	case <-tc:
		return unix.ETIMEDOUT
	}
}
func (t *task) TGID() int32                            { return 1 }
func (t *task) FDTable() *vfs.FDTable                  { return nil }
func (t *task) FDLimit() uint64                        { return 1024 }
func (t *task) MknodSocket(string) (vfs.Inode, error)  { return nil, unix.ENOSYS }
func (t *task) LookupSocket(string) (vfs.Inode, error) { return nil, unix.ENOSYS }
func (t *task) SendSignal(info *linux.SignalInfo) error {
	if info.Signo == int32(linux.SIGPIPE) {
		t.sigpipe.Add(1)
	}
	return nil
}

func init() { Register() }

func sock(t *testing.T, tk *task, family, stype, flags int) *Socket {
	t.Helper()
	f, err := create(tk, family, stype, 0, flags)
	if err != nil {
		t.Fatalf("socket(%d, %d): %v", family, stype, err)
	}
	t.Cleanup(f.DecRef)
	return f.Impl().(*Socket)
}

func in4(a [4]byte, port uint16) []byte {
	b := make([]byte, sizeofSockaddrIn)
	binary.LittleEndian.PutUint16(b, unix.AF_INET)
	binary.BigEndian.PutUint16(b[2:], port)
	copy(b[4:], a[:])
	return b
}

func in6(a [16]byte, port uint16) []byte {
	b := make([]byte, sizeofSockaddrIn6)
	binary.LittleEndian.PutUint16(b, unix.AF_INET6)
	binary.BigEndian.PutUint16(b[2:], port)
	copy(b[8:], a[:])
	return b
}

var localhost = [4]byte{127, 0, 0, 1}

func port(t *testing.T, tk *task, s *Socket) uint16 {
	t.Helper()
	a, err := s.GetSockName(tk)
	if err != nil {
		t.Fatal(err)
	}
	return binary.BigEndian.Uint16(a[2:])
}

// listener returns a socket listening on 127.0.0.1 (or ::1) and its port.
func listener(t *testing.T, tk *task, family int) (*Socket, uint16) {
	t.Helper()
	l := sock(t, tk, family, unix.SOCK_STREAM, 0)
	addr := in4(localhost, 0)
	if family == unix.AF_INET6 {
		addr = in6([16]byte{15: 1}, 0)
	}
	if err := l.Bind(tk, addr); err != nil {
		t.Fatal(err)
	}
	if err := l.Listen(tk, 8); err != nil {
		t.Fatal(err)
	}
	return l, port(t, tk, l)
}

func accept(t *testing.T, tk *task, l *Socket) (*Socket, []byte) {
	t.Helper()
	f, peer, err := l.Accept(tk, 0, true)
	if err != nil {
		t.Fatalf("accept: %v", err)
	}
	t.Cleanup(f.DecRef)
	return f.Impl().(*Socket), peer
}

func TestTCPEcho(t *testing.T) {
	tk := newTask()
	l, p := listener(t, tk, unix.AF_INET)
	c := sock(t, tk, unix.AF_INET, unix.SOCK_STREAM, 0)
	if err := c.Connect(tk, in4(localhost, p)); err != nil {
		t.Fatalf("connect: %v", err)
	}
	s, peer := accept(t, tk, l)
	if want, _ := c.GetSockName(tk); !bytes.Equal(peer, want) {
		t.Errorf("accept's peer %x, client's name %x", peer, want)
	}
	if n, err := c.Write(tk, []byte("ping")); n != 4 || err != nil {
		t.Fatalf("write: %d %v", n, err)
	}
	buf := make([]byte, 16)
	n, err := s.Read(tk, buf)
	if err != nil || string(buf[:n]) != "ping" {
		t.Fatalf("read: %q %v", buf[:n], err)
	}
	if _, err := s.SendMsg(tk, []byte("pong"), nil, nil, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SendMsg(tk, []byte("pong"), nil, nil, 0); err != nil {
		t.Fatal(err)
	}
	n, _, err = c.RecvMsg(tk, buf[:8], unix.MSG_WAITALL, false, 0)
	if err != nil || string(buf[:n]) != "pongpong" {
		t.Fatalf("MSG_WAITALL: %q %v", buf[:n], err)
	}
	if err := s.Shutdown(tk, unix.SHUT_WR); err != nil {
		t.Fatal(err)
	}
	if n, err := c.Read(tk, buf); n != 0 || err != nil {
		t.Errorf("read after the peer's SHUT_WR: %d %v, want end of file", n, err)
	}
	if m := c.Readiness(waiter.AllEvents); m&waiter.EventRdHup == 0 || m&waiter.EventIn == 0 {
		t.Errorf("readiness after the peer's shutdown: %#x", m)
	}
	if v, _ := l.GetSockOpt(tk, unix.SOL_SOCKET, unix.SO_ACCEPTCONN, 4); v[0] != 1 {
		t.Errorf("SO_ACCEPTCONN of a listener: %v", v)
	}
}

func TestTCPLargeTransfer(t *testing.T) {
	tk := newTask()
	l, p := listener(t, tk, unix.AF_INET6)
	c := sock(t, tk, unix.AF_INET6, unix.SOCK_STREAM, 0)
	if err := c.Connect(tk, in6([16]byte{15: 1}, p)); err != nil {
		t.Fatal(err)
	}
	s, _ := accept(t, tk, l)
	data := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB, beyond the buffers
	done := make(chan error, 1)
	go func() {
		n, err := c.Write(newTask(), data)
		if err == nil && n != len(data) {
			err = unix.EIO
		}
		done <- err
	}()
	got := make([]byte, len(data))
	n, _, err := s.RecvMsg(tk, got, unix.MSG_WAITALL, false, 0)
	if err != nil || n != len(data) || !bytes.Equal(got, data) {
		t.Fatalf("received %d bytes (%v), equal %v", n, err, bytes.Equal(got[:n], data[:n]))
	}
	if err := <-done; err != nil {
		t.Fatalf("blocking write: %v", err)
	}
}

func TestNonBlockingConnect(t *testing.T) {
	tk := newTask()
	l, p := listener(t, tk, unix.AF_INET)
	c := sock(t, tk, unix.AF_INET, unix.SOCK_STREAM, unix.O_NONBLOCK)
	err := c.Connect(tk, in4(localhost, p))
	if err != nil && err != unix.EINPROGRESS {
		t.Fatalf("non-blocking connect: %v", err)
	}
	waitFor(t, c, waiter.EventOut)
	if v, _ := c.GetSockOpt(tk, unix.SOL_SOCKET, unix.SO_ERROR, 4); binary.NativeEndian.Uint32(v) != 0 {
		t.Errorf("SO_ERROR %d after a successful connect", binary.NativeEndian.Uint32(v))
	}
	if err == unix.EINPROGRESS {
		// The first connect after completion reports success...
		if err := c.Connect(tk, in4(localhost, p)); err != nil {
			t.Errorf("connect after completion: %v", err)
		}
	}
	// ...and the next one EISCONN.
	if err := c.Connect(tk, in4(localhost, p)); err != unix.EISCONN {
		t.Errorf("connect when connected: %v, want EISCONN", err)
	}
	accept(t, tk, l)
}

// waitFor waits until s reports one of events.
func waitFor(t *testing.T, s *Socket, events waiter.EventMask) waiter.EventMask {
	t.Helper()
	e := waiter.NewEntry()
	s.EventRegister(e, events|waiter.EventErr|waiter.EventHup)
	defer s.EventUnregister(e)
	deadline := time.After(5 * time.Second)
	for {
		if m := s.Readiness(events); m != 0 {
			return m
		}
		select {
		case <-e.C():
		case <-deadline:
			t.Fatalf("no event %#x", events)
		}
	}
}

// closedPort is a port nothing listens on.
func closedPort(t *testing.T, tk *task) uint16 {
	s := sock(t, tk, unix.AF_INET, unix.SOCK_STREAM, 0)
	if err := s.Bind(tk, in4(localhost, 0)); err != nil {
		t.Fatal(err)
	}
	return port(t, tk, s) // bound, never listening
}

func TestConnectRefused(t *testing.T) {
	tk := newTask()
	p := closedPort(t, tk)
	c := sock(t, tk, unix.AF_INET, unix.SOCK_STREAM, 0)
	if err := c.Connect(tk, in4(localhost, p)); err != unix.ECONNREFUSED {
		t.Errorf("blocking connect to a closed port: %v, want ECONNREFUSED", err)
	}
	nb := sock(t, tk, unix.AF_INET, unix.SOCK_STREAM, unix.O_NONBLOCK)
	if err := nb.Connect(tk, in4(localhost, p)); err != unix.EINPROGRESS && err != unix.ECONNREFUSED {
		t.Fatalf("non-blocking connect: %v", err)
	} else if err == unix.EINPROGRESS {
		waitFor(t, nb, waiter.EventOut)
		v, _ := nb.GetSockOpt(tk, unix.SOL_SOCKET, unix.SO_ERROR, 4)
		if e := unix.Errno(binary.NativeEndian.Uint32(v)); e != unix.ECONNREFUSED {
			t.Errorf("SO_ERROR %v, want ECONNREFUSED", e)
		}
		v, _ = nb.GetSockOpt(tk, unix.SOL_SOCKET, unix.SO_ERROR, 4)
		if e := unix.Errno(binary.NativeEndian.Uint32(v)); e != 0 {
			t.Errorf("SO_ERROR read twice: %v, want 0", e)
		}
	}
}

func TestUnreachableAndNonLocal(t *testing.T) {
	tk := newTask()
	c := sock(t, tk, unix.AF_INET, unix.SOCK_STREAM, 0)
	if err := c.Connect(tk, in4([4]byte{8, 8, 8, 8}, 53)); err != unix.ENETUNREACH {
		t.Errorf("connect to 8.8.8.8: %v, want ENETUNREACH", err)
	}
	u := sock(t, tk, unix.AF_INET, unix.SOCK_DGRAM, 0)
	if _, err := u.SendMsg(tk, []byte("x"), in4([4]byte{8, 8, 8, 8}, 53), nil, 0); err != unix.ENETUNREACH {
		t.Errorf("sendto 8.8.8.8: %v, want ENETUNREACH", err)
	}
	b := sock(t, tk, unix.AF_INET, unix.SOCK_STREAM, 0)
	if err := b.Bind(tk, in4([4]byte{203, 0, 113, 5}, 0)); err != unix.EADDRNOTAVAIL {
		t.Errorf("bind to a non-local address: %v, want EADDRNOTAVAIL", err)
	}
	// The whole of 127.0.0.0/8 is local, as on Linux.
	if err := b.Bind(tk, in4([4]byte{127, 1, 2, 3}, 0)); err != nil {
		t.Errorf("bind 127.1.2.3: %v", err)
	}
	six := sock(t, tk, unix.AF_INET6, unix.SOCK_STREAM, 0)
	if err := six.Connect(tk, in6([16]byte{0: 0x20, 1: 0x01, 2: 0x0d, 3: 0xb8, 15: 1}, 80)); err != unix.ENETUNREACH {
		t.Errorf("connect to 2001:db8::1: %v, want ENETUNREACH", err)
	}
}

func TestBindSemantics(t *testing.T) {
	tk := newTask()
	l, p := listener(t, tk, unix.AF_INET)
	_ = l
	s := sock(t, tk, unix.AF_INET, unix.SOCK_STREAM, 0)
	if err := s.Bind(tk, in4(localhost, p)); err != unix.EADDRINUSE {
		t.Errorf("bind to a listening port: %v, want EADDRINUSE", err)
	}
	// SO_REUSEADDR on both, neither listening: allowed.
	a := sock(t, tk, unix.AF_INET, unix.SOCK_STREAM, 0)
	b := sock(t, tk, unix.AF_INET, unix.SOCK_STREAM, 0)
	one := []byte{1, 0, 0, 0}
	for _, x := range []*Socket{a, b} {
		if err := x.SetSockOpt(tk, unix.SOL_SOCKET, unix.SO_REUSEADDR, one); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.Bind(tk, in4(localhost, 0)); err != nil {
		t.Fatal(err)
	}
	if err := b.Bind(tk, in4(localhost, port(t, tk, a))); err != nil {
		t.Errorf("second SO_REUSEADDR bind: %v", err)
	}
	if err := a.Bind(tk, in4(localhost, 0)); err != unix.EINVAL {
		t.Errorf("binding twice: %v, want EINVAL", err)
	}
	if err := s.Bind(tk, in4(localhost, 80)); err != nil {
		t.Errorf("root binding port 80: %v", err)
	}
	user := &task{creds: auth.New(1000, 1000, nil), intr: make(chan struct{}, 1)}
	u := sock(t, tk, unix.AF_INET, unix.SOCK_STREAM, 0)
	if err := u.Bind(user, in4(localhost, 81)); err != unix.EACCES {
		t.Errorf("a user binding port 81: %v, want EACCES", err)
	}
	if err := u.Bind(tk, []byte{2, 0}); err != unix.EINVAL {
		t.Errorf("short address: %v, want EINVAL", err)
	}
	if err := u.Bind(tk, in6([16]byte{}, 0)[:16]); err != unix.EAFNOSUPPORT {
		t.Errorf("AF_INET6 address on AF_INET: %v, want EAFNOSUPPORT", err)
	}
}

func TestUDP(t *testing.T) {
	tk := newTask()
	a := sock(t, tk, unix.AF_INET, unix.SOCK_DGRAM, 0)
	b := sock(t, tk, unix.AF_INET, unix.SOCK_DGRAM, 0)
	if err := a.Bind(tk, in4(localhost, 0)); err != nil {
		t.Fatal(err)
	}
	if err := b.Bind(tk, in4(localhost, 0)); err != nil {
		t.Fatal(err)
	}
	if n, err := a.SendMsg(tk, []byte("hello datagram"), in4(localhost, port(t, tk, b)), nil, 0); n != 14 || err != nil {
		t.Fatalf("sendto: %d %v", n, err)
	}
	buf := make([]byte, 5)
	n, r, err := b.RecvMsg(tk, buf, unix.MSG_PEEK, true, 0)
	if err != nil || n != 5 || r.Flags&unix.MSG_TRUNC == 0 {
		t.Fatalf("peek into a short buffer: %d %+v %v", n, r, err)
	}
	want, _ := a.GetSockName(tk)
	if !bytes.Equal(r.From, want) {
		t.Errorf("source %x, want %x", r.From, want)
	}
	n, _, err = b.RecvMsg(tk, buf, unix.MSG_TRUNC, false, 0)
	if err != nil || n != 14 || string(buf) != "hello" {
		t.Errorf("MSG_TRUNC recv: %d %q %v, want the datagram's length", n, buf, err)
	}
	if _, _, err := b.RecvMsg(tk, buf, unix.MSG_DONTWAIT, false, 0); err != unix.EAGAIN {
		t.Errorf("empty queue: %v, want EAGAIN", err)
	}
	// A connected socket whose peer is gone learns of it (ICMP port
	// unreachable) on a later call.
	c := sock(t, tk, unix.AF_INET, unix.SOCK_DGRAM, 0)
	if err := c.Connect(tk, in4(localhost, closedPort(t, tk))); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Write(tk, []byte("x")); err != nil {
		t.Fatal(err)
	}
	time.Sleep(10 * time.Millisecond)
	if _, _, err := c.RecvMsg(tk, buf, unix.MSG_DONTWAIT, false, 0); err != unix.ECONNREFUSED {
		t.Logf("recv after ICMP port unreachable: %v (Linux: ECONNREFUSED)", err)
	}
}

func TestTimeoutsAndInterrupts(t *testing.T) {
	tk := newTask()
	u := sock(t, tk, unix.AF_INET, unix.SOCK_DGRAM, 0)
	tv := make([]byte, 16)
	binary.NativeEndian.PutUint64(tv[8:], 20000) // 20 ms
	if err := u.SetSockOpt(tk, unix.SOL_SOCKET, unix.SO_RCVTIMEO, tv); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if _, err := u.Read(tk, make([]byte, 4)); err != unix.EAGAIN {
		t.Errorf("read past SO_RCVTIMEO: %v, want EAGAIN", err)
	}
	if d := time.Since(start); d < 15*time.Millisecond {
		t.Errorf("returned after %v", d)
	}
	tk.intr <- struct{}{}
	if _, err := u.Read(tk, make([]byte, 4)); err != unix.EINTR {
		t.Errorf("interrupted read with a timeout: %v, want EINTR", err)
	}
	l, _ := listener(t, tk, unix.AF_INET)
	tk.intr <- struct{}{}
	if _, _, err := l.Accept(tk, 0, false); err != vfs.ErrInterrupted {
		t.Errorf("interrupted accept: %v, want ErrInterrupted", err)
	}
}

func TestEPIPE(t *testing.T) {
	tk := newTask()
	l, p := listener(t, tk, unix.AF_INET)
	c := sock(t, tk, unix.AF_INET, unix.SOCK_STREAM, 0)
	if err := c.Connect(tk, in4(localhost, p)); err != nil {
		t.Fatal(err)
	}
	f, _, err := l.Accept(tk, 0, false)
	if err != nil {
		t.Fatal(err)
	}
	f.DecRef() // the server closes at once: the client's writes meet a reset
	var werr error
	for i := 0; i < 50 && werr == nil; i++ {
		_, werr = c.Write(tk, []byte("data"))
		time.Sleep(time.Millisecond)
	}
	if werr != unix.EPIPE && werr != unix.ECONNRESET {
		t.Fatalf("write to a closed connection: %v", werr)
	}
	_, werr = c.Write(tk, []byte("data"))
	if werr != unix.EPIPE || tk.sigpipe.Load() == 0 {
		t.Errorf("write after the reset: %v, SIGPIPEs %d", werr, tk.sigpipe.Load())
	}
	before := tk.sigpipe.Load()
	if _, err := c.SendMsg(tk, []byte("x"), nil, nil, unix.MSG_NOSIGNAL); err != unix.EPIPE || tk.sigpipe.Load() != before {
		t.Errorf("MSG_NOSIGNAL: %v, SIGPIPE sent %v", err, tk.sigpipe.Load() != before)
	}
}

func intOpt(t *testing.T, tk *task, s *Socket, level, name int) int32 {
	t.Helper()
	v, err := s.GetSockOpt(tk, level, name, 4)
	if err != nil {
		t.Fatalf("getsockopt(%d, %d): %v", level, name, err)
	}
	return int32(binary.NativeEndian.Uint32(v))
}

func TestOptions(t *testing.T) {
	tk := newTask()
	s := sock(t, tk, unix.AF_INET6, unix.SOCK_STREAM, 0)
	for _, c := range []struct {
		level, name int
		want        int32
	}{
		{unix.SOL_SOCKET, unix.SO_TYPE, unix.SOCK_STREAM},
		{unix.SOL_SOCKET, unix.SO_DOMAIN, unix.AF_INET6},
		{unix.SOL_SOCKET, unix.SO_PROTOCOL, unix.IPPROTO_TCP},
		{unix.SOL_SOCKET, unix.SO_ACCEPTCONN, 0},
		{unix.SOL_SOCKET, unix.SO_SNDBUF, int32(tcpWmem[1])},
		{unix.SOL_SOCKET, unix.SO_RCVBUF, int32(tcpRmem[1])},
		{unix.IPPROTO_TCP, unix.TCP_NODELAY, 0},
		{unix.IPPROTO_TCP, unix.TCP_KEEPIDLE, 7200},
		{unix.IPPROTO_TCP, unix.TCP_KEEPINTVL, 75},
		{unix.IPPROTO_TCP, unix.TCP_KEEPCNT, 9},
		{unix.IPPROTO_IP, unix.IP_TTL, 64},
		{unix.IPPROTO_IPV6, unix.IPV6_V6ONLY, 0},
	} {
		if got := intOpt(t, tk, s, c.level, c.name); got != c.want {
			t.Errorf("getsockopt(%d, %d) = %d, want %d", c.level, c.name, got, c.want)
		}
	}
	set := func(level, name int, v int32) error {
		return s.SetSockOpt(tk, level, name, int32Bytes(v))
	}
	if err := set(unix.SOL_SOCKET, unix.SO_SNDBUF, 10000); err != nil || intOpt(t, tk, s, unix.SOL_SOCKET, unix.SO_SNDBUF) != 20000 {
		t.Errorf("SO_SNDBUF 10000 reads %d (%v), want doubled", intOpt(t, tk, s, unix.SOL_SOCKET, unix.SO_SNDBUF), err)
	}
	if set(unix.SOL_SOCKET, unix.SO_RCVBUF, 1); intOpt(t, tk, s, unix.SOL_SOCKET, unix.SO_RCVBUF) != minRcvbuf {
		t.Errorf("SO_RCVBUF 1 reads %d, want %d", intOpt(t, tk, s, unix.SOL_SOCKET, unix.SO_RCVBUF), minRcvbuf)
	}
	if set(unix.IPPROTO_TCP, unix.TCP_DEFER_ACCEPT, 5); intOpt(t, tk, s, unix.IPPROTO_TCP, unix.TCP_DEFER_ACCEPT) != 7 {
		t.Errorf("TCP_DEFER_ACCEPT 5 reads %d, want 7", intOpt(t, tk, s, unix.IPPROTO_TCP, unix.TCP_DEFER_ACCEPT))
	}
	if err := set(unix.IPPROTO_TCP, unix.TCP_KEEPIDLE, 0); err != unix.EINVAL {
		t.Errorf("TCP_KEEPIDLE 0: %v, want EINVAL", err)
	}
	if set(unix.IPPROTO_TCP, unix.TCP_NODELAY, 1); intOpt(t, tk, s, unix.IPPROTO_TCP, unix.TCP_NODELAY) != 1 {
		t.Error("TCP_NODELAY did not stick")
	}
	if set(unix.IPPROTO_IP, unix.IP_TOS, 0x2f); intOpt(t, tk, s, unix.IPPROTO_IP, unix.IP_TOS) != 0x2c {
		t.Errorf("IP_TOS 0x2f on TCP reads %#x, want the ECN bits cleared", intOpt(t, tk, s, unix.IPPROTO_IP, unix.IP_TOS))
	}
	linger := make([]byte, 8)
	binary.NativeEndian.PutUint32(linger, 1)
	binary.NativeEndian.PutUint32(linger[4:], 3)
	s.SetSockOpt(tk, unix.SOL_SOCKET, unix.SO_LINGER, linger)
	if v, _ := s.GetSockOpt(tk, unix.SOL_SOCKET, unix.SO_LINGER, 8); !bytes.Equal(v, linger) {
		t.Errorf("SO_LINGER reads %v", v)
	}
	if err := set(unix.SOL_SOCKET, 9999, 1); err != unix.ENOPROTOOPT {
		t.Errorf("unknown option: %v, want ENOPROTOOPT", err)
	}
	if info, err := s.GetSockOpt(tk, unix.IPPROTO_TCP, unix.TCP_INFO, 512); err != nil || info[0] != tcpClose {
		t.Errorf("TCP_INFO of a new socket: state %d, %v", info[0], err)
	}
	u := sock(t, tk, unix.AF_INET, unix.SOCK_DGRAM, 0)
	if _, err := u.GetSockOpt(tk, unix.IPPROTO_TCP, unix.TCP_NODELAY, 4); err != unix.ENOPROTOOPT {
		t.Errorf("TCP option on UDP: %v, want ENOPROTOOPT", err)
	}
	if got := intOpt(t, tk, u, unix.SOL_SOCKET, unix.SO_SNDBUF); got != int32(wmemDefault) {
		t.Errorf("UDP SO_SNDBUF %d, want %d", got, wmemDefault)
	}
}

func TestDeferAcceptRetrans(t *testing.T) {
	for _, c := range []struct{ secs, retrans, back int }{
		{0, 0, 0}, {1, 1, 1}, {2, 2, 3}, {5, 3, 7}, {30, 5, 31}, {-1, 0, 0},
	} {
		r := secsToRetrans(c.secs, 1, 120)
		if r != c.retrans || retransToSecs(r, 1, 120) != c.back {
			t.Errorf("%d s: %d retransmissions, %d s back; want %d, %d", c.secs, r, retransToSecs(r, 1, 120), c.retrans, c.back)
		}
	}
}

func TestErrnoMapping(t *testing.T) {
	for _, c := range []struct {
		err  tcpip.Error
		want error
	}{
		{nil, nil},
		{&tcpip.ErrWouldBlock{}, unix.EAGAIN},
		{&tcpip.ErrConnectionRefused{}, unix.ECONNREFUSED},
		{&tcpip.ErrConnectionReset{}, unix.ECONNRESET},
		{&tcpip.ErrPortInUse{}, unix.EADDRINUSE},
		{&tcpip.ErrBadLocalAddress{}, unix.EADDRNOTAVAIL},
		{&tcpip.ErrNetworkUnreachable{}, unix.ENETUNREACH},
		{&tcpip.ErrHostUnreachable{}, unix.EHOSTUNREACH},
		{&tcpip.ErrClosedForSend{}, unix.EPIPE},
		{&tcpip.ErrNotConnected{}, unix.ENOTCONN},
		{&tcpip.ErrConnectStarted{}, unix.EINPROGRESS},
		{&tcpip.ErrAlreadyConnected{}, unix.EISCONN},
		{&tcpip.ErrAlreadyConnecting{}, unix.EALREADY},
		{&tcpip.ErrTimeout{}, unix.ETIMEDOUT},
		{&tcpip.ErrMessageTooLong{}, unix.EMSGSIZE},
		{&tcpip.ErrDestinationRequired{}, unix.EDESTADDRREQ},
		{&tcpip.ErrUnknownProtocolOption{}, unix.ENOPROTOOPT},
		{&tcpip.ErrNotSupported{}, unix.EOPNOTSUPP},
		{&tcpip.ErrConnectionAborted{}, unix.ECONNABORTED},
	} {
		if got := errno(c.err); got != c.want {
			t.Errorf("errno(%v) = %v, want %v", c.err, got, c.want)
		}
	}
}

func TestSocketTypes(t *testing.T) {
	tk := newTask()
	for _, c := range []struct {
		stype, protocol int
		want            error
	}{
		{unix.SOCK_STREAM, unix.IPPROTO_UDP, unix.EPROTONOSUPPORT},
		{unix.SOCK_DGRAM, unix.IPPROTO_TCP, unix.EPROTONOSUPPORT},
		{unix.SOCK_SEQPACKET, 0, unix.ESOCKTNOSUPPORT},
		{unix.SOCK_STREAM, 300, unix.EINVAL},
	} {
		if _, err := create(tk, unix.AF_INET, c.stype, c.protocol, 0); err != c.want {
			t.Errorf("socket(AF_INET, %d, %d): %v, want %v", c.stype, c.protocol, err, c.want)
		}
	}
	user := &task{creds: auth.New(1000, 1000, nil)}
	if _, err := create(user, unix.AF_INET, unix.SOCK_RAW, unix.IPPROTO_ICMP, 0); err != unix.EPERM {
		t.Errorf("unprivileged SOCK_RAW: %v, want EPERM", err)
	}
}

func TestV4MappedAndNames(t *testing.T) {
	tk := newTask()
	l, p := listener(t, tk, unix.AF_INET)
	c := sock(t, tk, unix.AF_INET6, unix.SOCK_STREAM, 0)
	if err := c.Connect(tk, in6([16]byte{10: 0xff, 11: 0xff, 12: 127, 15: 1}, p)); err != nil {
		t.Fatalf("connect to ::ffff:127.0.0.1: %v", err)
	}
	name, _ := c.GetPeerName(tk)
	if want := in6([16]byte{10: 0xff, 11: 0xff, 12: 127, 15: 1}, p); !bytes.Equal(name, want) {
		t.Errorf("peer name %x, want %x", name, want)
	}
	accept(t, tk, l)
	u := sock(t, tk, unix.AF_INET, unix.SOCK_STREAM, 0)
	if _, err := u.GetPeerName(tk); err != unix.ENOTCONN {
		t.Errorf("getpeername unconnected: %v, want ENOTCONN", err)
	}
	if name, _ := u.GetSockName(tk); !bytes.Equal(name, in4([4]byte{}, 0)) {
		t.Errorf("getsockname unbound: %x", name)
	}
}

func TestInterfaces(t *testing.T) {
	ifs := Interfaces()
	if len(ifs) != 1 || ifs[0].Name != "lo" || ifs[0].Index != 1 || ifs[0].Flags&unix.IFF_LOOPBACK == 0 {
		t.Fatalf("interfaces: %+v", ifs)
	}
	if len(ifs[0].Addrs) != 2 || ifs[0].Addrs[0].IP.String() != "127.0.0.1" || ifs[0].Addrs[0].PrefixLen != 8 ||
		ifs[0].Addrs[1].IP.String() != "::1" || ifs[0].Addrs[1].PrefixLen != 128 {
		t.Errorf("lo's addresses: %+v", ifs[0].Addrs)
	}
}
