package hostinet

import (
	"bytes"
	"encoding/binary"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/auth"
	"github.com/moat-sandbox/moat/internal/sentry/linux"
	"github.com/moat-sandbox/moat/internal/sentry/socket"
	"github.com/moat-sandbox/moat/internal/sentry/vfs"
)

// fakeTask is a socket.Task with a small flat memory at memBase.
type fakeTask struct {
	creds     *auth.Credentials
	mem       []byte
	interrupt chan struct{}
	signals   atomic.Int32
}

const memBase = 0x10000

func newTask(uid uint32) *fakeTask {
	return &fakeTask{creds: auth.New(uid, uid, nil), mem: make([]byte, 1<<16), interrupt: make(chan struct{}, 1)}
}

func (t *fakeTask) Creds() *auth.Credentials { return t.creds }
func (t *fakeTask) CopyIn(addr uintptr, dst []byte) error {
	if addr < memBase || int(addr-memBase)+len(dst) > len(t.mem) {
		return unix.EFAULT
	}
	copy(dst, t.mem[addr-memBase:])
	return nil
}
func (t *fakeTask) CopyOut(addr uintptr, src []byte) error {
	if addr < memBase || int(addr-memBase)+len(src) > len(t.mem) {
		return unix.EFAULT
	}
	copy(t.mem[addr-memBase:], src)
	return nil
}
func (t *fakeTask) HostWait(fd int, events int16, deadline time.Time) (int16, error) {
	return 0, unix.ENOSYS
}
func (t *fakeTask) Block(ch <-chan struct{}, deadline time.Time) error {
	var timeout <-chan time.Time
	if !deadline.IsZero() {
		d := time.Until(deadline)
		if d <= 0 {
			return unix.ETIMEDOUT
		}
		tm := time.NewTimer(d)
		defer tm.Stop()
		timeout = tm.C
	}
	select {
	case <-ch:
		return nil
	case <-t.interrupt:
		return vfs.ErrInterrupted
	case <-timeout:
		return unix.ETIMEDOUT
	}
}
func (t *fakeTask) TGID() int32                                { return 1 }
func (t *fakeTask) FDTable() *vfs.FDTable                      { return nil }
func (t *fakeTask) FDLimit() uint64                            { return 1024 }
func (t *fakeTask) MknodSocket(path string) (vfs.Inode, error) { return nil, unix.ENOSYS }
func (t *fakeTask) LookupSocket(path string) (vfs.Inode, error) {
	return nil, unix.ENOSYS
}
func (t *fakeTask) SendSignal(info *linux.SignalInfo) error {
	if info.Signo == int32(linux.SIGPIPE) {
		t.signals.Add(1)
	}
	return nil
}

var _ socket.Task = (*fakeTask)(nil)

func init() { loadSysctls() }

func appendCmsg(b []byte, level, typ int, data []byte) []byte {
	w := socket.NewControlWriter(socket.CmsgSpace(len(data)))
	w.Put(level, typ, data)
	return append(b, w.Bytes()...)
}

func parseCmsgs(b []byte) ([]socket.Cmsg, error) { return socket.ParseControl(b) }

func newSock(t *testing.T, task socket.Task, family, stype, flags int) (*vfs.File, *Socket) {
	t.Helper()
	f, err := NewFunc(family)(task, stype, 0, flags)
	if err != nil {
		t.Fatalf("socket(%d, %d): %v", family, stype, err)
	}
	t.Cleanup(f.DecRef)
	return f, f.Impl().(*Socket)
}

func inet4(ip [4]byte, port int) []byte {
	b := make([]byte, 16)
	binary.NativeEndian.PutUint16(b, unix.AF_INET)
	binary.BigEndian.PutUint16(b[2:], uint16(port))
	copy(b[4:], ip[:])
	return b
}

var loopback = [4]byte{127, 0, 0, 1}

// listener returns a TCP socket listening on 127.0.0.1 and its address.
func listener(t *testing.T, task socket.Task) (*Socket, []byte) {
	t.Helper()
	_, l := newSock(t, task, unix.AF_INET, unix.SOCK_STREAM, 0)
	if err := l.Bind(task, inet4(loopback, 0)); err != nil {
		t.Fatal(err)
	}
	if err := l.Listen(task, 16); err != nil {
		t.Fatal(err)
	}
	a, err := l.GetSockName(task)
	if err != nil || len(a) != 16 || addrPort(a) == 0 {
		t.Fatalf("getsockname: %v %v", a, err)
	}
	return l, a
}

