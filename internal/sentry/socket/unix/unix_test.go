package unix

import (
	"bytes"
	"encoding/binary"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	sys "golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/auth"
	"github.com/moat-sandbox/moat/internal/sentry/linux"
	"github.com/moat-sandbox/moat/internal/sentry/socket"
	"github.com/moat-sandbox/moat/internal/sentry/vfs"
	"github.com/moat-sandbox/moat/internal/sentry/waiter"
)

// fakeInode is a socket file of fakeFS.
type fakeInode struct{ ino uint64 }

func (in *fakeInode) Stat(vfs.Context) (vfs.Stat, error) {
	return vfs.Stat{Dev: 99, Ino: in.ino, Mode: sys.S_IFSOCK | 0o755}, nil
}
func (in *fakeInode) Open(vfs.Context, int) (vfs.FileImpl, error) { return nil, sys.ENXIO }

// fakeTask is a socket.Task outside any kernel: a descriptor table, a
// flat namespace of socket files and an interrupt channel.
type fakeTask struct {
	creds  *auth.Credentials
	tgid   int32
	fds    *vfs.FDTable
	files  map[string]*fakeInode
	intr   chan struct{}
	sigs   atomic.Int32
	inoSeq uint64
}

func newTask() *fakeTask {
	return &fakeTask{creds: auth.New(1000, 1000, nil), tgid: 42, fds: vfs.NewFDTable(),
		files: map[string]*fakeInode{}, intr: make(chan struct{})}
}

func (t *fakeTask) Creds() *auth.Credentials                { return t.creds }
func (t *fakeTask) CopyIn(uintptr, []byte) error            { return sys.EFAULT }
func (t *fakeTask) CopyOut(uintptr, []byte) error           { return sys.EFAULT }
func (t *fakeTask) TGID() int32                             { return t.tgid }
func (t *fakeTask) FDTable() *vfs.FDTable                   { return t.fds }
func (t *fakeTask) FDLimit() uint64                         { return 1024 }
func (t *fakeTask) SendSignal(info *linux.SignalInfo) error { t.sigs.Add(1); return nil }
func (t *fakeTask) HostWait(int, int16, time.Time) (int16, error) {
	return 0, sys.ENOSYS
}
func (t *fakeTask) Block(ch <-chan struct{}, deadline time.Time) error {
	var timeout <-chan time.Time
	if !deadline.IsZero() {
		d := time.Until(deadline)
		if d <= 0 {
			return sys.ETIMEDOUT
		}
		tm := time.NewTimer(d)
		defer tm.Stop()
		timeout = tm.C
	}
	select {
	case <-ch:
		return nil
	case <-t.intr:
		return vfs.ErrInterrupted
	case <-timeout:
		return sys.ETIMEDOUT
	}
}
func (t *fakeTask) MknodSocket(path string) (vfs.Inode, error) {
	if _, ok := t.files[path]; ok {
		return nil, sys.EEXIST
	}
	t.inoSeq++
	in := &fakeInode{ino: t.inoSeq}
	t.files[path] = in
	return in, nil
}
func (t *fakeTask) LookupSocket(path string) (vfs.Inode, error) {
	if in, ok := t.files[path]; ok {
		return in, nil
	}
	return nil, sys.ENOENT
}

var _ socket.Task = (*fakeTask)(nil)

func sockaddr(name string) []byte {
	b := make([]byte, 2, 2+len(name)+1)
	binary.LittleEndian.PutUint16(b, sys.AF_UNIX)
	if strings.HasPrefix(name, "@") {
		return append(append(b, 0), name[1:]...)
	}
	return append(append(b, name...), 0)
}

