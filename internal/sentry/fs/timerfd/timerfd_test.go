package timerfd

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

func read(tf *TimerFD, tk vfs.Task) (uint64, error) {
	b := make([]byte, 8)
	if _, err := tf.Read(tk, b); err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint64(b), nil
}

const ms = time.Millisecond

func TestOneShot(t *testing.T) {
	tk := newTask()
	tf := New(unix.CLOCK_MONOTONIC, false)
	defer tf.Release()
	if v, i := tf.Get(); v != 0 || i != 0 {
		t.Fatalf("new timer: %v %v, want disarmed", v, i)
	}
	oldV, oldI := tf.Set(20*ms, 0, false)
	if oldV != 0 || oldI != 0 {
		t.Errorf("old setting %v %v, want zero", oldV, oldI)
	}
	if v, _ := tf.Get(); v <= 0 || v > 20*ms {
		t.Errorf("remaining %v, want in (0, 20ms]", v)
	}
	if tf.Readiness(waiter.EventIn) != 0 {
		t.Error("readable before the expiry")
	}
	n, err := read(tf, tk) // blocks until the expiry
	if n != 1 || err != nil {
		t.Fatalf("read: %d, %v; want 1", n, err)
	}
	if v, _ := tf.Get(); v != 0 {
		t.Errorf("an expired one-shot timer has %v left, want 0", v)
	}
	tf.SetStatusFlags(unix.O_NONBLOCK)
	if _, err := read(tf, tk); err != unix.EAGAIN {
		t.Errorf("second read: %v, want EAGAIN", err)
	}
}

func TestPeriodicCountsMissedIntervals(t *testing.T) {
	tk := newTask()
	tf := New(unix.CLOCK_MONOTONIC, true)
	defer tf.Release()
	tf.Set(10*ms, 10*ms, false)
	time.Sleep(55 * ms)
	if tf.Readiness(waiter.EventIn|waiter.EventOut) != waiter.EventIn {
		t.Error("not readable after expiries")
	}
	n, err := read(tf, tk)
	if err != nil || n < 5 {
		t.Fatalf("read after 55ms of a 10ms timer: %d, %v; want at least 5", n, err)
	}
	if v, i := tf.Get(); v <= 0 || v > 10*ms || i != 10*ms {
		t.Errorf("after a read: %v left, interval %v", v, i)
	}
	// settime drops what was not read and reports the old setting.
	time.Sleep(25 * ms)
	oldV, oldI := tf.Set(0, 0, false)
	if oldI != 10*ms || oldV <= 0 || oldV > 10*ms {
		t.Errorf("old setting %v %v", oldV, oldI)
	}
	if _, err := read(tf, tk); err != unix.EAGAIN {
		t.Errorf("read after disarming: %v, want EAGAIN", err)
	}
}

func TestAbsoluteInThePast(t *testing.T) {
	tk := newTask()
	tf := New(unix.CLOCK_REALTIME, true)
	defer tf.Release()
	now := time.Duration(time.Now().UnixNano())
	tf.Set(now-time.Second, 100*ms, true)
	time.Sleep(5 * ms)
	n, err := read(tf, tk)
	if err != nil || n < 10 || n > 12 {
		t.Errorf("read: %d, %v; want the 10 to 12 periods of the last second", n, err)
	}
}

func TestErrorsAndInterrupt(t *testing.T) {
	tk := newTask()
	tf := New(unix.CLOCK_BOOTTIME, false)
	defer tf.Release()
	if _, err := tf.Read(tk, make([]byte, 4)); err != unix.EINVAL {
		t.Errorf("4-byte read: %v, want EINVAL", err)
	}
	if _, err := tf.Write(tk, make([]byte, 8)); err != unix.EINVAL {
		t.Errorf("write: %v, want EINVAL", err)
	}
	tk.Interrupt()
	if _, err := read(tf, tk); err != vfs.ErrInterrupted {
		t.Errorf("interrupted read: %v, want ErrInterrupted", err)
	}
	tf.Set(time.Duration(1<<62), 0, false)
	if v, _ := tf.Get(); v <= 0 {
		t.Errorf("a far expiry reads as %v", v)
	}
}

func TestReleaseStops(t *testing.T) {
	tf := New(unix.CLOCK_MONOTONIC, true)
	e := waiter.NewEntry()
	tf.EventRegister(e, waiter.EventIn)
	tf.Set(5*ms, 0, false)
	tf.Release()
	time.Sleep(20 * ms)
	select {
	case <-e.C():
		t.Error("a released timer fired")
	default:
	}
}