// connected returns both ends of a TCP connection over loopback.
func connected(t *testing.T, task socket.Task) (client, server *Socket) {
	t.Helper()
	l, a := listener(t, task)
	_, c := newSock(t, task, unix.AF_INET, unix.SOCK_STREAM, 0)
	if err := c.Connect(task, a); err != nil {
		t.Fatalf("connect: %v", err)
	}
	sf, peer, err := l.Accept(task, 0, true)
	if err != nil {
		t.Fatalf("accept: %v", err)
	}
	t.Cleanup(sf.DecRef)
	if len(peer) != 16 || addrPort(peer) == 0 {
		t.Errorf("accept's peer address: %v", peer)
	}
	return c, sf.Impl().(*Socket)
}

func TestStreamBlockingRoundTrip(t *testing.T) {
	task := newTask(0)
	c, s := connected(t, task)
	// A blocking read waits for data sent later.
	go func() {
		time.Sleep(50 * time.Millisecond)
		c.Write(task, []byte("hello"))
	}()
	buf := make([]byte, 16)
	n, err := s.Read(task, buf)
	if err != nil || string(buf[:n]) != "hello" {
		t.Fatalf("read: %q %v", buf[:n], err)
	}
	// MSG_WAITALL gathers two sends.
	go func() {
		c.Write(task, []byte("abc"))
		time.Sleep(30 * time.Millisecond)
		c.Write(task, []byte("defgh"))
	}()
	n, _, err = s.RecvMsg(task, buf[:8], unix.MSG_WAITALL, false, 0)
	if err != nil || string(buf[:n]) != "abcdefgh" {
		t.Fatalf("recv MSG_WAITALL: %q %v", buf[:n], err)
	}
	// Peek leaves the data; FIONREAD counts it.
	c.Write(task, []byte("xyz"))
	time.Sleep(20 * time.Millisecond)
	n, _, err = s.RecvMsg(task, buf, unix.MSG_PEEK, false, 0)
	if err != nil || string(buf[:n]) != "xyz" {
		t.Fatalf("peek: %q %v", buf[:n], err)
	}
	if _, err := s.Ioctl(task, unix.SIOCINQ, memBase); err != nil || binary.NativeEndian.Uint32(task.mem) != 3 {
		t.Fatalf("FIONREAD: %d %v", binary.NativeEndian.Uint32(task.mem), err)
	}
	n, _, err = s.RecvMsg(task, buf, unix.MSG_DONTWAIT, false, 0)
	if err != nil || n != 3 {
		t.Fatalf("recv after peek: %d %v", n, err)
	}
	// Nothing left: MSG_DONTWAIT says EAGAIN.
	if _, _, err := s.RecvMsg(task, buf, unix.MSG_DONTWAIT, false, 0); err != unix.EAGAIN {
		t.Fatalf("empty MSG_DONTWAIT recv: %v", err)
	}
	// Half-close: the peer reads end of file and can still send back.
	if err := c.Shutdown(task, unix.SHUT_WR); err != nil {
		t.Fatal(err)
	}
	if n, err := s.Read(task, buf); n != 0 || err != nil {
		t.Fatalf("read after SHUT_WR: %d %v", n, err)
	}
	if _, err := s.Write(task, []byte("bye")); err != nil {
		t.Fatal(err)
	}
	if n, err := c.Read(task, buf); err != nil || string(buf[:n]) != "bye" {
		t.Fatalf("read back: %q %v", buf[:n], err)
	}
}

func TestSigpipe(t *testing.T) {
	task := newTask(0)
	c, _ := connected(t, task)
	c.Shutdown(task, unix.SHUT_WR)
	if _, err := c.SendMsg(task, []byte("x"), nil, nil, unix.MSG_NOSIGNAL); err != unix.EPIPE || task.signals.Load() != 0 {
		t.Fatalf("MSG_NOSIGNAL send: %v, %d signals", err, task.signals.Load())
	}
	if _, err := c.Write(task, []byte("x")); err != unix.EPIPE || task.signals.Load() != 1 {
		t.Fatalf("write: %v, %d signals", err, task.signals.Load())
	}
}

