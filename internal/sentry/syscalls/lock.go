package syscalls

import (
	"math"
	"sort"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/fs/inotify"
	"github.com/moat-sandbox/moat/internal/sentry/kernel"
	"github.com/moat-sandbox/moat/internal/sentry/vfs"
)

// Advisory file locks, kept in the Sentry and never taken on host files:
// flock(2) locks, and fcntl(2) record locks in both kinds, POSIX locks
// (owned by the process, that is its fd table, and dropped by any close
// of the file in that process) and open file description locks (owned by
// the description, like flock locks, and dropped when it goes).
//
// Locks are kept per file, keyed by the vfs.Inode the file was opened at
// (or, for a pipe, the pipe). Waiters sleep on the file's changed channel,
// which every change closes and replaces, and then look again.

func init() {
	register(map[uintptr]Syscall{
		unix.SYS_FLOCK: {Handler: Flock, Args: []Arg{AFD, AHex}},
	})
	vfs.OnFDClose = func(t *vfs.FDTable, f *vfs.File) { locks.closed(t, f) }
	vfs.OnFileRelease = func(f *vfs.File) {
		inotify.Closed(f)
		locks.released(f)
		fileAsync.Delete(f)
	}
}

// offsetMax is OFFSET_MAX: a lock to the end of the file ends here.
const offsetMax = math.MaxInt64

// recordLock is one byte range locked by one owner.
type recordLock struct {
	owner any   // *vfs.FDTable (a POSIX lock) or *vfs.File (an OFD lock)
	typ   int16 // F_RDLCK or F_WRLCK (F_UNLCK in a request)
	start int64
	end   int64 // inclusive; offsetMax: to the end of the file
	pid   int32 // l_pid as F_GETLK reports it: -1 for OFD locks
}

func (l *recordLock) overlaps(o *recordLock) bool { return l.start <= o.end && o.start <= l.end }

// touches reports whether two ranges overlap or are adjacent.
func (l *recordLock) touches(o *recordLock) bool {
	return l.overlaps(o) || l.end != offsetMax && l.end+1 == o.start || o.end != offsetMax && o.end+1 == l.start
}

func (l *recordLock) conflicts(o *recordLock) bool {
	return l.owner != o.owner && l.overlaps(o) && (l.typ == unix.F_WRLCK || o.typ == unix.F_WRLCK)
}

// fileLocks are the locks of one file.
type fileLocks struct {
	records []recordLock // sorted by start
	flocks  map[*vfs.File]int16
	changed chan struct{}
}

func (fl *fileLocks) empty() bool { return len(fl.records) == 0 && len(fl.flocks) == 0 }

// notify wakes every waiter of the file.
func (fl *fileLocks) notify() {
	close(fl.changed)
	fl.changed = make(chan struct{})
}

// conflict returns the first lock held by another owner that req cannot
// coexist with.
func (fl *fileLocks) conflict(req *recordLock) (recordLock, bool) {
	for i := range fl.records {
		if fl.records[i].conflicts(req) {
			return fl.records[i], true
		}
	}
	return recordLock{}, false
}

// apply sets req's range of req's owner to req's type: the owner's locks
// in the range are cut away, and a new lock merges with the owner's
// adjacent and overlapping locks of the same type, as Linux merges them.
func (fl *fileLocks) apply(req recordLock) {
	var out []recordLock
	for _, l := range fl.records {
		if l.owner != req.owner || !l.overlaps(&req) {
			out = append(out, l)
			continue
		}
		if l.start < req.start {
			left := l
			left.end = req.start - 1
			out = append(out, left)
		}
		if l.end > req.end {
			right := l
			right.start = req.end + 1
			out = append(out, right)
		}
	}
	if req.typ != unix.F_UNLCK {
		n := req
		kept := out[:0]
		for _, l := range out {
			if l.owner == n.owner && l.typ == n.typ && l.touches(&n) {
				n.start, n.end = min(n.start, l.start), max(n.end, l.end)
				continue
			}
			kept = append(kept, l)
		}
		out = append(kept, n)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].start < out[j].start })
	fl.records = out
}

