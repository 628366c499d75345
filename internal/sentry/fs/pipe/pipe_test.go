package pipe

import (
	"bytes"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/auth"
	"github.com/moat-sandbox/moat/internal/sentry/fs/tmpfs"
	"github.com/moat-sandbox/moat/internal/sentry/linux"
	"github.com/moat-sandbox/moat/internal/sentry/vfs"
	"github.com/moat-sandbox/moat/internal/sentry/waiter"
)

// task is a vfs.Task for tests: Block can be interrupted through intr, and
// signals sent to it are recorded.
type task struct {
	creds *auth.Credentials
	intr  chan struct{}
	mem   map[uintptr][]byte

	mu      sync.Mutex
	signals []linux.SignalInfo
}

func newTask(uid uint32) *task {
	return &task{creds: auth.New(uid, uid, nil), intr: make(chan struct{}, 1), mem: map[uintptr][]byte{}}
}

func (t *task) Creds() *auth.Credentials { return t.creds }
func (t *task) TGID() int32              { return 42 }
func (t *task) CopyIn(addr uintptr, dst []byte) error {
	copy(dst, t.mem[addr])
	return nil
}
func (t *task) CopyOut(addr uintptr, src []byte) error {
	t.mem[addr] = append([]byte(nil), src...)
	return nil
}
func (t *task) HostWait(int, int16, time.Time) (int16, error) { return 0, unix.ENOSYS }
func (t *task) Block(ch <-chan struct{}, deadline time.Time) error {
	var timeout <-chan time.Time
	if !deadline.IsZero() {
		timeout = time.After(time.Until(deadline))
	}
	select {
	case <-ch:
		return nil
	case <-t.intr:
		return vfs.ErrInterrupted
	case <-timeout:
		return unix.ETIMEDOUT
	}
}
func (t *task) SendSignal(info *linux.SignalInfo) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.signals = append(t.signals, *info)
	return nil
}
func (t *task) sigs() []linux.SignalInfo {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]linux.SignalInfo(nil), t.signals...)
}

func pair(t *testing.T, flags int) (*vfs.File, *vfs.File, *task) {
	t.Helper()
	tk := newTask(1000)
	r, w := NewPair(tk, flags)
	t.Cleanup(func() {
		r.DecRef()
		w.DecRef()
	})
	return r, w, tk
}

// fill writes chunk-sized writes until EAGAIN and returns the total.
func fill(t *testing.T, tk *task, w *vfs.File, chunk int) int {
	t.Helper()
	total := 0
	buf := bytes.Repeat([]byte{'x'}, chunk)
	for i := 0; i < 1<<20; i++ {
		n, err := w.Write(tk, buf)
		total += n
		if err == unix.EAGAIN {
			return total
		}
		if err != nil {
			t.Fatalf("write: %v", err)
		}
	}
	t.Fatal("pipe never filled")
	return 0
}

func TestCapacity(t *testing.T) {
	// What fits depends on how writes fill pages, as on Linux.
	// The numbers are Linux 6.18's.
	for _, c := range []struct{ chunk, want, packets int }{
		{1, 65536, 16}, {4096, 65536, 65536}, {3000, 48000, 48000}, {1000, 64000, 16000},
		{5000, 54096, 40000}, {100000, 65536, 65536}, {4097, 45066, 32776}, {6000, 64096, 48000},
	} {
		_, w, tk := pair(t, unix.O_NONBLOCK)
		if got := fill(t, tk, w, c.chunk); got != c.want {
			t.Errorf("writes of %d: %d bytes fit, want %d", c.chunk, got, c.want)
		}
		_, w, tk = pair(t, unix.O_NONBLOCK|unix.O_DIRECT)
		if got := fill(t, tk, w, c.chunk); got != c.packets {
			t.Errorf("packet writes of %d: %d bytes fit, want %d", c.chunk, got, c.packets)
		}
	}
}

