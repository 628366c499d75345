// Package inotify is the inotify(7) file and the notifications that feed
// it: watches on files and directories of any of the Sentry's filesystems,
// and events reported by the operations the Sentry itself performs.
//
// Events do not come from the filesystems: the syscall layer reports each
// operation once it has succeeded, through Opened, Accessed, Modified,
// Closed, Changed (AttrsChanged), Created, Linked, Removed and Renamed.
// Each costs one atomic load while no watch exists anywhere. The places:
//
//	open, openat, openat2, creat  Created (O_CREAT made it), Opened
//	read, readv, pread*, preadv*  Accessed, when data was read
//	write, writev, pwrite*        Modified, when something was written
//	ftruncate, fallocate          Modified
//	chmod, chown, utimensat,
//	truncate (attribute changes)  AttrsChanged
//	mkdir, mknod, symlink         Created
//	link                          Linked
//	unlink, rmdir                 Removed
//	rename, renameat2             Renamed
//	last close (OnFileRelease)    Closed
//
// (Linux also reports getdents as IN_ACCESS on the directory, and splice,
// sendfile and copy_file_range as IN_ACCESS and IN_MODIFY.)
//
// A watch is on an inode, identified by the vfs.Inode value its dentry
// holds (the Sentry caches dentries, so a name keeps its inode object).
// Events on a file go to its own watches and, with its name, to the
// watches on its parent directory, as Linux's fsnotify does.
//
// Lock order: registry.mu, then an instance's mu, then its queue's lock.
// Events are queued without registry.mu held.
package inotify

import (
	"encoding/binary"
	"reflect"
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/fs/anon"
	"github.com/moat-sandbox/moat/internal/sentry/vfs"
	"github.com/moat-sandbox/moat/internal/sentry/waiter"
)

// Event and flag bits of inotify(7).
const (
	InAccess       = 0x1
	InModify       = 0x2
	InAttrib       = 0x4
	InCloseWrite   = 0x8
	InCloseNowrite = 0x10
	InOpen         = 0x20
	InMovedFrom    = 0x40
	InMovedTo      = 0x80
	InCreate       = 0x100
	InDelete       = 0x200
	InDeleteSelf   = 0x400
	InMoveSelf     = 0x800
	InUnmount      = 0x2000
	InQOverflow    = 0x4000
	InIgnored      = 0x8000
	InOnlyDir      = 0x1000000
	InDontFollow   = 0x2000000
	InExclUnlink   = 0x4000000
	InMaskCreate   = 0x10000000
	InMaskAdd      = 0x20000000
	InIsDir        = 0x40000000
	InOneShot      = 0x80000000

	// InAllEvents are the events a watch can ask for.
	InAllEvents = InAccess | InModify | InAttrib | InCloseWrite | InCloseNowrite | InOpen |
		InMovedFrom | InMovedTo | InCreate | InDelete | InDeleteSelf | InMoveSelf
	// AllBits is every bit inotify_add_watch knows; a mask with none of
	// them is EINVAL.
	AllBits = InAllEvents | InUnmount | InQOverflow | InIgnored | InOnlyDir | InDontFollow |
		InExclUnlink | InMaskCreate | InMaskAdd | InIsDir | InOneShot

	// onChild are the events a directory's watch hears of for the files in
	// it, with their names.
	onChild = InAccess | InModify | InAttrib | InCloseWrite | InCloseNowrite | InOpen
	// kept is what a watch remembers of inotify_add_watch's mask.
	kept = InAllEvents | InOneShot | InExclUnlink
)

// Limits: /proc/sys/fs/inotify's max_queued_events, and a bound on the
// watches of the whole sandbox (max_user_watches is per user on Linux).
const (
	MaxQueuedEvents = 16384
	MaxWatches      = 1 << 20
)

// sizeofEvent is struct inotify_event without its name.
const sizeofEvent = 16

