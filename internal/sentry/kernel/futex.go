package kernel

import (
	"encoding/binary"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/mm"
)

// futexKey names a futex word: private futexes by address space and
// address, shared ones in shared memory by the memory object and offset
// (so that processes mapping it at different addresses meet).
type futexKey struct {
	mm      *mm.MM
	addr    uintptr
	shareID uint64
	off     int64
}

// FutexKey returns the key of the word at addr.
func (t *Task) FutexKey(addr uintptr, private bool) futexKey {
	if !private {
		if id, off, ok := t.MM().SharedKey(addr); ok {
			return futexKey{shareID: id, off: off}
		}
	}
	return futexKey{mm: t.MM(), addr: addr}
}

type futexWaiter struct {
	key    futexKey
	bitset uint32
	woken  chan struct{} // closed by the waker
	done   bool          // woken or requeued away; guarded by futexTable.mu
	// PI waiters: their TID, and whether the unlocker made them owner.
	pi         bool
	tid        int32
	handedOver bool
	// The PI waiter's task and futex address, to read the word when an
	// owner dies (wakeDeadOwnerWaiters).
	t    *Task
	addr uintptr
}

// futexTable holds every waiting task. One lock: the operations are short,
// and a waker must see a waiter that has checked the futex word.
type futexTable struct {
	mu      sync.Mutex
	waiters map[futexKey][]*futexWaiter
}

func (ft *futexTable) init() {
	if ft.waiters == nil {
		ft.waiters = map[futexKey][]*futexWaiter{}
	}
}

// readWord reads the 32-bit futex word; EFAULT when it cannot, EINVAL when
// misaligned.
func (t *Task) readFutexWord(addr uintptr) (uint32, error) {
	if addr%4 != 0 {
		return 0, unix.EINVAL
	}
	var b [4]byte
	if err := t.MM().CopyIn(addr, b[:]); err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint32(b[:]), nil
}

// FutexWait blocks while the word at addr holds val, until a wake with a
// matching bitset, the deadline (zero: none; ETIMEDOUT) or an interruption
// (vfs.ErrInterrupted). EAGAIN if the word differs.
func (t *Task) FutexWait(addr uintptr, private bool, val, bitset uint32, deadline time.Time) error {
	if bitset == 0 {
		return unix.EINVAL
	}
	ft := &t.k.futexes
	key := t.FutexKey(addr, private)
	ft.mu.Lock()
	ft.init()
	cur, err := t.readFutexWord(addr)
	if err != nil {
		ft.mu.Unlock()
		return err
	}
	if cur != val {
		ft.mu.Unlock()
		return unix.EAGAIN
	}
	w := &futexWaiter{key: key, bitset: bitset, woken: make(chan struct{})}
	ft.waiters[key] = append(ft.waiters[key], w)
	ft.mu.Unlock()

	err = t.Block(w.woken, deadline)
	ft.mu.Lock()
	defer ft.mu.Unlock()
	if w.done {
		return nil // woken, even if a signal or timeout came too
	}
	ft.removeLocked(w)
	return err
}

func (ft *futexTable) removeLocked(w *futexWaiter) {
	list := ft.waiters[w.key]
	for i, x := range list {
		if x == w {
			list = append(list[:i], list[i+1:]...)
			break
		}
	}
	if len(list) == 0 {
		delete(ft.waiters, w.key)
	} else {
		ft.waiters[w.key] = list
	}
}

// wakeLocked wakes up to n waiters on key whose bitset matches.
func (ft *futexTable) wakeLocked(key futexKey, n int, bitset uint32) int {
	woken := 0
	list := ft.waiters[key]
	kept := list[:0]
	for _, w := range list {
		if woken < n && w.bitset&bitset != 0 {
			w.done = true
			close(w.woken)
			woken++
			continue
		}
		kept = append(kept, w)
	}
	if len(kept) == 0 {
		delete(ft.waiters, key)
	} else {
		ft.waiters[key] = kept
	}
	return woken
}

// FutexWake wakes up to n waiters on addr and returns how many.
func (t *Task) FutexWake(addr uintptr, private bool, n int, bitset uint32) (int, error) {
	if bitset == 0 {
		return 0, unix.EINVAL
	}
	if addr%4 != 0 {
		return 0, unix.EINVAL
	}
	ft := &t.k.futexes
	ft.mu.Lock()
	defer ft.mu.Unlock()
	ft.init()
	return ft.wakeLocked(t.FutexKey(addr, private), n, bitset), nil
}

