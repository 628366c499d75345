package syscalls

import (
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/vfs"
)

// waiter blocks like a task; intr interrupts it.
type lockWaiter struct{ intr chan struct{} }

func newLockWaiter() *lockWaiter { return &lockWaiter{intr: make(chan struct{}, 1)} }

func (w *lockWaiter) Block(ch <-chan struct{}, deadline time.Time) error {
	select {
	case <-ch:
		return nil
	case <-w.intr:
		return vfs.ErrInterrupted
	}
}

func rec(owner any, typ int16, start, end int64) recordLock {
	return recordLock{owner: owner, typ: typ, start: start, end: end, pid: 1}
}

func TestRecordLockSplitAndMerge(t *testing.T) {
	lt := newLockTable()
	a, b := "owner a", "owner b"
	key := "file"
	w := newLockWaiter()
	steps := []struct {
		req  recordLock
		want []recordLock // a's locks afterwards
	}{
		{rec(a, unix.F_WRLCK, 0, 99), []recordLock{rec(a, unix.F_WRLCK, 0, 99)}},
		{rec(a, unix.F_UNLCK, 40, 59), []recordLock{rec(a, unix.F_WRLCK, 0, 39), rec(a, unix.F_WRLCK, 60, 99)}},
		{rec(a, unix.F_RDLCK, 30, 49), []recordLock{rec(a, unix.F_WRLCK, 0, 29), rec(a, unix.F_RDLCK, 30, 49), rec(a, unix.F_WRLCK, 60, 99)}},
		// Adjacent locks of one type merge.
		{rec(a, unix.F_WRLCK, 50, 59), []recordLock{rec(a, unix.F_WRLCK, 0, 29), rec(a, unix.F_RDLCK, 30, 49), rec(a, unix.F_WRLCK, 50, 99)}},
		{rec(a, unix.F_WRLCK, 30, 49), []recordLock{rec(a, unix.F_WRLCK, 0, 99)}},
		{rec(a, unix.F_WRLCK, 100, offsetMax), []recordLock{rec(a, unix.F_WRLCK, 0, offsetMax)}},
		{rec(a, unix.F_UNLCK, 0, offsetMax), nil},
	}
	for i, s := range steps {
		if err := lt.setRecord(w, key, s.req, false, false); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		var got []recordLock
		if fl := lt.files[key]; fl != nil {
			got = fl.records
		}
		if len(got) != len(s.want) {
			t.Fatalf("step %d: locks %+v, want %+v", i, got, s.want)
		}
		for j := range got {
			if got[j] != s.want[j] {
				t.Fatalf("step %d: locks %+v, want %+v", i, got, s.want)
			}
		}
	}
	if len(lt.files) != 0 {
		t.Fatal("an empty lock set was kept")
	}
	// Conflicts are between owners, and only with a write lock.
	lt.setRecord(w, key, rec(a, unix.F_RDLCK, 0, 9), false, false)
	if err := lt.setRecord(w, key, rec(b, unix.F_RDLCK, 5, 5), false, false); err != nil {
		t.Fatalf("two read locks: %v", err)
	}
	if err := lt.setRecord(w, key, rec(b, unix.F_WRLCK, 9, 20), false, false); err != unix.EAGAIN {
		t.Fatalf("write over a read lock: %v", err)
	}
	if c, ok := lt.test(key, rec(b, unix.F_WRLCK, 0, 0)); !ok || c.owner != a {
		t.Fatalf("test found %+v %v", c, ok)
	}
	if _, ok := lt.test(key, rec(a, unix.F_WRLCK, 0, 100)); !ok {
		t.Fatal("a does not see b's read lock")
	}
}

