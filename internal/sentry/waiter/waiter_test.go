package waiter

import "testing"

func woken(e *Entry) bool {
	select {
	case <-e.C():
		return true
	default:
		return false
	}
}

func TestNotifyByMask(t *testing.T) {
	var q Queue
	in, out := NewEntry(), NewEntry()
	q.Register(in, ReadableEvents|EventHup)
	q.Register(out, WritableEvents|EventErr)
	cases := []struct {
		notify      EventMask
		wantIn, out bool
	}{
		{EventIn, true, false},
		{EventOut, false, true},
		{EventHup, true, false},
		{EventErr, false, true},
		{EventPri, false, false},
		{AllEvents, true, true},
	}
	for _, c := range cases {
		q.Notify(c.notify)
		if got := woken(in); got != c.wantIn {
			t.Errorf("notify %#x: reader woken %v, want %v", c.notify, got, c.wantIn)
		}
		if got := woken(out); got != c.out {
			t.Errorf("notify %#x: writer woken %v, want %v", c.notify, got, c.out)
		}
	}
}

func TestWakeUpsDoNotPileUp(t *testing.T) {
	var q Queue
	e := NewEntry()
	q.Register(e, EventIn)
	q.Notify(EventIn)
	q.Notify(EventIn) // must not block: one pending wake-up is enough
	if !woken(e) || woken(e) {
		t.Fatal("want exactly one pending wake-up")
	}
	q.Notify(EventIn)
	e.Clear()
	if woken(e) {
		t.Fatal("Clear left a wake-up")
	}
}

func TestUnregisterAndReregister(t *testing.T) {
	var q Queue
	a, b, c := NewEntry(), NewEntry(), NewEntry()
	q.Register(a, EventIn)
	q.Register(b, EventIn)
	q.Register(c, EventIn)
	q.Unregister(b)
	q.Unregister(b) // twice is harmless
	if q.Len() != 2 {
		t.Fatalf("Len = %d, want 2", q.Len())
	}
	q.Notify(EventIn)
	if !woken(a) || woken(b) || !woken(c) {
		t.Fatal("wrong entries woken after Unregister")
	}
	// Registering again changes the mask without adding the entry twice.
	q.Register(a, EventOut)
	if q.Len() != 2 || q.Interest() != EventIn|EventOut {
		t.Fatalf("Len %d Interest %#x", q.Len(), q.Interest())
	}
	q.Notify(EventIn)
	if woken(a) || !woken(c) {
		t.Fatal("mask change not honoured")
	}
	q.Unregister(a)
	q.Unregister(c)
	if q.Len() != 0 || q.Interest() != 0 {
		t.Fatal("queue not empty")
	}
	// Moving an entry to another queue leaves the first.
	var q2 Queue
	q.Register(a, EventIn)
	q2.Register(a, EventIn)
	if q.Len() != 0 || q2.Len() != 1 {
		t.Fatalf("move: Len %d and %d", q.Len(), q2.Len())
	}
}

func TestCallbackEntry(t *testing.T) {
	var q Queue
	var got []EventMask
	e := NewCallbackEntry(func(m EventMask) { got = append(got, m) })
	q.Register(e, EventIn|EventRdHup)
	q.Notify(EventIn | EventOut)
	q.Notify(EventOut)
	q.Notify(EventRdHup)
	if len(got) != 2 || got[0] != EventIn || got[1] != EventRdHup {
		t.Fatalf("callback saw %#x, want [EventIn EventRdHup]", got)
	}
	if e.C() != nil {
		t.Fatal("a callback entry has no channel")
	}
}

func TestLinuxValues(t *testing.T) {
	// The masks are passed to and from the application as they are.
	for _, c := range []struct {
		m    EventMask
		want uint32
	}{{EventIn, 0x1}, {EventPri, 0x2}, {EventOut, 0x4}, {EventErr, 0x8}, {EventHup, 0x10}, {EventRdHup, 0x2000}} {
		if uint32(c.m) != c.want {
			t.Errorf("%#x != %#x", c.m, c.want)
		}
	}
}