func TestSmallWritesAreAtomic(t *testing.T) {
	_, w, tk := pair(t, unix.O_NONBLOCK)
	fill(t, tk, w, 4000) // 16 slots of 4000 bytes
	// 96 bytes fit in the last page; 97 do not, and are not split.
	if n, err := w.Write(tk, make([]byte, 97)); n != 0 || err != unix.EAGAIN {
		t.Fatalf("97 bytes: %d %v, want EAGAIN", n, err)
	}
	if n, err := w.Write(tk, make([]byte, 96)); n != 96 || err != nil {
		t.Fatalf("96 bytes: %d %v", n, err)
	}
	// A large nonblocking write into a part-full pipe is partial.
	r, w2, tk2 := pair(t, unix.O_NONBLOCK)
	w2.Write(tk2, make([]byte, 10))
	r.Read(tk2, make([]byte, 10))
	if n, err := w2.Write(tk2, make([]byte, 100000)); n != 65536 || err != nil {
		t.Fatalf("large write: %d %v", n, err)
	}
}

func TestReadWriteEOFAndEPIPE(t *testing.T) {
	tk := newTask(0)
	r, w := NewPair(tk, unix.O_NONBLOCK)
	if n, err := r.Read(tk, make([]byte, 8)); n != 0 || err != unix.EAGAIN {
		t.Fatalf("empty read: %d %v", n, err)
	}
	w.Write(tk, []byte("hello, "))
	w.Write(tk, []byte("world"))
	if e := r.Impl().(*End); e.p.Queued() != 12 {
		t.Fatalf("FIONREAD %d", e.p.Queued())
	}
	buf := make([]byte, 5)
	if n, _ := r.Read(tk, buf); string(buf[:n]) != "hello" {
		t.Fatalf("read %q", buf[:n])
	}
	w.DecRef()
	buf = make([]byte, 100)
	if n, _ := r.Read(tk, buf); string(buf[:n]) != ", world" {
		t.Fatalf("read %q", buf[:n])
	}
	if n, err := r.Read(tk, buf); n != 0 || err != nil {
		t.Fatalf("read at EOF: %d %v", n, err)
	}

	r2, w2 := NewPair(tk, 0)
	defer w2.DecRef()
	r2.DecRef()
	if n, err := w2.Write(tk, []byte("x")); n != 0 || err != unix.EPIPE {
		t.Fatalf("write without readers: %d %v", n, err)
	}
	sigs := tk.sigs()
	if len(sigs) != 1 || sigs[0].Signo != int32(linux.SIGPIPE) || sigs[0].Code != linux.SI_USER || sigs[0].PID() != 42 {
		t.Fatalf("signals %+v, want one SIGPIPE from pid 42", sigs)
	}
	if n, err := w2.Write(tk, nil); n != 0 || err != nil {
		t.Fatalf("empty write without readers: %d %v (Linux returns 0 first)", n, err)
	}
	r.DecRef()
}

func TestPacketMode(t *testing.T) {
	r, w, tk := pair(t, unix.O_DIRECT|unix.O_NONBLOCK)
	for _, s := range []string{"one", "two", "three"} {
		w.Write(tk, []byte(s))
	}
	w.Write(tk, bytes.Repeat([]byte{'p'}, 5000)) // two packets: 4096 and 904
	buf := make([]byte, 100)
	var got []string
	for {
		n, err := r.Read(tk, buf)
		if err != nil {
			break
		}
		got = append(got, string(buf[:min(n, 5)]))
	}
	want := []string{"one", "two", "three", "ppppp", "ppppp"}
	if len(got) != len(want) {
		t.Fatalf("packets %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("packets %q, want %q", got, want)
		}
	}
	// A short read drops the rest of its packet.
	w.Write(tk, []byte("abcdef"))
	w.Write(tk, []byte("gh"))
	small := make([]byte, 2)
	n, _ := r.Read(tk, small)
	n2, _ := r.Read(tk, small)
	if string(small[:n]) != "gh" || n2 != 2 || n != 2 {
		t.Fatalf("after a short read: %q", small[:n])
	}
	// Packets never merge, so each small write takes a slot.
	_, w3, tk3 := pair(t, unix.O_DIRECT|unix.O_NONBLOCK)
	if got := fill(t, tk3, w3, 1); got != 16 {
		t.Fatalf("%d one-byte packets fit, want 16", got)
	}
}