func TestRecordLockWaitAndDeadlock(t *testing.T) {
	lt := newLockTable()
	a, b := "a", "b"
	wa, wb := newLockWaiter(), newLockWaiter()
	lt.setRecord(wa, "f1", rec(a, unix.F_WRLCK, 0, 0), false, false)
	lt.setRecord(wb, "f2", rec(b, unix.F_WRLCK, 0, 0), false, false)
	done := make(chan error)
	go func() { done <- lt.setRecord(wa, "f2", rec(a, unix.F_WRLCK, 0, 0), true, false) }()
	// Wait until a sleeps, waiting for b.
	for {
		lt.mu.Lock()
		_, waiting := lt.blockedOn[a]
		lt.mu.Unlock()
		if waiting {
			break
		}
		time.Sleep(time.Millisecond)
	}
	if err := lt.setRecord(wb, "f1", rec(b, unix.F_WRLCK, 0, 0), true, false); err != unix.EDEADLK {
		t.Fatalf("b waiting for a waiting for b: %v, want EDEADLK", err)
	}
	lt.setRecord(wb, "f2", rec(b, unix.F_UNLCK, 0, 0), false, false)
	if err := <-done; err != nil {
		t.Fatalf("a's wait ended with %v", err)
	}
	// An interrupted wait leaves nothing behind.
	go func() { done <- lt.setRecord(wb, "f2", rec(b, unix.F_WRLCK, 0, 0), true, false) }()
	time.Sleep(10 * time.Millisecond)
	wb.intr <- struct{}{}
	if err := <-done; err != vfs.ErrInterrupted {
		t.Fatalf("interrupted wait: %v", err)
	}
	if len(lt.blockedOn) != 0 {
		t.Fatalf("blockedOn kept %v", lt.blockedOn)
	}
}

func TestFlockTable(t *testing.T) {
	lt := newLockTable()
	w := newLockWaiter()
	f1, f2 := &vfs.File{}, &vfs.File{}
	if err := lt.flock(w, "k", f1, unix.F_RDLCK, false); err != nil {
		t.Fatal(err)
	}
	if err := lt.flock(w, "k", f2, unix.F_RDLCK, false); err != nil {
		t.Fatal(err)
	}
	if err := lt.flock(w, "k", f2, unix.F_WRLCK, false); err != unix.EWOULDBLOCK {
		t.Fatalf("upgrade with another reader: %v", err)
	}
	// The failed upgrade dropped f2's shared lock, as on Linux.
	if err := lt.flock(w, "k", f1, unix.F_WRLCK, false); err != nil {
		t.Fatalf("f1's upgrade: %v", err)
	}
	done := make(chan error)
	go func() { done <- lt.flock(w, "k", f2, unix.F_RDLCK, true) }()
	time.Sleep(10 * time.Millisecond)
	lt.mu.Lock()
	lt.releasedLocked("k", f1)
	lt.mu.Unlock()
	if err := <-done; err != nil {
		t.Fatalf("waiting flock: %v", err)
	}
	lt.flock(w, "k", f2, unix.F_UNLCK, false)
	if len(lt.files) != 0 {
		t.Fatal("an empty lock set was kept")
	}
}

func TestLockRangeOverflow(t *testing.T) {
	// Only the SEEK_SET cases: the others need a file.
	for _, c := range []struct {
		start, length int64
		s, e          int64
		err           error
	}{
		{0, 0, 0, offsetMax, nil},
		{10, 5, 10, 14, nil},
		{10, -5, 5, 9, nil},
		{2, -3, 0, 0, unix.EINVAL},
		{-1, 1, 0, 0, unix.EINVAL},
		{offsetMax, 2, 0, 0, unix.EOVERFLOW},
		{offsetMax, 1, offsetMax, offsetMax, nil},
	} {
		s, e, err := lockRange(nil, nil, unix.SEEK_SET, c.start, c.length)
		if s != c.s || e != c.e || err != c.err {
			t.Errorf("lockRange(%d, %d) = %d %d %v, want %d %d %v", c.start, c.length, s, e, err, c.s, c.e, c.err)
		}
	}
}
