package eventfd

import (
	"encoding/binary"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/vfs"
	"github.com/moat-sandbox/moat/internal/sentry/vfs/vfstest"
	"github.com/moat-sandbox/moat/internal/sentry/waiter"
)

func newTask() *vfstest.Task { return vfstest.NewTask() }

func u64(v uint64) []byte { return binary.LittleEndian.AppendUint64(nil, v) }

func read(t *testing.T, e *EventFD, tk vfs.Task) (uint64, error) {
	t.Helper()
	b := make([]byte, 8)
	n, err := e.Read(tk, b)
	if err != nil {
		return 0, err
	}
	if n != 8 {
		t.Fatalf("read returned %d bytes, want 8", n)
	}
	return binary.LittleEndian.Uint64(b), nil
}

func TestCounter(t *testing.T) {
	tk := newTask()
	for _, tc := range []struct {
		name      string
		init      uint64
		semaphore bool
		writes    []uint64
		reads     []uint64 // values read, then EAGAIN
	}{
		{"initial value", 3, false, nil, []uint64{3}},
		{"writes add up", 0, false, []uint64{5, 7}, []uint64{12}},
		{"semaphore takes one", 2, true, []uint64{1}, []uint64{1, 1, 1}},
		{"zero write", 0, false, []uint64{0}, nil},
		{"largest count", 0, false, []uint64{Max}, []uint64{Max}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := New(tc.init, tc.semaphore, true)
			for _, w := range tc.writes {
				if n, err := e.Write(tk, u64(w)); n != 8 || err != nil {
					t.Fatalf("write %d: %d, %v", w, n, err)
				}
			}
			for _, want := range tc.reads {
				if got, err := read(t, e, tk); got != want || err != nil {
					t.Fatalf("read: %d, %v; want %d", got, err, want)
				}
			}
			if _, err := read(t, e, tk); err != unix.EAGAIN {
				t.Fatalf("read of an empty counter: %v, want EAGAIN", err)
			}
		})
	}
}

func TestErrors(t *testing.T) {
	tk := newTask()
	e := New(1, false, true)
	if _, err := e.Read(tk, make([]byte, 7)); err != unix.EINVAL {
		t.Errorf("7-byte read: %v, want EINVAL", err)
	}
	if _, err := e.Write(tk, make([]byte, 4)); err != unix.EINVAL {
		t.Errorf("4-byte write: %v, want EINVAL", err)
	}
	if _, err := e.Write(tk, u64(^uint64(0))); err != unix.EINVAL {
		t.Errorf("write of 2^64-1: %v, want EINVAL", err)
	}
	if _, err := e.Write(tk, u64(Max)); err != unix.EAGAIN {
		t.Errorf("write past the largest count: %v, want EAGAIN", err)
	}
	if e.Count() != 1 {
		t.Errorf("count %d after failed writes, want 1", e.Count())
	}
	// A longer buffer moves 8 bytes.
	if n, err := e.Read(tk, make([]byte, 64)); n != 8 || err != nil {
		t.Errorf("64-byte read: %d, %v", n, err)
	}
}

func TestReadiness(t *testing.T) {
	tk := newTask()
	both := waiter.EventIn | waiter.EventOut
	e := New(0, false, true)
	if got := e.Readiness(both); got != waiter.EventOut {
		t.Errorf("empty: %#x, want EPOLLOUT", got)
	}
	e.Write(tk, u64(Max-1))
	if got := e.Readiness(both); got != both {
		t.Errorf("nearly full: %#x, want EPOLLIN|EPOLLOUT", got)
	}
	e.Write(tk, u64(1))
	if got := e.Readiness(both); got != waiter.EventIn {
		t.Errorf("full: %#x, want EPOLLIN", got)
	}
	if got := e.Readiness(waiter.EventRdNorm | waiter.EventWrNorm); got != 0 {
		t.Errorf("RDNORM|WRNORM: %#x, want none (Linux reports only IN and OUT)", got)
	}
}

func TestBlocking(t *testing.T) {
	reader, writer := newTask(), newTask()
	e := New(0, false, false)
	entry := waiter.NewEntry()
	e.EventRegister(entry, waiter.EventIn)
	defer e.EventUnregister(entry)

	got := make(chan uint64)
	go func() {
		v, err := read(t, e, reader)
		if err != nil {
			t.Error(err)
		}
		got <- v
	}()
	time.Sleep(10 * time.Millisecond)
	e.Write(writer, u64(9))
	if v := <-got; v != 9 {
		t.Errorf("blocked read got %d, want 9", v)
	}
	select {
	case <-entry.C():
	default:
		t.Error("a registered waiter was not woken by the write")
	}

	// A writer blocked on a full counter goes on once a read makes room.
	e.Write(writer, u64(Max))
	done := make(chan error)
	go func() {
		_, err := e.Write(writer, u64(2))
		done <- err
	}()
	time.Sleep(10 * time.Millisecond)
	if v, _ := read(t, e, reader); v != Max {
		t.Errorf("read %d, want Max", v)
	}
	if err := <-done; err != nil {
		t.Errorf("blocked write: %v", err)
	}
	if e.Count() != 2 {
		t.Errorf("count %d, want 2", e.Count())
	}
	read(t, e, reader)

	// An interrupted read returns ErrInterrupted and takes nothing.
	go func() {
		time.Sleep(10 * time.Millisecond)
		reader.Interrupt()
	}()
	if _, err := read(t, e, reader); err != vfs.ErrInterrupted {
		t.Errorf("interrupted read: %v, want ErrInterrupted", err)
	}
}

func TestStatusFlags(t *testing.T) {
	e := New(0, false, false)
	e.SetStatusFlags(unix.O_NONBLOCK)
	if _, err := read(t, e, newTask()); err != unix.EAGAIN {
		t.Errorf("read after F_SETFL O_NONBLOCK: %v, want EAGAIN", err)
	}
	if e.LinkName() != "anon_inode:[eventfd]" {
		t.Errorf("link name %q", e.LinkName())
	}
	if st, _ := e.Stat(nil); st.Mode != 0o600 {
		t.Errorf("mode %o, want 600", st.Mode)
	}
}