func TestSetSize(t *testing.T) {
	r, w, tk := pair(t, unix.O_NONBLOCK)
	p := r.Impl().(*End).Pipe()
	for _, c := range []struct {
		size uint64
		want int
		err  error
	}{
		{0, 4096, nil}, {1, 4096, nil}, {4097, 8192, nil}, {3 * 4096, 16384, nil},
		{1 << 20, 1 << 20, nil}, {1<<20 + 1, 0, unix.EPERM}, {1<<31 + 1, 0, unix.EINVAL},
		{65536, 65536, nil},
	} {
		got, err := p.SetSize(tk, c.size)
		if got != c.want || err != c.err {
			t.Errorf("SetSize(%d) = %d %v, want %d %v", c.size, got, err, c.want, c.err)
		}
	}
	root := newTask(0)
	if got, err := p.SetSize(root, 4<<20); got != 4<<20 || err != nil {
		t.Errorf("CAP_SYS_RESOURCE SetSize(4 MiB) = %d %v", got, err)
	}
	p.SetSize(tk, 65536) // shrinking past the limit needs no privilege
	fill(t, tk, w, 4096)
	if _, err := p.SetSize(tk, 8192); err != unix.EBUSY {
		t.Errorf("shrinking below the data: %v, want EBUSY", err)
	}
}

func TestBlockingAndInterrupt(t *testing.T) {
	r, w, tk := pair(t, 0)
	writer := newTask(1000)
	go func() {
		time.Sleep(20 * time.Millisecond)
		w.Write(writer, []byte("late"))
	}()
	buf := make([]byte, 10)
	if n, err := r.Read(tk, buf); string(buf[:n]) != "late" || err != nil {
		t.Fatalf("blocking read: %q %v", buf[:n], err)
	}
	go func() {
		time.Sleep(20 * time.Millisecond)
		tk.intr <- struct{}{}
	}()
	if n, err := r.Read(tk, buf); n != 0 || err != vfs.ErrInterrupted {
		t.Fatalf("interrupted read: %d %v", n, err)
	}
	// A blocking write bigger than the pipe completes as the reader drains
	// it, and an interrupted one returns what it wrote.
	done := make(chan int)
	go func() {
		n, _ := w.Write(writer, make([]byte, 200000))
		done <- n
	}()
	total := 0
	for total < 200000 {
		n, err := r.Read(tk, make([]byte, 30000))
		if err != nil {
			t.Fatal(err)
		}
		total += n
	}
	if n := <-done; n != 200000 {
		t.Fatalf("blocking write wrote %d", n)
	}
	go func() {
		time.Sleep(20 * time.Millisecond)
		writer.intr <- struct{}{}
	}()
	if n, err := w.Write(writer, make([]byte, 100000)); n != 65536 || err != nil {
		t.Fatalf("interrupted write: %d %v, want the 65536 that fit", n, err)
	}
}