type event struct {
	wd     int32
	mask   uint32
	cookie uint32
	name   string
}

// size is the event's length as read: the header and the name, NUL
// terminated and padded to a multiple of the header's size.
func (e *event) size() int {
	if e.name == "" {
		return sizeofEvent
	}
	return sizeofEvent + (len(e.name)+sizeofEvent)/sizeofEvent*sizeofEvent
}

func (e *event) marshal(b []byte) {
	le := binary.LittleEndian
	n := e.size()
	clear(b[:n])
	le.PutUint32(b[0:], uint32(e.wd))
	le.PutUint32(b[4:], e.mask)
	le.PutUint32(b[8:], e.cookie)
	le.PutUint32(b[12:], uint32(n-sizeofEvent))
	copy(b[sizeofEvent:], e.name)
}

// watch is one watch of one instance on one inode.
type watch struct {
	in    *Inotify
	wd    int32
	inode vfs.Inode
	// Guarded by in.mu.
	mask uint32
	dead bool
}

// registry finds the watches on an inode.
var registry struct {
	mu      sync.RWMutex
	watches map[vfs.Inode][]*watch
}

// active counts the watches in the registry: zero makes every
// notification a single atomic load.
var active atomic.Int64

// cookies numbers the renames, pairing IN_MOVED_FROM with IN_MOVED_TO.
var cookies atomic.Uint32

// Inotify is an inotify instance's file.
type Inotify struct {
	anon.NoSeek // lseek succeeds and does nothing

	queue waiter.Queue

	mu         sync.Mutex
	events     []event
	bytes      int  // the size of the queued events (FIONREAD)
	overflowed bool // an IN_Q_OVERFLOW is queued
	watches    map[int32]*watch
	byInode    map[vfs.Inode]*watch
	lastWD     int32

	nonblock atomic.Bool
}

var _ interface {
	vfs.StreamFile
	vfs.Seeker
	vfs.Ioctler
	waiter.Waitable
} = (*Inotify)(nil)

// New returns an instance without watches.
func New(nonblock bool) *Inotify {
	in := &Inotify{watches: map[int32]*watch{}, byInode: map[vfs.Inode]*watch{}}
	in.nonblock.Store(nonblock)
	return in
}

// Stat implements vfs.FileImpl: the anonymous inode.
func (in *Inotify) Stat(vfs.Context) (vfs.Stat, error) { return anon.Stat(), nil }

// LinkName is what /proc/PID/fd shows: Linux names this one without
// brackets.
func (in *Inotify) LinkName() string { return anon.LinkName("inotify") }

// SetStatusFlags follows the description's O_NONBLOCK (F_SETFL, FIONBIO).
func (in *Inotify) SetStatusFlags(flags int) { in.nonblock.Store(flags&unix.O_NONBLOCK != 0) }

// Release implements vfs.FileImpl: every watch goes, without IN_IGNORED.
func (in *Inotify) Release() {
	in.mu.Lock()
	ws := make([]*watch, 0, len(in.watches))
	for _, w := range in.watches {
		w.dead = true
		ws = append(ws, w)
	}
	in.watches, in.byInode = map[int32]*watch{}, map[vfs.Inode]*watch{}
	in.events, in.bytes = nil, 0
	in.mu.Unlock()
	for _, w := range ws {
		unregister(w)
	}
}

// keyable reports whether an inode can key the registry (every
// filesystem's inodes are pointers; anything else cannot be watched).
func keyable(inode vfs.Inode) bool {
	return inode != nil && reflect.TypeOf(inode).Comparable()
}

