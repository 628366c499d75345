package kernel

import (
	"encoding/binary"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/mm"
)

// futexKey names a futex word. Private futexes (and, for now, shared ones)
// are keyed by address space and address.
type futexKey struct {
	mm   *mm.MM
	addr uintptr
}

type futexWaiter struct {
	key    futexKey
	bitset uint32
	woken  chan struct{} // closed by the waker
	done   bool          // woken or requeued away; guarded by futexTable.mu
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
	if err := t.mm.CopyIn(addr, b[:]); err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint32(b[:]), nil
}

// FutexWait blocks while the word at addr holds val, until a wake with a
// matching bitset, the deadline (zero: none; ETIMEDOUT) or an interruption
// (vfs.ErrInterrupted). EAGAIN if the word differs.
func (t *Task) FutexWait(addr uintptr, val, bitset uint32, deadline time.Time) error {
	if bitset == 0 {
		return unix.EINVAL
	}
	ft := &t.k.futexes
	key := futexKey{t.mm, addr}
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
func (t *Task) FutexWake(addr uintptr, n int, bitset uint32) (int, error) {
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
	return ft.wakeLocked(futexKey{t.mm, addr}, n, bitset), nil
}

// FutexRequeue wakes up to nWake waiters on addr and moves up to nMove
// others to addr2. With check, the word at addr must hold val (EAGAIN).
func (t *Task) FutexRequeue(addr, addr2 uintptr, nWake, nMove int, check bool, val uint32) (int, error) {
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
	key, key2 := futexKey{t.mm, addr}, futexKey{t.mm, addr2}
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
func (t *Task) FutexWakeOp(addr, addr2 uintptr, n, n2 int, encoded uint32) (int, error) {
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
	woken := ft.wakeLocked(futexKey{t.mm, addr}, n, ^uint32(0))
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
		woken += ft.wakeLocked(futexKey{t.mm, addr2}, n2, ^uint32(0))
	}
	return woken, nil
}
