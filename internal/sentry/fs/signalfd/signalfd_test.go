package signalfd

import (
	"encoding/binary"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/linux"
	"github.com/moat-sandbox/moat/internal/sentry/vfs"
	"github.com/moat-sandbox/moat/internal/sentry/vfs/vfstest"
	"github.com/moat-sandbox/moat/internal/sentry/waiter"
)

// task is a Task for tests: a queue of pending signals, and a Block that
// Interrupt interrupts.
type task struct {
	*vfstest.Task
	queue *waiter.Queue

	mu      sync.Mutex
	pending []linux.SignalInfo
}

func newTask(q *waiter.Queue) *task { return &task{Task: vfstest.NewTask(), queue: q} }

func (t *task) send(info linux.SignalInfo) {
	t.mu.Lock()
	t.pending = append(t.pending, info)
	t.mu.Unlock()
	t.queue.Notify(waiter.EventIn)
}

func (t *task) DequeueSignal(set linux.SignalSet) (*linux.SignalInfo, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for i, info := range t.pending {
		if set.Has(linux.Signal(info.Signo)) {
			t.pending = append(t.pending[:i], t.pending[i+1:]...)
			return &info, true
		}
	}
	return nil, false
}

func (t *task) Pending() linux.SignalSet {
	t.mu.Lock()
	defer t.mu.Unlock()
	var s linux.SignalSet
	for _, info := range t.pending {
		s |= linux.SignalSetOf(linux.Signal(info.Signo))
	}
	return s
}

func kill(sig linux.Signal, pid int32) linux.SignalInfo {
	info := linux.SignalInfo{Signo: int32(sig), Code: linux.SI_USER}
	info.SetPID(pid)
	info.SetUID(1000)
	return info
}

func field32(b []byte, off int) uint32 { return binary.LittleEndian.Uint32(b[off:]) }

func TestRead(t *testing.T) {
	var q waiter.Queue
	tk := newTask(&q)
	s := New(tk, &q, linux.SignalSetOf(linux.SIGUSR1)|linux.SignalSetOf(linux.SIGKILL), true)
	if s.Mask() != linux.SignalSetOf(linux.SIGUSR1) {
		t.Errorf("mask %#x: SIGKILL must not be in it", s.Mask())
	}
	buf := make([]byte, 3*SizeofSiginfo+5)
	if _, err := s.Read(tk, buf); err != unix.EAGAIN {
		t.Fatalf("empty: %v, want EAGAIN", err)
	}
	tk.send(kill(linux.SIGUSR2, 7))
	if _, err := s.Read(tk, buf); err != unix.EAGAIN {
		t.Fatalf("a signal outside the mask: %v, want EAGAIN", err)
	}
	if got := s.Readiness(waiter.EventIn); got != 0 {
		t.Errorf("readiness with SIGUSR2 pending: %#x", got)
	}
	tk.send(kill(linux.SIGUSR1, 7))
	tk.send(kill(linux.SIGUSR1, 8))
	if got := s.Readiness(waiter.EventIn | waiter.EventOut); got != waiter.EventIn {
		t.Errorf("readiness with SIGUSR1 pending: %#x, want EPOLLIN", got)
	}
	if _, err := s.Read(tk, buf[:SizeofSiginfo-1]); err != unix.EINVAL {
		t.Errorf("short buffer: %v, want EINVAL", err)
	}
	n, err := s.Read(tk, buf)
	if n != 2*SizeofSiginfo || err != nil {
		t.Fatalf("read: %d, %v; want two records", n, err)
	}
	for i, pid := range []uint32{7, 8} {
		r := buf[i*SizeofSiginfo:]
		if field32(r, 0) != uint32(linux.SIGUSR1) || field32(r, 12) != pid || field32(r, 16) != 1000 {
			t.Errorf("record %d: signo %d pid %d uid %d", i, field32(r, 0), field32(r, 12), field32(r, 16))
		}
	}
	s.SetMask(tk, linux.SignalSetOf(linux.SIGUSR2))
	if n, _ := s.Read(tk, buf); n != SizeofSiginfo || field32(buf, 0) != uint32(linux.SIGUSR2) {
		t.Errorf("after the mask changed: %d bytes, signo %d", n, field32(buf, 0))
	}
}

func TestBlockingRead(t *testing.T) {
	var q waiter.Queue
	tk := newTask(&q)
	s := New(tk, &q, linux.SignalSetOf(linux.SIGTERM), false)
	go func() {
		time.Sleep(10 * time.Millisecond)
		tk.send(kill(linux.SIGTERM, 1))
	}()
	buf := make([]byte, SizeofSiginfo)
	if n, err := s.Read(tk, buf); n != SizeofSiginfo || err != nil || field32(buf, 0) != uint32(linux.SIGTERM) {
		t.Fatalf("blocking read: %d, %v, signo %d", n, err, field32(buf, 0))
	}
	tk.Interrupt()
	if _, err := s.Read(tk, buf); err != vfs.ErrInterrupted {
		t.Errorf("interrupted read: %v, want ErrInterrupted", err)
	}
	// A signal of the mask that comes with the interruption is read.
	tk.Interrupt()
	tk.send(kill(linux.SIGTERM, 2))
	if n, err := s.Read(tk, buf); n != SizeofSiginfo || err != nil {
		t.Errorf("read with a signal pending and an interruption: %d, %v", n, err)
	}
}