// dropOwner removes every record lock of owner; it reports whether there
// was one.
func (fl *fileLocks) dropOwner(owner any) bool {
	kept := fl.records[:0]
	for _, l := range fl.records {
		if l.owner != owner {
			kept = append(kept, l)
		}
	}
	dropped := len(kept) != len(fl.records)
	fl.records = kept
	return dropped
}

// blocker is the waiting part of a task.
type blocker interface {
	Block(ch <-chan struct{}, deadline time.Time) error
}

// lockTable holds every file's locks.
type lockTable struct {
	mu    sync.Mutex
	files map[any]*fileLocks
	// blockedOn maps a POSIX owner sleeping in F_SETLKW to the owner of
	// the lock it waits for: deadlock detection follows it.
	blockedOn map[any]any
}

var locks = newLockTable()

func newLockTable() *lockTable {
	return &lockTable{files: map[any]*fileLocks{}, blockedOn: map[any]any{}}
}

// lockKey is what a file's locks hang on: the inode it was opened at, or
// for a pipe the pipe shared by both ends.
func lockKey(f *vfs.File) any {
	if vd := f.VirtualDentry(); vd.Ok() {
		return vd.Inode()
	}
	if p := pipeOf(f); p != nil {
		return p
	}
	return f.Impl()
}

// get returns key's locks, making an empty set; lt.mu must be held.
func (lt *lockTable) get(key any) *fileLocks {
	fl := lt.files[key]
	if fl == nil {
		fl = &fileLocks{changed: make(chan struct{})}
		lt.files[key] = fl
	}
	return fl
}

// tidy forgets key's set when it is empty; lt.mu must be held. Waiters
// were woken by the change that emptied it and will look again.
func (lt *lockTable) tidy(key any, fl *fileLocks) {
	if fl.empty() && lt.files[key] == fl {
		delete(lt.files, key)
	}
}

// maxDeadlockSteps bounds the wait-for chain followed, as Linux's
// MAX_DEADLK_ITERATIONS.
const maxDeadlockSteps = 10

// deadlock reports whether me waiting for blocker would close a cycle of
// POSIX owners waiting for each other; lt.mu must be held.
func (lt *lockTable) deadlock(me, blocker any) bool {
	for i := 0; i <= maxDeadlockSteps; i++ {
		next, ok := lt.blockedOn[blocker]
		if !ok {
			return false
		}
		if next == me {
			return true
		}
		blocker = next
	}
	return false
}

// setRecord applies req (F_SETLK, F_SETLKW and the OFD variants): EAGAIN
// on a conflict, unless wait, when it sleeps until the conflict is gone
// (EDEADLK if that would never happen for POSIX locks).
func (lt *lockTable) setRecord(t blocker, key any, req recordLock, wait, ofd bool) error {
	lt.mu.Lock()
	defer lt.mu.Unlock()
	for {
		fl := lt.get(key)
		if req.typ != unix.F_UNLCK {
			if c, ok := fl.conflict(&req); ok {
				if !wait {
					lt.tidy(key, fl)
					return unix.EAGAIN
				}
				if !ofd {
					if lt.deadlock(req.owner, c.owner) {
						lt.tidy(key, fl)
						return unix.EDEADLK
					}
					lt.blockedOn[req.owner] = c.owner
				}
				ch := fl.changed
				lt.mu.Unlock()
				err := t.Block(ch, time.Time{})
				lt.mu.Lock()
				if !ofd {
					delete(lt.blockedOn, req.owner)
				}
				if err != nil {
					if fl := lt.files[key]; fl != nil {
						lt.tidy(key, fl)
					}
					return err
				}
				continue
			}
		}
		fl.apply(req)
		fl.notify()
		lt.tidy(key, fl)
		return nil
	}
}

// test finds a lock that would block req (F_GETLK).
func (lt *lockTable) test(key any, req recordLock) (recordLock, bool) {
	lt.mu.Lock()
	defer lt.mu.Unlock()
	fl := lt.files[key]
	if fl == nil {
		return recordLock{}, false
	}
	return fl.conflict(&req)
}