// AddWatch implements inotify_add_watch(2) once the path is resolved to
// inode: a new watch, or a change to this instance's watch on the inode.
// It returns the watch descriptor.
func (in *Inotify) AddWatch(inode vfs.Inode, mask uint32) (int32, error) {
	if mask&AllBits == 0 || mask&InMaskAdd != 0 && mask&InMaskCreate != 0 {
		return 0, unix.EINVAL
	}
	if !keyable(inode) {
		return 0, unix.EINVAL
	}
	registry.mu.Lock()
	defer registry.mu.Unlock()
	in.mu.Lock()
	defer in.mu.Unlock()
	if w := in.byInode[inode]; w != nil {
		if mask&InMaskCreate != 0 {
			return 0, unix.EEXIST
		}
		if mask&InMaskAdd != 0 {
			w.mask |= mask & kept
		} else {
			w.mask = mask & kept
		}
		return w.wd, nil
	}
	if active.Load() >= MaxWatches {
		return 0, unix.ENOSPC
	}
	wd := in.allocWDLocked()
	w := &watch{in: in, wd: wd, inode: inode, mask: mask & kept}
	in.watches[wd] = w
	in.byInode[inode] = w
	if registry.watches == nil {
		registry.watches = map[vfs.Inode][]*watch{}
	}
	registry.watches[inode] = append(registry.watches[inode], w)
	active.Add(1)
	return wd, nil
}

// allocWDLocked picks the next free descriptor after the last one given,
// from 1 up, wrapping (Linux allocates them cyclically).
func (in *Inotify) allocWDLocked() int32 {
	wd := in.lastWD
	for {
		if wd == 1<<31-1 {
			wd = 0
		}
		wd++
		if in.watches[wd] == nil {
			in.lastWD = wd
			return wd
		}
	}
}

// RemoveWatch implements inotify_rm_watch(2): the watch goes and an
// IN_IGNORED event says so.
func (in *Inotify) RemoveWatch(wd int32) error {
	in.mu.Lock()
	w := in.watches[wd]
	if w == nil {
		in.mu.Unlock()
		return unix.EINVAL
	}
	in.dropLocked(w)
	in.mu.Unlock()
	unregister(w)
	return nil
}

// dropLocked ends w, queueing IN_IGNORED; in.mu is held. The caller
// removes it from the registry.
func (in *Inotify) dropLocked(w *watch) {
	w.dead = true
	delete(in.watches, w.wd)
	delete(in.byInode, w.inode)
	in.queueLocked(event{wd: w.wd, mask: InIgnored})
}

// unregister removes w from the registry.
func unregister(w *watch) {
	registry.mu.Lock()
	defer registry.mu.Unlock()
	ws := registry.watches[w.inode]
	for i, x := range ws {
		if x == w {
			ws = append(ws[:i:i], ws[i+1:]...)
			active.Add(-1)
			break
		}
	}
	if len(ws) == 0 {
		delete(registry.watches, w.inode)
	} else {
		registry.watches[w.inode] = ws
	}
}

// Watches returns the number of watches of the instance (tests).
func (in *Inotify) Watches() int {
	in.mu.Lock()
	defer in.mu.Unlock()
	return len(in.watches)
}

// queueLocked appends e, as Linux's fsnotify_add_event: a full queue
// takes one IN_Q_OVERFLOW and drops the rest; an event equal to the last
// one still queued (but for the cookie) is merged into it.
func (in *Inotify) queueLocked(e event) {
	switch n := len(in.events); {
	case n >= MaxQueuedEvents:
		if in.overflowed {
			return
		}
		in.overflowed = true
		e = event{wd: -1, mask: InQOverflow}
	case n > 0:
		last := &in.events[n-1]
		if last.mask&InIgnored == 0 && last.mask == e.mask && last.wd == e.wd && last.name == e.name {
			return
		}
	}
	in.events = append(in.events, e)
	in.bytes += e.size()
	in.queue.Notify(waiter.ReadableEvents)
}