func TestNonBlockingConnect(t *testing.T) {
	task := newTask(0)
	l, a := listener(t, task)
	_, c := newSock(t, task, unix.AF_INET, unix.SOCK_STREAM, unix.O_NONBLOCK)
	err := c.Connect(task, a)
	if err != nil && err != unix.EINPROGRESS {
		t.Fatalf("connect: %v", err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for c.Readiness(0x4)&0x4 == 0 {
		if time.Now().After(deadline) {
			t.Fatal("never writable")
		}
		time.Sleep(time.Millisecond)
	}
	v, err := c.GetSockOpt(task, unix.SOL_SOCKET, unix.SO_ERROR, 4)
	if err != nil || !bytes.Equal(v, []byte{0, 0, 0, 0}) {
		t.Fatalf("SO_ERROR: %v %v", v, err)
	}
	if _, err := c.GetPeerName(task); err != nil {
		t.Fatalf("getpeername: %v", err)
	}
	// The listener is readable, and a non-blocking accept works.
	if l.Readiness(1)&1 == 0 {
		time.Sleep(20 * time.Millisecond)
	}
	f, _, err := l.Accept(task, unix.SOCK_NONBLOCK, false)
	if err != nil {
		t.Fatal(err)
	}
	if f.Flags()&unix.O_NONBLOCK == 0 {
		t.Error("accepted with SOCK_NONBLOCK but the description is blocking")
	}
	f.DecRef()
	// Nothing queued: a blocking accept waits, for SO_RCVTIMEO at most.
	tv := make([]byte, 16)
	binary.NativeEndian.PutUint64(tv[8:], 20000)
	l.SetSockOpt(task, unix.SOL_SOCKET, unix.SO_RCVTIMEO, tv)
	if _, _, err := l.Accept(task, 0, false); err != unix.EAGAIN {
		t.Fatalf("accept past SO_RCVTIMEO: %v", err)
	}
}

func TestConnectRefused(t *testing.T) {
	task := newTask(0)
	_, l := newSock(t, task, unix.AF_INET, unix.SOCK_STREAM, 0)
	l.Bind(task, inet4(loopback, 0))
	a, _ := l.GetSockName(task)
	_, c := newSock(t, task, unix.AF_INET, unix.SOCK_STREAM, 0)
	if err := c.Connect(task, a); err != unix.ECONNREFUSED {
		t.Fatalf("connect to a closed port: %v", err)
	}
}

func TestTimeoutsAndInterrupts(t *testing.T) {
	task := newTask(0)
	c, s := connected(t, task)
	_ = c
	tv := make([]byte, 16)
	binary.NativeEndian.PutUint64(tv[8:], 100000) // 100 ms
	if err := s.SetSockOpt(task, unix.SOL_SOCKET, unix.SO_RCVTIMEO, tv); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetSockOpt(task, unix.SOL_SOCKET, unix.SO_RCVTIMEO, 16)
	if err != nil || !bytes.Equal(got, tv) {
		t.Fatalf("SO_RCVTIMEO back: %v %v", got, err)
	}
	start := time.Now()
	buf := make([]byte, 4)
	if _, err := s.Read(task, buf); err != unix.EAGAIN {
		t.Fatalf("read past SO_RCVTIMEO: %v", err)
	}
	if d := time.Since(start); d < 90*time.Millisecond || d > 2*time.Second {
		t.Errorf("SO_RCVTIMEO waited %v", d)
	}
	// Interrupted while a timeout bounds the wait: EINTR.
	task.interrupt <- struct{}{}
	if _, err := s.Read(task, buf); err != unix.EINTR {
		t.Fatalf("interrupted bounded read: %v", err)
	}
	// A negative tv_sec: never wait.
	binary.NativeEndian.PutUint64(tv[0:], ^uint64(0))
	binary.NativeEndian.PutUint64(tv[8:], 0)
	s.SetSockOpt(task, unix.SOL_SOCKET, unix.SO_RCVTIMEO, tv)
	if _, err := s.Read(task, buf); err != unix.EAGAIN {
		t.Fatalf("read with a negative timeout: %v", err)
	}
	// No timeout: an interrupted wait is restartable.
	s.SetSockOpt(task, unix.SOL_SOCKET, unix.SO_RCVTIMEO, make([]byte, 16))
	task.interrupt <- struct{}{}
	if _, err := s.Read(task, buf); !errors.Is(err, vfs.ErrInterrupted) {
		t.Fatalf("interrupted read: %v", err)
	}
	// Bad microseconds: EDOM; short: EINVAL.
	binary.NativeEndian.PutUint64(tv[0:], 0)
	binary.NativeEndian.PutUint64(tv[8:], 1000000)
	if err := s.SetSockOpt(task, unix.SOL_SOCKET, unix.SO_SNDTIMEO, tv); err != unix.EDOM {
		t.Fatalf("tv_usec 1e6: %v", err)
	}
	if err := s.SetSockOpt(task, unix.SOL_SOCKET, unix.SO_SNDTIMEO, tv[:8]); err != unix.EINVAL {
		t.Fatalf("short timeval: %v", err)
	}
}

func TestOptions(t *testing.T) {
	task := newTask(0)
	_, s := newSock(t, task, unix.AF_INET6, unix.SOCK_STREAM, 0)
	one := []byte{1, 0, 0, 0}
	for _, o := range [][2]int{
		{unix.SOL_SOCKET, unix.SO_REUSEADDR}, {unix.SOL_SOCKET, unix.SO_KEEPALIVE},
		{unix.IPPROTO_TCP, unix.TCP_NODELAY}, {unix.IPPROTO_IPV6, unix.IPV6_V6ONLY},
	} {
		if err := s.SetSockOpt(task, o[0], o[1], one); err != nil {
			t.Fatalf("set %v: %v", o, err)
		}
		if v, err := s.GetSockOpt(task, o[0], o[1], 4); err != nil || !bytes.Equal(v, one) {
			t.Fatalf("get %v: %v %v", o, v, err)
		}
	}
	if v, _ := s.GetSockOpt(task, unix.SOL_SOCKET, unix.SO_DOMAIN, 4); binary.NativeEndian.Uint32(v) != unix.AF_INET6 {
		t.Errorf("SO_DOMAIN %v", v)
	}
	if v, _ := s.GetSockOpt(task, unix.SOL_SOCKET, unix.SO_TYPE, 2); len(v) != 2 {
		t.Errorf("SO_TYPE into 2 bytes: %v", v)
	}
	if err := s.SetSockOpt(task, unix.SOL_SOCKET, unix.SO_TYPE, one); err != unix.ENOPROTOOPT {
		t.Errorf("set SO_TYPE: %v", err)
	}
	if _, err := s.GetSockOpt(task, unix.SOL_SOCKET, unix.SO_ATTACH_FILTER, 16); err != unix.ENOPROTOOPT {
		t.Errorf("SO_ATTACH_FILTER: %v", err)
	}
	if err := s.SetSockOpt(task, unix.SOL_SOCKET, unix.SO_REUSEADDR, one[:2]); err != unix.EINVAL {
		t.Errorf("2-byte SO_REUSEADDR: %v", err)
	}
	if err := s.SetSockOpt(task, unix.IPPROTO_UDP, unix.UDP_CORK, one); err != unix.ENOPROTOOPT {
		t.Errorf("UDP_CORK on TCP: %v", err)
	}
	// Privileges the Sentry has and the application lacks.
	user := newTask(1000)
	user.creds.Effective = 0
	if err := s.SetSockOpt(user, unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, one); err != unix.EPERM {
		t.Errorf("SO_RCVBUFFORCE unprivileged: %v", err)
	}
	if err := s.SetSockOpt(user, unix.SOL_SOCKET, unix.SO_PRIORITY, []byte{7, 0, 0, 0}); err != unix.EPERM {
		t.Errorf("SO_PRIORITY 7 unprivileged: %v", err)
	}
	a := make([]byte, 28)
	binary.NativeEndian.PutUint16(a, unix.AF_INET6)
	binary.BigEndian.PutUint16(a[2:], 80)
	a[23] = 1 // ::1
	if err := s.Bind(user, a); err != unix.EACCES {
		t.Errorf("bind port 80 unprivileged: %v", err)
	}
}

func TestAddresses(t *testing.T) {
	task := newTask(0)
	_, s := newSock(t, task, unix.AF_INET, unix.SOCK_STREAM, 0)
	if err := s.Bind(task, []byte{2}); err != unix.EINVAL {
		t.Errorf("1-byte address: %v", err)
	}
	if err := s.Bind(task, inet4(loopback, 0)[:15]); err != unix.EINVAL {
		t.Errorf("15-byte sockaddr_in: %v", err)
	}
	un := make([]byte, 16)
	binary.NativeEndian.PutUint16(un, unix.AF_UNIX)
	if err := s.Bind(task, un); err != unix.EAFNOSUPPORT {
		t.Errorf("AF_UNIX address: %v", err)
	}
	a := inet4(loopback, 1234)
	copy(a[8:], "garbage!")
	h, err := s.hostAddr(append(a, make([]byte, 100)...))
	if err != nil || len(h) != 16 || !bytes.Equal(h[8:], make([]byte, 8)) || !bytes.Equal(h[:8], a[:8]) {
		t.Errorf("rebuilt address %v %v", h, err)
	}
	if _, err := NewFunc(unix.AF_INET)(task, unix.SOCK_STREAM, unix.IPPROTO_UDP, 0); err != unix.EPROTONOSUPPORT {
		t.Errorf("TCP socket with IPPROTO_UDP: %v", err)
	}
	if _, err := NewFunc(unix.AF_INET)(task, unix.SOCK_SEQPACKET, 0, 0); err != unix.ESOCKTNOSUPPORT {
		t.Errorf("SOCK_SEQPACKET: %v", err)
	}
}

func TestUDP(t *testing.T) {
	task := newTask(0)
	_, r := newSock(t, task, unix.AF_INET, unix.SOCK_DGRAM, 0)
	r.Bind(task, inet4(loopback, 0))
	ra, _ := r.GetSockName(task)
	_, w := newSock(t, task, unix.AF_INET, unix.SOCK_DGRAM, 0)
	if err := r.SetSockOpt(task, unix.IPPROTO_IP, unix.IP_RECVTOS, []byte{1, 0, 0, 0}); err != nil {
		t.Fatal(err)
	}
	tos := appendCmsg(nil, unix.SOL_IP, unix.IP_TOS, []byte{0x10, 0, 0, 0})
	if n, err := w.SendMsg(task, []byte("0123456789"), ra, tos, 0); err != nil || n != 10 {
		t.Fatalf("sendto: %d %v", n, err)
	}
	buf := make([]byte, 4)
	n, res, err := r.RecvMsg(task, buf, unix.MSG_TRUNC, true, 64)
	if err != nil || n != 10 || string(buf) != "0123" || res.Flags&unix.MSG_TRUNC == 0 {
		t.Fatalf("recv MSG_TRUNC: %d %q %+v %v", n, buf, res, err)
	}
	if len(res.From) != 16 || addrPort(res.From) == 0 {
		t.Errorf("from %v", res.From)
	}
	msgs, err := parseCmsgs(res.Control)
	if err != nil || len(msgs) != 1 || msgs[0].Level != unix.SOL_IP || msgs[0].Type != unix.IP_TOS || msgs[0].Data[0] != 0x10 {
		t.Errorf("control %v %v", msgs, err)
	}
	// No room for the control message: MSG_CTRUNC.
	w.SendMsg(task, []byte("x"), ra, nil, 0)
	_, res, err = r.RecvMsg(task, buf, 0, false, 0)
	if err != nil || res.Flags&unix.MSG_CTRUNC == 0 || len(res.Control) != 0 {
		t.Errorf("recv without control room: %+v %v", res, err)
	}
	// Bad control messages.
	if _, err := w.SendMsg(task, []byte("x"), ra, appendCmsg(nil, unix.SOL_IP, unix.IP_TTL, []byte{1, 2}), 0); err != unix.EINVAL {
		t.Errorf("2-byte IP_TTL: %v", err)
	}
	if _, err := w.SendMsg(task, []byte("x"), ra, appendCmsg(nil, unix.SOL_SOCKET, unix.SO_MARK, []byte{1, 0, 0, 0}), 0); err != unix.EINVAL {
		t.Errorf("SO_MARK: %v", err)
	}
	bad := appendCmsg(nil, unix.SOL_IP, unix.IP_TTL, []byte{1, 0, 0, 0})
	binary.NativeEndian.PutUint64(bad, 100)
	if _, err := w.SendMsg(task, []byte("x"), ra, bad, 0); err != unix.EINVAL {
		t.Errorf("cmsg_len past the buffer: %v", err)
	}
	// A datagram waits for a blocking receiver.
	go func() {
		time.Sleep(30 * time.Millisecond)
		w.SendMsg(task, []byte("late"), ra, nil, 0)
	}()
	if n, err := r.Read(task, buf); err != nil || string(buf[:n]) != "late" {
		t.Errorf("blocking read: %q %v", buf[:n], err)
	}
}

func TestIoctlInterfaces(t *testing.T) {
	task := newTask(0)
	_, s := newSock(t, task, unix.AF_INET, unix.SOCK_DGRAM, 0)
	copy(task.mem, "lo\x00garbage-after-nul")
	task.mem[30] = 0xaa // past the answer: left as given
	if _, err := s.Ioctl(task, unix.SIOCGIFINDEX, memBase); err != nil {
		t.Fatal(err)
	}
	if idx := binary.NativeEndian.Uint32(task.mem[16:]); idx == 0 || task.mem[30] != 0xaa {
		t.Errorf("SIOCGIFINDEX: index %d, byte 30 %#x", idx, task.mem[30])
	}
	// SIOCGIFCONF: the length first, then the list.
	clear(task.mem[:64])
	if _, err := s.Ioctl(task, unix.SIOCGIFCONF, memBase); err != nil {
		t.Fatal(err)
	}
	need := int32(binary.NativeEndian.Uint32(task.mem))
	if need < 40 || need%40 != 0 {
		t.Fatalf("SIOCGIFCONF length %d", need)
	}
	binary.NativeEndian.PutUint64(task.mem[8:], memBase+1024)
	if _, err := s.Ioctl(task, unix.SIOCGIFCONF, memBase); err != nil {
		t.Fatal(err)
	}
	if got := int32(binary.NativeEndian.Uint32(task.mem)); got != need {
		t.Errorf("SIOCGIFCONF filled %d of %d", got, need)
	}
	found := false
	for off := 1024; off < 1024+int(need); off += 40 {
		if string(bytes.TrimRight(task.mem[off:off+16], "\x00")) == "lo" {
			found = true
		}
	}
	if !found {
		t.Error("SIOCGIFCONF does not list lo")
	}
	if _, err := s.Ioctl(task, unix.SIOCSIFMTU, memBase); err != unix.EPERM {
		t.Errorf("SIOCSIFMTU: %v", err)
	}
}

func TestManyWaiters(t *testing.T) {
	task := newTask(0)
	l, a := listener(t, task)
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f, _, err := l.Accept(task, 0, false)
			if err != nil {
				t.Error(err)
				return
			}
			buf := make([]byte, 1)
			f.Read(task, buf)
			f.Write(task, buf)
			f.DecRef()
		}()
	}
	for i := 0; i < 4; i++ {
		_, c := newSock(t, task, unix.AF_INET, unix.SOCK_STREAM, 0)
		if err := c.Connect(task, a); err != nil {
			t.Fatal(err)
		}
		c.Write(task, []byte{byte(i)})
		buf := make([]byte, 1)
		if n, err := c.Read(task, buf); n != 1 || err != nil || buf[0] != byte(i) {
			t.Fatalf("echo %d: %v %v", i, buf, err)
		}
	}
	wg.Wait()
}