// flock sets f's flock lock to typ (F_RDLCK, F_WRLCK or F_UNLCK). As on
// Linux, converting a lock drops the old one first, so another process
// may get in between.
func (lt *lockTable) flock(t blocker, key any, f *vfs.File, typ int16, wait bool) error {
	lt.mu.Lock()
	defer lt.mu.Unlock()
	fl := lt.get(key)
	if old, ok := fl.flocks[f]; ok {
		if old == typ {
			return nil
		}
		delete(fl.flocks, f)
		fl.notify()
	}
	for {
		if typ == unix.F_UNLCK {
			lt.tidy(key, fl)
			return nil
		}
		conflict := false
		for o, ot := range fl.flocks {
			if o != f && (typ == unix.F_WRLCK || ot == unix.F_WRLCK) {
				conflict = true
				break
			}
		}
		if !conflict {
			if fl.flocks == nil {
				fl.flocks = map[*vfs.File]int16{}
			}
			fl.flocks[f] = typ
			fl.notify()
			return nil
		}
		if !wait {
			lt.tidy(key, fl)
			return unix.EWOULDBLOCK
		}
		ch := fl.changed
		lt.mu.Unlock()
		err := t.Block(ch, time.Time{})
		lt.mu.Lock()
		fl = lt.get(key)
		if err != nil {
			lt.tidy(key, fl)
			return err
		}
	}
}

// closed drops the POSIX locks table holds on f's file: any close of a
// file releases them, whichever fd they were taken through.
func (lt *lockTable) closed(table *vfs.FDTable, f *vfs.File) {
	lt.mu.Lock()
	defer lt.mu.Unlock()
	if len(lt.files) == 0 {
		return
	}
	key := lockKey(f)
	if fl := lt.files[key]; fl != nil && fl.dropOwner(table) {
		fl.notify()
		lt.tidy(key, fl)
	}
}

// released drops the OFD and flock locks of a description that is gone.
func (lt *lockTable) released(f *vfs.File) {
	lt.mu.Lock()
	defer lt.mu.Unlock()
	if len(lt.files) == 0 {
		return
	}
	lt.releasedLocked(lockKey(f), f)
}

// releasedLocked drops f's OFD and flock locks on key; lt.mu is held.
func (lt *lockTable) releasedLocked(key any, f *vfs.File) {
	fl := lt.files[key]
	if fl == nil {
		return
	}
	dropped := fl.dropOwner(f)
	if _, ok := fl.flocks[f]; ok {
		delete(fl.flocks, f)
		dropped = true
	}
	if dropped {
		fl.notify()
		lt.tidy(key, fl)
	}
}

// flock(2) operations.
const (
	lockSH   = 1
	lockEX   = 2
	lockNB   = 4
	lockUN   = 8
	lockMand = 32
)

// Flock implements flock(2).
func Flock(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	op := int(int32(a[1]))
	if op&lockMand != 0 {
		// LOCK_MAND never worked; Linux ignores it (with a warning).
		return 0, nil
	}
	var typ int16
	switch op &^ lockNB {
	case lockSH:
		typ = unix.F_RDLCK
	case lockEX:
		typ = unix.F_WRLCK
	case lockUN:
		typ = unix.F_UNLCK
	default:
		return 0, unix.EINVAL
	}
	f, err := getFile(t, a[0])
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	fl := f.Flags()
	if fl&unix.O_PATH != 0 {
		return 0, unix.EBADF
	}
	return 0, locks.flock(t, lockKey(f), f, typ, op&lockNB == 0)
}

// flockSize is sizeof(struct flock) on x86-64.
const flockSize = 32