// FutexRequeue wakes up to nWake waiters on addr and moves up to nMove
// others to addr2. With check, the word at addr must hold val (EAGAIN).
func (t *Task) FutexRequeue(addr, addr2 uintptr, private bool, nWake, nMove int, check bool, val uint32) (int, error) {
	if addr%4 != 0 || addr2%4 != 0 {
		return 0, unix.EINVAL
	}
	ft := &t.k.futexes
	ft.mu.Lock()
	defer ft.mu.Unlock()
	ft.init()
	if check {
		cur, err := t.readFutexWord(addr)
		if err != nil {
			return 0, err
		}
		if cur != val {
			return 0, unix.EAGAIN
		}
	}
	key, key2 := t.FutexKey(addr, private), t.FutexKey(addr2, private)
	woken := ft.wakeLocked(key, nWake, ^uint32(0))
	moved := 0
	if key != key2 {
		list := ft.waiters[key]
		for len(list) > 0 && moved < nMove {
			w := list[0]
			list = list[1:]
			w.key = key2
			ft.waiters[key2] = append(ft.waiters[key2], w)
			moved++
		}
		if len(list) == 0 {
			delete(ft.waiters, key)
		} else {
			ft.waiters[key] = list
		}
	}
	return woken + moved, nil
}

// FutexWakeOp implements FUTEX_WAKE_OP: atomically apply op to the word at
// addr2 (through the stub's compare-and-swap), wake n on addr, and n2 on
// addr2 if the old value passes the comparison.
func (t *Task) FutexWakeOp(addr, addr2 uintptr, private bool, n, n2 int, encoded uint32) (int, error) {
	if addr%4 != 0 || addr2%4 != 0 {
		return 0, unix.EINVAL
	}
	op := (encoded >> 28) & 7
	shiftArg := encoded&(8<<28) != 0
	cmp := (encoded >> 24) & 15
	oparg := int32(encoded<<8) >> 20 // sign-extended 12 bits
	cmparg := int32(encoded<<20) >> 20
	if shiftArg {
		if oparg < 0 || oparg > 31 {
			return 0, unix.EINVAL
		}
		oparg = 1 << uint(oparg)
	}
	if op > 4 || cmp > 5 {
		return 0, unix.ENOSYS
	}
	ft := &t.k.futexes
	ft.mu.Lock()
	defer ft.mu.Unlock()
	ft.init()
	var old uint32
	for {
		cur, err := t.readFutexWord(addr2)
		if err != nil {
			return 0, err
		}
		var nv uint32
		switch op {
		case 0: // FUTEX_OP_SET
			nv = uint32(oparg)
		case 1: // ADD
			nv = cur + uint32(oparg)
		case 2: // OR
			nv = cur | uint32(oparg)
		case 3: // ANDN
			nv = cur &^ uint32(oparg)
		case 4: // XOR
			nv = cur ^ uint32(oparg)
		}
		got, err := t.th.CompareAndSwap32(addr2, cur, nv)
		if err != nil {
			return 0, unix.EFAULT
		}
		if got == cur {
			old = cur
			break
		}
	}
	woken := ft.wakeLocked(t.FutexKey(addr, private), n, ^uint32(0))
	o := int32(old)
	var pass bool
	switch cmp {
	case 0:
		pass = o == cmparg
	case 1:
		pass = o != cmparg
	case 2:
		pass = o < cmparg
	case 3:
		pass = o <= cmparg
	case 4:
		pass = o > cmparg
	case 5:
		pass = o >= cmparg
	}
	if pass {
		woken += ft.wakeLocked(t.FutexKey(addr2, private), n2, ^uint32(0))
	}
	return woken, nil
}

// PI futexes (futex(2) FUTEX_LOCK_PI and friends). The word holds the
// owner's TID, FUTEX_WAITERS when some task waits, FUTEX_OWNER_DIED when an
// owner died holding it. The Sentry has no scheduler priorities to
// inherit; it keeps the ownership protocol, which is what glibc's
// PTHREAD_PRIO_INHERIT mutexes rely on.

// casWord changes the futex word through the stub's compare-and-swap.
func (t *Task) casWord(addr uintptr, old, new uint32) (bool, error) {
	got, err := t.th.CompareAndSwap32(addr, old, new)
	if err != nil {
		return false, unix.EFAULT
	}
	return got == old, nil
}