func TestAcceptInheritsSentryOptions(t *testing.T) {
	task := newTask(0)
	l, a := listener(t, task)
	tv := make([]byte, 16)
	binary.NativeEndian.PutUint64(tv[8:], 30000) // 30 ms
	if err := l.SetSockOpt(task, unix.SOL_SOCKET, unix.SO_RCVTIMEO, tv); err != nil {
		t.Fatal(err)
	}
	l.SetSockOpt(task, unix.SOL_SOCKET, unix.SO_TIMESTAMP, []byte{1, 0, 0, 0})
	_, c := newSock(t, task, unix.AF_INET, unix.SOCK_STREAM, 0)
	if err := c.Connect(task, a); err != nil {
		t.Fatal(err)
	}
	f, _, err := l.Accept(task, 0, false)
	if err != nil {
		t.Fatal(err)
	}
	defer f.DecRef()
	s := f.Impl().(*Socket)
	if s.rcvTimeo.Load() != l.rcvTimeo.Load() || !s.controlOpts.Load() {
		t.Errorf("accepted socket: timeout %v, control %v", s.rcvTimeo.Load(), s.controlOpts.Load())
	}
	if _, err := s.Read(task, make([]byte, 1)); err != unix.EAGAIN {
		t.Errorf("read on the accepted socket: %v", err)
	}
}