// lockRange turns l_whence, l_start and l_len into an absolute inclusive
// range, as Linux does.
func lockRange(t *kernel.Task, f *vfs.File, whence int16, start, length int64) (int64, int64, error) {
	var base int64
	switch whence {
	case unix.SEEK_SET:
	case unix.SEEK_CUR:
		if f.Seekable() {
			cur, err := f.Seek(t, 0, unix.SEEK_CUR)
			if err != nil {
				return 0, 0, err
			}
			base = cur
		}
	case unix.SEEK_END:
		st, err := f.Stat(t)
		if err != nil {
			return 0, 0, err
		}
		base = st.Size
	default:
		return 0, 0, unix.EINVAL
	}
	if start > offsetMax-base {
		return 0, 0, unix.EOVERFLOW
	}
	s := base + start
	if s < 0 {
		return 0, 0, unix.EINVAL
	}
	var e int64
	switch {
	case length > 0:
		if length-1 > offsetMax-s {
			return 0, 0, unix.EOVERFLOW
		}
		e = s + length - 1
	case length < 0:
		if s+length < 0 {
			return 0, 0, unix.EINVAL
		}
		e = s - 1
		s += length
	default:
		e = offsetMax
	}
	if e < s {
		return 0, 0, unix.EOVERFLOW
	}
	return s, e, nil
}

// fcntlLock implements F_GETLK, F_SETLK, F_SETLKW and their OFD variants.
func fcntlLock(t *kernel.Task, f *vfs.File, cmd int, addr uintptr) error {
	var b [flockSize]byte
	if err := t.CopyIn(addr, b[:]); err != nil {
		return err
	}
	typ := int16(le.Uint16(b[0:]))
	whence := int16(le.Uint16(b[2:]))
	start, length := int64(le.Uint64(b[8:])), int64(le.Uint64(b[16:]))
	pid := int32(le.Uint32(b[24:]))
	ofd := cmd == unix.F_OFD_GETLK || cmd == unix.F_OFD_SETLK || cmd == unix.F_OFD_SETLKW
	get := cmd == unix.F_GETLK || cmd == unix.F_OFD_GETLK
	if get && typ != unix.F_RDLCK && typ != unix.F_WRLCK {
		return unix.EINVAL
	}
	s, e, err := lockRange(t, f, whence, start, length)
	if err != nil {
		return err
	}
	switch typ {
	case unix.F_RDLCK:
		if !get && !f.Readable() {
			return unix.EBADF
		}
	case unix.F_WRLCK:
		if !get && !f.Writable() {
			return unix.EBADF
		}
	case unix.F_UNLCK:
	default:
		return unix.EINVAL
	}
	if ofd && pid != 0 {
		return unix.EINVAL
	}
	req := recordLock{owner: any(t.FDTable()), typ: typ, start: s, end: e, pid: t.TGID()}
	if ofd {
		req.owner, req.pid = f, -1
	}
	key := lockKey(f)
	if !get {
		wait := cmd == unix.F_SETLKW || cmd == unix.F_OFD_SETLKW
		return locks.setRecord(t, key, req, wait, ofd)
	}
	c, ok := locks.test(key, req)
	if !ok {
		le.PutUint16(b[0:], uint16(unix.F_UNLCK))
	} else {
		le.PutUint16(b[0:], uint16(c.typ))
		le.PutUint16(b[2:], unix.SEEK_SET)
		le.PutUint64(b[8:], uint64(c.start))
		l := int64(0)
		if c.end != offsetMax {
			l = c.end - c.start + 1
		}
		le.PutUint64(b[16:], uint64(l))
		le.PutUint32(b[24:], uint32(c.pid))
	}
	return t.CopyOut(addr, b[:])
}

// asyncState is what F_SETOWN and F_SETSIG set on a description. Nothing
// sends SIGIO yet; the values are kept for F_GETOWN and F_GETSIG.
type asyncState struct {
	ownerType int32 // F_OWNER_TID, F_OWNER_PID or F_OWNER_PGRP
	owner     int32
	sig       int32
}

// fileAsync maps *vfs.File to *asyncState.
var fileAsync sync.Map

func asyncOf(f *vfs.File) *asyncState {
	v, _ := fileAsync.LoadOrStore(f, &asyncState{ownerType: fOwnerPID})
	return v.(*asyncState)
}

// f_owner_ex types.
const (
	fOwnerTID  = 0
	fOwnerPID  = 1
	fOwnerPGRP = 2
)