func pair(t *testing.T, ft *fakeTask, stype int) (*Socket, *Socket, func()) {
	t.Helper()
	f1, f2, err := NewPair(ft, stype, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	return f1.Impl().(*Socket), f2.Impl().(*Socket), func() { f1.DecRef(); f2.DecRef() }
}

func recvString(t *testing.T, ft *fakeTask, s *Socket, n, flags int) string {
	t.Helper()
	buf := make([]byte, n)
	k, _, err := s.RecvMsg(ft, buf, flags, false, 0)
	if err != nil {
		t.Fatalf("recv: %v", err)
	}
	return string(buf[:min(k, n)])
}

func TestStreamJoinsWrites(t *testing.T) {
	ft := newTask()
	a, b, done := pair(t, ft, sys.SOCK_STREAM)
	defer done()
	a.Write(ft, []byte("abc"))
	a.Write(ft, []byte("def"))
	if got := recvString(t, ft, b, 4, sys.MSG_PEEK); got != "abcd" {
		t.Errorf("peek %q", got)
	}
	if got := recvString(t, ft, b, 16, 0); got != "abcdef" {
		t.Errorf("read %q", got)
	}
	if _, _, err := b.RecvMsg(ft, make([]byte, 4), sys.MSG_DONTWAIT, false, 0); err != sys.EAGAIN {
		t.Errorf("empty: %v, want EAGAIN", err)
	}
}

func TestDgramBoundariesAndTrunc(t *testing.T) {
	ft := newTask()
	a, b, done := pair(t, ft, sys.SOCK_DGRAM)
	defer done()
	a.Write(ft, []byte("hello world"))
	a.Write(ft, []byte("x"))
	buf := make([]byte, 5)
	n, r, err := b.RecvMsg(ft, buf, sys.MSG_TRUNC, false, 0)
	if err != nil || n != 11 || r.Flags&sys.MSG_TRUNC == 0 || string(buf) != "hello" {
		t.Errorf("recv: %d %v %#x %q", n, err, r.Flags, buf)
	}
	if got := recvString(t, ft, b, 5, 0); got != "x" {
		t.Errorf("second %q", got)
	}
}

func TestBlockingRecvWakes(t *testing.T) {
	ft := newTask()
	a, b, done := pair(t, ft, sys.SOCK_STREAM)
	defer done()
	got := make(chan string)
	go func() { got <- recvString(t, ft, b, 8, 0) }()
	time.Sleep(20 * time.Millisecond)
	a.Write(ft, []byte("wake"))
	select {
	case s := <-got:
		if s != "wake" {
			t.Errorf("got %q", s)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("recv never woke")
	}
}

func TestInterruptedRecv(t *testing.T) {
	ft := newTask()
	_, b, done := pair(t, ft, sys.SOCK_STREAM)
	defer done()
	errc := make(chan error)
	go func() {
		_, _, err := b.RecvMsg(ft, make([]byte, 4), 0, false, 0)
		errc <- err
	}()
	time.Sleep(20 * time.Millisecond)
	close(ft.intr)
	if err := <-errc; err != vfs.ErrInterrupted {
		t.Errorf("got %v, want ErrInterrupted", err)
	}
}

func TestListenConnectAccept(t *testing.T) {
	ft := newTask()
	lf, _ := New(ft, sys.SOCK_STREAM, 0, 0)
	defer lf.DecRef()
	ls := lf.Impl().(*Socket)
	if err := ls.Listen(ft, 5); err != sys.EINVAL {
		t.Errorf("listen unbound: %v", err)
	}
	if err := ls.Bind(ft, sockaddr("/tmp/s")); err != nil {
		t.Fatal(err)
	}
	if err := ls.Bind(ft, sockaddr("/tmp/s")); err != sys.EADDRINUSE {
		t.Errorf("rebind: %v", err)
	}
	if name, _ := ls.GetSockName(ft); len(name) != 2+len("/tmp/s")+1 {
		t.Errorf("name length %d", len(name))
	}
	cf, _ := New(ft, sys.SOCK_STREAM, 0, 0)
	defer cf.DecRef()
	c := cf.Impl().(*Socket)
	if err := c.Connect(ft, sockaddr("/tmp/s")); err != sys.ECONNREFUSED {
		t.Errorf("connect before listen: %v", err)
	}
	ls.Listen(ft, 0)
	if err := c.Connect(ft, sockaddr("/tmp/s")); err != nil {
		t.Fatal(err)
	}
	if ls.Readiness(waiter.ReadableEvents)&waiter.EventIn == 0 {
		t.Error("listener not readable with a pending connection")
	}
	c.Write(ft, []byte("early"))
	sf, peer, err := ls.Accept(ft, 0, true)
	if err != nil {
		t.Fatal(err)
	}
	defer sf.DecRef()
	if !bytes.Equal(peer, unnamed()) {
		t.Errorf("peer %q", peer)
	}
	if got := recvString(t, ft, sf.Impl().(*Socket), 16, 0); got != "early" {
		t.Errorf("got %q", got)
	}
	dgf, _ := New(ft, sys.SOCK_DGRAM, 0, 0)
	defer dgf.DecRef()
	if err := dgf.Impl().(*Socket).Connect(ft, sockaddr("/tmp/s")); err != sys.EPROTOTYPE {
		t.Errorf("dgram to stream: %v", err)
	}
	ls.nonblock.Store(true)
	if _, _, err := ls.Accept(ft, 0, false); err != sys.EAGAIN {
		t.Errorf("non-blocking accept with no pending connection: %v", err)
	}
}

func TestAutobind(t *testing.T) {
	ft := newTask()
	f, _ := New(ft, sys.SOCK_DGRAM, 0, 0)
	defer f.DecRef()
	s := f.Impl().(*Socket)
	if err := s.Bind(ft, sockaddr("")[:2]); err != nil {
		t.Fatal(err)
	}
	name, _ := s.GetSockName(ft)
	if len(name) != 8 || name[2] != 0 {
		t.Fatalf("name %q", name)
	}
	for _, c := range name[3:] {
		if !strings.ContainsRune("0123456789abcdef", rune(c)) {
			t.Errorf("name %q is not five hex digits", name)
		}
	}
}

// countFile is a file that counts its releases.
type countFile struct{ released *atomic.Int32 }

func (countFile) Stat(vfs.Context) (vfs.Stat, error) { return vfs.Stat{}, nil }
func (c countFile) Release()                         { c.released.Add(1) }

func rightsControl(fds ...int32) []byte {
	w := socket.NewControlWriter(socket.CmsgSpace(4 * len(fds)))
	data := make([]byte, 4*len(fds))
	for i, fd := range fds {
		binary.LittleEndian.PutUint32(data[4*i:], uint32(fd))
	}
	w.Put(sys.SOL_SOCKET, sys.SCM_RIGHTS, data)
	return w.Bytes()
}

func TestRightsPassedAndReleased(t *testing.T) {
	ft := newTask()
	var released atomic.Int32
	f := vfs.NewFile(countFile{&released}, vfs.VirtualDentry{}, sys.O_RDONLY)
	fd, _ := ft.fds.NewFD(f, 0, false, 1024)
	f.DecRef()

	a, b, done := pair(t, ft, sys.SOCK_DGRAM)
	if _, err := a.SendMsg(ft, []byte("x"), nil, rightsControl(fd), 0); err != nil {
		t.Fatal(err)
	}
	ft.fds.Remove(fd)
	if released.Load() != 0 {
		t.Fatal("file released while in flight")
	}
	_, r, err := b.RecvMsg(ft, make([]byte, 4), 0, false, 64)
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := socket.ParseControl(r.Control)
	if err != nil || len(msgs) != 1 || msgs[0].Type != sys.SCM_RIGHTS || len(msgs[0].Data) != 4 {
		t.Fatalf("control %v %v", msgs, err)
	}
	nfd := int32(binary.LittleEndian.Uint32(msgs[0].Data))
	if got, _, err := ft.fds.Get(nfd); err != nil {
		t.Fatalf("received fd %d not installed", nfd)
	} else {
		got.DecRef()
	}

	// A message never read: closing the socket releases its file.
	if _, err := a.SendMsg(ft, []byte("y"), nil, rightsControl(nfd), 0); err != nil {
		t.Fatal(err)
	}
	ft.fds.Remove(nfd)
	if released.Load() != 0 {
		t.Fatal("released too early")
	}
	done()
	if released.Load() != 1 {
		t.Errorf("released %d times after close, want 1", released.Load())
	}
	mu.Lock()
	n := len(inflight)
	mu.Unlock()
	if n != 0 {
		t.Errorf("in-flight counts left: %v", inflight)
	}
}

func TestShutdownAndSigpipe(t *testing.T) {
	ft := newTask()
	a, b, done := pair(t, ft, sys.SOCK_STREAM)
	defer done()
	a.Shutdown(ft, sys.SHUT_WR)
	if ev := b.Readiness(waiter.AllEvents); ev&waiter.EventRdHup == 0 || ev&waiter.EventIn == 0 {
		t.Errorf("peer readiness %#x", ev)
	}
	if _, err := a.Write(ft, []byte("x")); err != sys.EPIPE || ft.sigs.Load() != 1 {
		t.Errorf("write: %v, %d signals", err, ft.sigs.Load())
	}
	if _, err := a.SendMsg(ft, []byte("x"), nil, nil, sys.MSG_NOSIGNAL); err != sys.EPIPE || ft.sigs.Load() != 1 {
		t.Errorf("MSG_NOSIGNAL: %v, %d signals", err, ft.sigs.Load())
	}
	if n, _ := b.Read(ft, make([]byte, 4)); n != 0 {
		t.Errorf("eof read %d", n)
	}
}

func TestSockOpts(t *testing.T) {
	ft := newTask()
	a, _, done := pair(t, ft, sys.SOCK_SEQPACKET)
	defer done()
	a.SetSockOpt(ft, sys.SOL_SOCKET, sys.SO_SNDBUF, int32Bytes(5000))
	v, _ := a.GetSockOpt(ft, sys.SOL_SOCKET, sys.SO_SNDBUF, 4)
	if got := binary.LittleEndian.Uint32(v); got != 10000 {
		t.Errorf("SO_SNDBUF %d, want 10000", got)
	}
	tv := make([]byte, 16)
	binary.LittleEndian.PutUint64(tv[8:], 1001)
	a.SetSockOpt(ft, sys.SOL_SOCKET, sys.SO_RCVTIMEO, tv)
	v, _ = a.GetSockOpt(ft, sys.SOL_SOCKET, sys.SO_RCVTIMEO, 16)
	if usec := binary.LittleEndian.Uint64(v[8:]); usec != 4000 {
		t.Errorf("SO_RCVTIMEO rounds to %dus, want a tick (4000)", usec)
	}
	v, _ = a.GetSockOpt(ft, sys.SOL_SOCKET, sys.SO_TYPE, 4)
	if binary.LittleEndian.Uint32(v) != sys.SOCK_SEQPACKET {
		t.Error("SO_TYPE")
	}
	if _, err := a.GetSockOpt(ft, sys.SOL_IP, 1, 4); err != sys.EOPNOTSUPP {
		t.Errorf("other level: %v", err)
	}
	v, _ = a.GetSockOpt(ft, sys.SOL_SOCKET, sys.SO_PEERCRED, 12)
	if pid := int32(binary.LittleEndian.Uint32(v)); pid != 42 {
		t.Errorf("SO_PEERCRED pid %d", pid)
	}
}

func TestStat(t *testing.T) {
	ft := newTask()
	a, b, done := pair(t, ft, sys.SOCK_STREAM)
	defer done()
	sa, _ := a.Stat(ft)
	sb, _ := b.Stat(ft)
	if sa.Type() != sys.S_IFSOCK || sa.Ino == sb.Ino || sa.UID != 1000 {
		t.Errorf("stat %+v", sa)
	}
	if !strings.HasPrefix(a.LinkName(), "socket:[") {
		t.Errorf("link name %q", a.LinkName())
	}
}