// Read implements vfs.StreamFile: as many whole events as fit in dst,
// waiting for the first. A first event that does not fit is EINVAL.
func (in *Inotify) Read(t vfs.Task, dst []byte) (int, error) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if len(in.events) == 0 {
		if in.nonblock.Load() {
			return 0, unix.EAGAIN
		}
		if err := anon.Wait(t, &in.mu, &in.queue, waiter.ReadableEvents, func() bool { return len(in.events) > 0 }); err != nil {
			return 0, err
		}
	}
	n, taken := 0, 0
	for _, e := range in.events {
		sz := e.size()
		if sz > len(dst)-n {
			break
		}
		e.marshal(dst[n:])
		n += sz
		in.bytes -= sz
		if e.mask == InQOverflow && e.wd == -1 {
			in.overflowed = false
		}
		taken++
	}
	if taken == 0 {
		return 0, unix.EINVAL
	}
	in.events = append(in.events[:0:0], in.events[taken:]...)
	return n, nil
}

// Write implements vfs.StreamFile: an inotify instance cannot be written.
func (in *Inotify) Write(vfs.Task, []byte) (int, error) { return 0, unix.EINVAL }

// fionread is FIONREAD: the bytes of the queued events.
const fionread = 0x541b

// Ioctl implements vfs.Ioctler: FIONREAD.
func (in *Inotify) Ioctl(t vfs.Task, req, arg uintptr) (uintptr, error) {
	if req != fionread {
		return 0, unix.ENOTTY
	}
	in.mu.Lock()
	n := in.bytes
	in.mu.Unlock()
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], uint32(n))
	return 0, t.CopyOut(arg, b[:])
}

// Readiness implements waiter.Waitable: readable while events are queued.
func (in *Inotify) Readiness(mask waiter.EventMask) waiter.EventMask {
	in.mu.Lock()
	defer in.mu.Unlock()
	if len(in.events) > 0 {
		return mask & waiter.ReadableEvents
	}
	return 0
}

// EventRegister implements waiter.Waitable.
func (in *Inotify) EventRegister(w *waiter.Entry, mask waiter.EventMask) { in.queue.Register(w, mask) }

// EventUnregister implements waiter.Waitable.
func (in *Inotify) EventUnregister(w *waiter.Entry) { in.queue.Unregister(w) }

// deliver queues an event to each watch on inode that asked for one of
// mask's events (IN_ISDIR and other flags ride along). skip, when set,
// leaves out the watches it returns true for. One-shot watches end after
// their event.
func deliver(inode vfs.Inode, mask, cookie uint32, name string, skip func(w *watch) bool) {
	if inode == nil || !keyable(inode) {
		return
	}
	registry.mu.RLock()
	ws := append([]*watch(nil), registry.watches[inode]...)
	registry.mu.RUnlock()
	for _, w := range ws {
		in := w.in
		in.mu.Lock()
		if w.dead || w.mask&mask&InAllEvents == 0 || skip != nil && skip(w) {
			in.mu.Unlock()
			continue
		}
		in.queueLocked(event{wd: w.wd, mask: mask, cookie: cookie, name: name})
		oneshot := w.mask&InOneShot != 0
		if oneshot {
			in.dropLocked(w)
		}
		in.mu.Unlock()
		if oneshot {
			unregister(w)
		}
	}
}

// destroy ends every watch on inode, each with IN_IGNORED: the inode is
// gone.
func destroy(inode vfs.Inode) {
	if inode == nil || !keyable(inode) {
		return
	}
	registry.mu.Lock()
	ws := registry.watches[inode]
	delete(registry.watches, inode)
	active.Add(-int64(len(ws)))
	registry.mu.Unlock()
	for _, w := range ws {
		in := w.in
		in.mu.Lock()
		if !w.dead {
			in.dropLocked(w)
		}
		in.mu.Unlock()
	}
}

// watched reports whether any watch is on inode.
func watched(inode vfs.Inode) bool {
	if inode == nil || !keyable(inode) {
		return false
	}
	registry.mu.RLock()
	defer registry.mu.RUnlock()
	return len(registry.watches[inode]) > 0
}