func TestReadiness(t *testing.T) {
	r, w, tk := pair(t, unix.O_NONBLOCK)
	re, we := r.Impl().(*End), w.Impl().(*End)
	if got := re.Readiness(waiter.AllEvents); got != 0 {
		t.Errorf("empty reader: %#x", got)
	}
	if got := we.Readiness(waiter.AllEvents); got != waiter.WritableEvents {
		t.Errorf("empty writer: %#x", got)
	}
	e := waiter.NewEntry()
	re.EventRegister(e, waiter.ReadableEvents)
	w.Write(tk, []byte("x"))
	select {
	case <-e.C():
	default:
		t.Error("write did not notify the reader")
	}
	re.EventUnregister(e)
	if got := re.Readiness(waiter.EventIn); got != waiter.EventIn {
		t.Errorf("reader with data, asked for EPOLLIN: %#x", got)
	}
	fill(t, tk, w, 4096)
	if got := we.Readiness(waiter.AllEvents); got != 0 {
		t.Errorf("full writer: %#x", got)
	}
	r.IncRef() // keep r for the Cleanup
	r.DecRef()
	w.IncRef()
	w.DecRef()
}

func TestHangupAndError(t *testing.T) {
	tk := newTask(0)
	r, w := NewPair(tk, 0)
	re, we := r.Impl().(*End), w.Impl().(*End)
	w.DecRef()
	if got := re.Readiness(waiter.EventIn); got != waiter.EventHup {
		t.Errorf("reader after the writer closed: %#x", got)
	}
	r2, w2 := NewPair(tk, 0)
	r2.DecRef()
	if got := w2.Impl().(*End).Readiness(waiter.EventOut); got != waiter.EventOut|waiter.EventErr {
		t.Errorf("writer after the reader closed: %#x", got)
	}
	_ = we
	r.DecRef()
	w2.DecRef()
}

func TestSpliceAndTee(t *testing.T) {
	tk := newTask(0)
	r1, w1 := NewPair(tk, unix.O_NONBLOCK)
	r2, w2 := NewPair(tk, unix.O_NONBLOCK)
	defer func() {
		for _, f := range []*vfs.File{r1, w1, r2, w2} {
			f.DecRef()
		}
	}()
	p1, p2 := r1.Impl().(*End).Pipe(), r2.Impl().(*End).Pipe()
	if _, err := Splice(tk, p1, p1, 10, true); err != unix.EINVAL {
		t.Fatalf("splice to itself: %v", err)
	}
	if n, err := Splice(tk, p1, p2, 10, true); n != 0 || err != unix.EAGAIN {
		t.Fatalf("splice from an empty pipe: %d %v", n, err)
	}
	w1.Write(tk, []byte("abcdef"))
	w1.Write(tk, bytes.Repeat([]byte{'z'}, 5000))
	if n, err := Tee(tk, p1, p2, 4, true); n != 4 || err != nil {
		t.Fatalf("tee: %d %v", n, err)
	}
	if p1.Queued() != 5006 || p2.Queued() != 4 {
		t.Fatalf("after tee: %d and %d queued", p1.Queued(), p2.Queued())
	}
	if n, err := Splice(tk, p1, p2, 3, true); n != 3 || err != nil {
		t.Fatalf("splice: %d %v", n, err)
	}
	buf := make([]byte, 100)
	n, _ := r2.Read(tk, buf)
	if string(buf[:n]) != "abcdabc" {
		t.Fatalf("read %q", buf[:n])
	}
	if n, err := Splice(tk, p1, p2, 1<<20, true); n != 5003 || err != nil {
		t.Fatalf("splice the rest: %d %v", n, err)
	}
	n, _ = r2.Read(tk, buf)
	if string(buf[:n]) != "def"+string(bytes.Repeat([]byte{'z'}, 97)) {
		t.Fatalf("read %q", buf[:n])
	}
	// Without readers on the output: EPIPE and SIGPIPE.
	w1.Write(tk, []byte("x"))
	r2.DecRef()
	r2 = nil
	if _, err := Splice(tk, p1, p2, 1, true); err != unix.EPIPE || len(tk.sigs()) != 1 {
		t.Fatalf("splice without readers: %v, signals %v", err, tk.sigs())
	}
	r2, _ = NewPair(tk, 0) // something to DecRef
}

