package kernel

import (
	"encoding/binary"
)

// Robust futexes (get_robust_list(2)): a thread registers a list of the
// robust mutexes it holds; when it dies, each mutex word it owns gets
// FUTEX_OWNER_DIED and one waiter is woken, so the next locker sees
// EOWNERDEAD instead of hanging.
const (
	futexWaitersBit   = 0x80000000
	futexOwnerDied    = 0x40000000
	futexTIDMask      = 0x3fffffff
	robustListLimit   = 2048
	sizeofRobustEntry = 8
)

// exitRobustList walks the task's robust list. With atomic, words are
// updated through the stub's compare-and-swap (the thread is alive);
// without, by plain writes (the process is being killed; only other
// processes sharing the memory still look).
func (t *Task) exitRobustList(atomic bool) {
	head := t.robustList.Swap(0)
	if head == 0 || t.MM() == nil {
		return
	}
	var b [24]byte
	if t.MM().CopyIn(head, b[:]) != nil {
		return
	}
	le := binary.LittleEndian
	// Bit 0 of each list pointer marks the entry it points to as a PI
	// mutex (FUTEX_LOCK_PI); the entry's address is the pointer without it.
	next := uintptr(le.Uint64(b[0:])) &^ 1
	offset := uintptr(int64(le.Uint64(b[8:])))
	pending := uintptr(le.Uint64(b[16:])) &^ 1
	for n := 0; next != head && next != 0 && n < robustListLimit; n++ {
		var nb [8]byte
		if t.MM().CopyIn(next, nb[:]) != nil {
			break
		}
		if next != pending {
			t.handleDeadOwner(next+offset, atomic)
		}
		next = uintptr(le.Uint64(nb[:])) &^ 1
	}
	if pending != 0 {
		t.handleDeadOwner(pending+offset, atomic)
	}
}

// handleDeadOwner marks one robust futex word the task owns.
func (t *Task) handleDeadOwner(addr uintptr, atomic bool) {
	for tries := 0; tries < 16; tries++ {
		cur, err := t.readFutexWord(addr)
		if err != nil || cur&futexTIDMask != uint32(t.tid) {
			return
		}
		nv := cur&futexWaitersBit | futexOwnerDied
		if atomic {
			got, err := t.th.CompareAndSwap32(addr, cur, nv)
			if err != nil {
				return
			}
			if got != cur {
				continue
			}
		} else {
			var b [4]byte
			binary.LittleEndian.PutUint32(b[:], nv)
			if t.MM().CopyOut(addr, b[:]) != nil {
				return
			}
		}
		if cur&futexWaitersBit != 0 {
			t.FutexWake(addr, false, 1, ^uint32(0))
		}
		return
	}
}