// FutexLockPI takes the PI futex at addr, waiting (until deadline) while
// another task owns it; try fails with EAGAIN instead of waiting.
func (t *Task) FutexLockPI(addr uintptr, deadline time.Time, try bool) error {
	if addr%4 != 0 {
		return unix.EINVAL
	}
	ft := &t.k.futexes
	key := t.FutexKey(addr, false)
	for {
		ft.mu.Lock()
		ft.init()
		cur, err := t.readFutexWord(addr)
		if err != nil {
			ft.mu.Unlock()
			return err
		}
		owner := int32(cur & futexTIDMask)
		waiters := uint32(0)
		if len(ft.waiters[key]) > 0 {
			waiters = futexWaitersBit
		}
		switch {
		case owner == 0:
			ok, err := t.casWord(addr, cur, uint32(t.tid)|cur&futexOwnerDied|waiters)
			ft.mu.Unlock()
			if err != nil || ok {
				return err
			}
			continue
		case owner == t.tid:
			ft.mu.Unlock()
			return unix.EDEADLK
		case t.k.TaskByTID(owner) == nil:
			// The owner is gone: the lock passes on, marked.
			ok, err := t.casWord(addr, cur, uint32(t.tid)|futexOwnerDied|waiters)
			ft.mu.Unlock()
			if err != nil || ok {
				return err
			}
			continue
		case try:
			ft.mu.Unlock()
			return unix.EAGAIN
		}
		if cur&futexWaitersBit == 0 {
			ok, err := t.casWord(addr, cur, cur|futexWaitersBit)
			if err != nil || !ok {
				ft.mu.Unlock()
				if err != nil {
					return err
				}
				continue
			}
		}
		w := &futexWaiter{key: key, bitset: ^uint32(0), woken: make(chan struct{}), pi: true, tid: t.tid, t: t, addr: addr}
		ft.waiters[key] = append(ft.waiters[key], w)
		ft.mu.Unlock()
		err = t.Block(w.woken, deadline)
		ft.mu.Lock()
		if w.done {
			ft.mu.Unlock()
			if w.handedOver {
				return nil // the unlocker made us the owner
			}
			continue
		}
		ft.removeLocked(w)
		ft.mu.Unlock()
		if err != nil {
			return err
		}
	}
}

// FutexUnlockPI releases the PI futex at addr, handing it to the first
// waiter.
func (t *Task) FutexUnlockPI(addr uintptr) error {
	if addr%4 != 0 {
		return unix.EINVAL
	}
	ft := &t.k.futexes
	key := t.FutexKey(addr, false)
	ft.mu.Lock()
	defer ft.mu.Unlock()
	ft.init()
	for {
		cur, err := t.readFutexWord(addr)
		if err != nil {
			return err
		}
		if int32(cur&futexTIDMask) != t.tid {
			return unix.EPERM
		}
		list := ft.waiters[key]
		if len(list) == 0 {
			ok, err := t.casWord(addr, cur, 0)
			if err != nil {
				return err
			}
			if ok {
				return nil
			}
			continue
		}
		w := list[0]
		// Linux sets FUTEX_WAITERS on every hand-over, even to the last
		// waiter, so the new owner's unlock comes through the kernel.
		nv := uint32(w.tid) | futexWaitersBit
		ok, err := t.casWord(addr, cur, nv)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		ft.waiters[key] = list[1:]
		if len(list) == 1 {
			delete(ft.waiters, key)
		}
		w.done, w.handedOver = true, true
		close(w.woken)
		return nil
	}
}

// wakeDeadOwnerWaiters wakes the PI waiters blocked on a futex that the
// task, now gone from the task table, still owns: they find the owner dead
// and take the lock (as Linux's exit_pi_state_list hands it on) instead of
// waiting forever.
func (t *Task) wakeDeadOwnerWaiters() {
	ft := &t.k.futexes
	ft.mu.Lock()
	defer ft.mu.Unlock()
	for key, list := range ft.waiters {
		kept := list[:0]
		for _, w := range list {
			if w.pi && w.t != nil {
				if cur, err := w.t.readFutexWord(w.addr); err == nil && int32(cur&futexTIDMask) == t.tid {
					w.done = true
					close(w.woken)
					continue
				}
			}
			kept = append(kept, w)
		}
		if len(kept) == 0 {
			delete(ft.waiters, key)
		} else {
			ft.waiters[key] = kept
		}
	}
}