func TestSpliceOutAndIn(t *testing.T) {
	r, w, tk := pair(t, unix.O_NONBLOCK)
	p := r.Impl().(*End).Pipe()
	src := bytes.Repeat([]byte("0123456789"), 10000)
	var sink bytes.Buffer
	n, err := p.SpliceIn(tk, len(src), true, func(b []byte) (int, error) { return copy(b, src), nil })
	if n != 65536 || err != nil {
		t.Fatalf("SpliceIn: %d %v (want one pipe's worth)", n, err)
	}
	if _, err := p.SpliceIn(tk, 10, true, nil); err != unix.EAGAIN {
		t.Fatalf("SpliceIn into a full pipe: %v", err)
	}
	// The sink takes 1000 bytes at a time: the rest stays in the pipe.
	n, err = p.SpliceOut(tk, 5000, true, func(b []byte) (int, error) {
		k := min(len(b), 1000)
		sink.Write(b[:k])
		return k, nil
	})
	if n != 1000 || err != nil || p.Queued() != 64536 {
		t.Fatalf("SpliceOut: %d %v, %d left", n, err, p.Queued())
	}
	n, _ = p.SpliceOut(tk, 1<<20, true, func(b []byte) (int, error) { return sink.Write(b) })
	if n != 64536 || !bytes.Equal(sink.Bytes(), src[:65536]) {
		t.Fatalf("SpliceOut moved %d, data matches %v", n, bytes.Equal(sink.Bytes(), src[:65536]))
	}
	if _, err := p.SpliceOut(tk, 10, true, nil); err != unix.EAGAIN {
		t.Fatalf("SpliceOut of an empty pipe: %v", err)
	}
	// Data spliced in is not merged with: a small write needs a new slot.
	p.SpliceIn(tk, 10, true, func(b []byte) (int, error) { return copy(b, "abcdefghij"), nil })
	w.Write(tk, []byte("k"))
	if len(p.bufs) != 2 {
		t.Fatalf("%d buffers, want 2", len(p.bufs))
	}
}

func TestFIFO(t *testing.T) {
	fs, root := tmpfs.New("tmpfs", 0o777, 0, 0)
	AttachFIFOs(fs)
	created, err := root.Create(nil, "f", vfs.CreateOpts{Mode: unix.S_IFIFO | 0o644})
	if err != nil {
		t.Fatal(err)
	}
	in := created.(*tmpfs.Inode)
	want, _ := in.Stat(nil)
	tk := newTask(0)
	open := func(flags int) (*vfs.File, error) {
		impl, err := in.Open(tk, flags)
		if err != nil {
			return nil, err
		}
		return vfs.NewFile(impl, vfs.VirtualDentry{}, flags), nil
	}
	if _, err := open(unix.O_WRONLY | unix.O_NONBLOCK); err != unix.ENXIO {
		t.Fatalf("O_WRONLY|O_NONBLOCK without a reader: %v, want ENXIO", err)
	}
	if _, err := open(unix.O_RDONLY | unix.O_DIRECT); err != unix.EINVAL {
		t.Fatalf("O_DIRECT: %v, want EINVAL", err)
	}
	r, err := open(unix.O_RDONLY | unix.O_NONBLOCK)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := r.Read(tk, make([]byte, 4)); n != 0 || err != nil {
		t.Fatalf("read with no writer ever: %d %v, want EOF", n, err)
	}
	if got := r.Impl().(*End).Readiness(waiter.AllEvents); got != 0 {
		t.Fatalf("no EPOLLHUP before a writer came: %#x", got)
	}
	w, err := open(unix.O_WRONLY | unix.O_NONBLOCK)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(tk, []byte("data"))
	if st, _ := r.Stat(tk); st.Type() != unix.S_IFIFO || st.Ino != want.Ino {
		t.Fatalf("fstat of a FIFO: %+v", st)
	}
	r.DecRef()
	w.DecRef()
	// Everything closed: the data is gone.
	rw, _ := open(unix.O_RDWR | unix.O_NONBLOCK)
	if n, err := rw.Read(tk, make([]byte, 4)); n != 0 || err != unix.EAGAIN {
		t.Fatalf("reopened FIFO kept data: %d %v", n, err)
	}
	rw.DecRef()

	// A blocking open for reading waits until a writer opens.
	opened := make(chan *vfs.File)
	go func() {
		br, err := open(unix.O_RDONLY)
		if err != nil {
			t.Errorf("blocking open: %v", err)
		}
		opened <- br
	}()
	select {
	case <-opened:
		t.Fatal("open for reading returned before any writer")
	case <-time.After(20 * time.Millisecond):
	}
	w, _ = open(unix.O_WRONLY)
	br := <-opened
	w.Write(tk, []byte("hi"))
	buf := make([]byte, 10)
	if n, _ := br.Read(tk, buf); string(buf[:n]) != "hi" {
		t.Fatalf("read %q", buf[:n])
	}
	w.DecRef()
	br.DecRef()

	// With a task, Open itself waits, and can be interrupted.
	p := FIFO(in)
	go func() {
		time.Sleep(20 * time.Millisecond)
		tk.intr <- struct{}{}
	}()
	if _, err := p.Open(tk, unix.O_WRONLY, in); err != vfs.ErrInterrupted {
		t.Fatalf("interrupted open: %v", err)
	}
	if p.readers != 0 || p.writers != 0 {
		t.Fatalf("interrupted open left %d readers %d writers", p.readers, p.writers)
	}
}