func TestReadinessFor(t *testing.T) {
	var q waiter.Queue
	creator, other := newTask(&q), newTask(&q)
	s := New(creator, &q, linux.SignalSetOf(linux.SIGUSR1), true)
	other.send(kill(linux.SIGUSR1, 3))
	if got := s.ReadinessFor(other, waiter.EventIn); got != waiter.EventIn {
		t.Errorf("for the thread with the signal: %#x", got)
	}
	if got := s.ReadinessFor(creator, waiter.EventIn); got != 0 {
		t.Errorf("for the creator: %#x", got)
	}
	if got := s.Readiness(waiter.EventIn); got != 0 {
		t.Errorf("without a thread (the creator's view): %#x", got)
	}
	s.Read(other, make([]byte, SizeofSiginfo)) // other becomes the viewer
	other.send(kill(linux.SIGUSR1, 4))
	if got := s.Readiness(waiter.EventIn); got != waiter.EventIn {
		t.Errorf("without a thread after other read: %#x", got)
	}
}

func TestMarshalLayouts(t *testing.T) {
	le := binary.LittleEndian
	timer := linux.SignalInfo{Signo: int32(linux.SIGRTMIN), Code: linux.SI_TIMER}
	timer.SetTimer(5, 3)
	timer.SetValue(0x1122334455667788)
	queued := linux.SignalInfo{Signo: int32(linux.SIGRTMIN + 1), Code: linux.SI_QUEUE}
	queued.SetPID(42)
	queued.SetValue(99)
	chld := linux.SignalInfo{Signo: int32(linux.SIGCHLD), Code: linux.CLD_EXITED}
	chld.SetPID(43)
	chld.SetStatus(3)
	le.PutUint64(chld.Data[16:], 11)
	le.PutUint64(chld.Data[24:], 12)
	segv := linux.SignalInfo{Signo: int32(linux.SIGSEGV), Code: 1}
	segv.SetAddr(0xdead000)
	kern := linux.SignalInfo{Signo: int32(linux.SIGALRM), Code: linux.SI_KERNEL}
	kern.SetPID(77) // a kill layout: pid and uid are copied as they are
	sys := linux.SignalInfo{Signo: int32(linux.SIGSYS), Code: 1}
	le.PutUint64(sys.Data[0:], 0x401000)
	le.PutUint32(sys.Data[8:], 39)
	le.PutUint32(sys.Data[12:], 0xc000003e)
	poll := linux.SignalInfo{Signo: int32(linux.SIGIO), Code: linux.SI_SIGIO}
	le.PutUint64(poll.Data[0:], 0x41)
	le.PutUint32(poll.Data[8:], 6)

	for _, tc := range []struct {
		name string
		info linux.SignalInfo
		want map[int]uint64 // offset: value (4 bytes, or 8 at 48, 56, 64, 72, 88)
	}{
		{"timer", timer, map[int]uint64{8: 0xfffffffe, 24: 5, 32: 3, 44: 0x55667788, 48: 0x1122334455667788, 12: 0}},
		{"sigqueue", queued, map[int]uint64{12: 42, 44: 99, 48: 99, 32: 0}},
		{"child", chld, map[int]uint64{12: 43, 40: 3, 56: 11, 64: 12}},
		{"fault", segv, map[int]uint64{72: 0xdead000, 12: 0}},
		{"SI_KERNEL", kern, map[int]uint64{12: 77, 8: linux.SI_KERNEL}},
		{"seccomp", sys, map[int]uint64{88: 0x401000, 84: 39, 96: 0xc000003e}},
		{"poll", poll, map[int]uint64{28: 0x41, 20: 6}},
	} {
		b := make([]byte, SizeofSiginfo)
		for i := range b {
			b[i] = 0xee
		}
		Marshal(&tc.info, b)
		if got := field32(b, 0); got != uint32(tc.info.Signo) {
			t.Errorf("%s: signo %d", tc.name, got)
		}
		for off, want := range tc.want {
			var got uint64
			switch off {
			case 48, 56, 64, 72, 88:
				got = le.Uint64(b[off:])
			default:
				got = uint64(field32(b, off))
			}
			if got != want {
				t.Errorf("%s: at %d: %#x, want %#x", tc.name, off, got, want)
			}
		}
		for _, x := range b[100:] {
			if x != 0 {
				t.Errorf("%s: padding not zero", tc.name)
				break
			}
		}
	}
}