var asyncMu sync.Mutex

// fcntlAsync implements F_SETOWN, F_GETOWN, F_SETOWN_EX, F_GETOWN_EX,
// F_SETSIG and F_GETSIG.
func fcntlAsync(t *kernel.Task, f *vfs.File, cmd int, arg uintptr) (uintptr, error) {
	exists := func(id int32) bool { return id == 0 || t.Kernel().TaskByTID(id) != nil }
	switch cmd {
	case unix.F_GETOWN:
		v, ok := fileAsync.Load(f)
		if !ok {
			return 0, nil
		}
		asyncMu.Lock()
		defer asyncMu.Unlock()
		s := v.(*asyncState)
		if s.ownerType == fOwnerPGRP {
			return uintptr(-s.owner), nil
		}
		return uintptr(s.owner), nil
	case unix.F_SETOWN:
		who := int32(arg)
		typ := int32(fOwnerPID)
		if who < 0 {
			if who == math.MinInt32 {
				return 0, unix.EINVAL
			}
			typ, who = fOwnerPGRP, -who
		}
		if !exists(who) {
			return 0, unix.ESRCH
		}
		s := asyncOf(f)
		asyncMu.Lock()
		s.ownerType, s.owner = typ, who
		asyncMu.Unlock()
		return 0, nil
	case unix.F_GETOWN_EX:
		var b [8]byte
		le.PutUint32(b[0:], fOwnerPID)
		if v, ok := fileAsync.Load(f); ok {
			asyncMu.Lock()
			s := v.(*asyncState)
			le.PutUint32(b[0:], uint32(s.ownerType))
			le.PutUint32(b[4:], uint32(s.owner))
			asyncMu.Unlock()
		}
		return 0, t.CopyOut(arg, b[:])
	case unix.F_SETOWN_EX:
		var b [8]byte
		if err := t.CopyIn(arg, b[:]); err != nil {
			return 0, err
		}
		typ, who := int32(le.Uint32(b[0:])), int32(le.Uint32(b[4:]))
		if typ < fOwnerTID || typ > fOwnerPGRP || who < 0 {
			return 0, unix.EINVAL
		}
		if !exists(who) {
			return 0, unix.ESRCH
		}
		s := asyncOf(f)
		asyncMu.Lock()
		s.ownerType, s.owner = typ, who
		asyncMu.Unlock()
		return 0, nil
	case unix.F_GETSIG:
		v, ok := fileAsync.Load(f)
		if !ok {
			return 0, nil
		}
		asyncMu.Lock()
		defer asyncMu.Unlock()
		return uintptr(v.(*asyncState).sig), nil
	case unix.F_SETSIG:
		if arg > 64 {
			return 0, unix.EINVAL
		}
		s := asyncOf(f)
		asyncMu.Lock()
		s.sig = int32(arg)
		asyncMu.Unlock()
		return 0, nil
	}
	return 0, unix.EINVAL
}

// capLease is CAP_LEASE (capabilities(7)).
const capLease = 28

// fcntlLease implements F_SETLEASE and F_GETLEASE. No lease is ever
// granted: a lease needs breaking on other opens, which the Sentry does
// not do, so asking for one fails as if another open conflicted (EAGAIN),
// and removing one finds none (EAGAIN, as on Linux).
func fcntlLease(t *kernel.Task, f *vfs.File, cmd int, arg uintptr) (uintptr, error) {
	if cmd == unix.F_GETLEASE {
		return unix.F_UNLCK, nil
	}
	switch int(arg) {
	case unix.F_RDLCK, unix.F_WRLCK, unix.F_UNLCK:
	default:
		return 0, unix.EINVAL
	}
	st, err := f.Stat(t)
	if err != nil {
		return 0, err
	}
	if st.UID != t.Creds().FilesystemUID && !t.Creds().HasCap(capLease) {
		return 0, unix.EACCES
	}
	if !st.IsRegular() {
		return 0, unix.EINVAL
	}
	return 0, unix.EAGAIN
}