func TestDevicesStillOpen(t *testing.T) {
	fs, root := tmpfs.New("tmpfs", 0o777, 0, 0)
	called := false
	fs.NewSpecial = func(ctx vfs.Context, in *tmpfs.Inode, flags int) (vfs.FileImpl, error) {
		called = true
		return nil, unix.ENODEV
	}
	AttachFIFOs(fs)
	in, _ := root.Create(nil, "c", vfs.CreateOpts{Mode: unix.S_IFCHR | 0o644})
	if _, err := in.Open(nil, unix.O_RDONLY); err != unix.ENODEV || !called {
		t.Fatalf("a device went elsewhere: %v", err)
	}
	fs2, root2 := tmpfs.New("tmpfs", 0o777, 0, 0)
	AttachFIFOs(fs2)
	sock, _ := root2.Create(nil, "s", vfs.CreateOpts{Mode: unix.S_IFSOCK | 0o644})
	if _, err := sock.Open(nil, unix.O_RDONLY); err != unix.ENXIO {
		t.Fatalf("socket: %v, want ENXIO", err)
	}
}

func TestPipeStat(t *testing.T) {
	r, w, tk := pair(t, 0)
	rs, _ := r.Stat(tk)
	ws, _ := w.Stat(tk)
	if rs.Ino != ws.Ino || rs.Dev != ws.Dev || rs.Mode != unix.S_IFIFO|0o600 || rs.UID != 1000 || rs.Nlink != 1 || rs.Blksize != 4096 {
		t.Fatalf("fstat: %+v", rs)
	}
	if r.Flags() != unix.O_RDONLY || w.Flags() != unix.O_WRONLY {
		t.Fatalf("flags %#o %#o", r.Flags(), w.Flags())
	}
	if got := r.Impl().(*End).LinkName(); got != "pipe:["+itoa(rs.Ino)+"]" {
		t.Fatalf("link name %q", got)
	}
	// FIONREAD.
	w.Write(tk, []byte("abc"))
	r.Impl().(*End).Ioctl(tk, fionread, 0x1000)
	if b := tk.mem[0x1000]; len(b) != 4 || b[0] != 3 {
		t.Fatalf("FIONREAD wrote %v", b)
	}
}

func itoa(v uint64) string {
	if v < 10 {
		return string(rune('0' + v))
	}
	return itoa(v/10) + string(rune('0'+v%10))
}
