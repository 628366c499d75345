// Package pipe is the Sentry's pipes and FIFOs (pipe(7), fifo(7)): a
// buffer of page-sized slots between readers and writers, kept as Linux
// keeps it so that what programs can observe (how much fits, which writes
// are atomic, where packets end) matches.
//
// A pipe holds up to Slots() buffers of at most one page each. A write
// first tops up the last buffer with the tail of the data that does not
// fill a whole page (if that buffer may take it), then fills new pages;
// a write of at most PIPE_BUF bytes therefore needs one slot and is never
// split. In packet mode (O_DIRECT) every page of a write is a packet of its
// own, never merged, and each read takes at most one packet.
//
// Lock order: Pipe.mu before the waiter queue's lock; two pipes (splice,
// tee) are locked in the order of their inode numbers.
package pipe

import (
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/vfs"
	"github.com/moat-sandbox/moat/internal/sentry/waiter"
)

// Sizes as Linux has them on x86-64.
const (
	PageSize = 4096
	// PipeBuf is PIPE_BUF: writes up to this size are atomic.
	PipeBuf = 4096
	// DefaultSize is a new pipe's capacity: 16 pages.
	DefaultSize = 16 * PageSize
	// MaxSize is /proc/sys/fs/pipe-max-size: the most F_SETPIPE_SZ gives
	// a process without CAP_SYS_RESOURCE.
	MaxSize = 1 << 20
)

// capSysResource is CAP_SYS_RESOURCE (capabilities(7)).
const capSysResource = 24

var (
	// pipefsDev is the device of every anonymous pipe, as Linux's pipefs
	// is one anonymous superblock.
	pipefsDev = vfs.NewAnonDev()
	nextIno   atomic.Uint64
)

// buffer is one slot: the unread part of at most a page of data.
type buffer struct {
	data []byte
	// start is where data begins in its page: a merge may fill the page
	// up to PageSize.
	start int
	// packet: written in packet mode; a read takes it whole or drops the
	// rest. merge: later writes may append to it.
	packet, merge bool
}

// Pipe is the shared part of a pipe or FIFO: the buffer, the ends' counts
// and the wait queue.
type Pipe struct {
	queue waiter.Queue

	mu    sync.Mutex
	bufs  []*buffer
	slots int // capacity in buffers (pipe->max_usage)
	// readers and writers count the open ends; rCounter and wCounter
	// count every open of each kind, so that a FIFO opener can tell that
	// a partner came (even if it left again).
	readers, writers   int
	rCounter, wCounter uint64
	// fifo: a named pipe, whose buffer goes when the last end closes.
	fifo bool

	ino                 uint64
	uid, gid            uint32
	atime, mtime, ctime unix.Timespec
}

func now() unix.Timespec {
	ts, _ := unix.TimeToTimespec(time.Now())
	return ts
}

// New returns an empty pipe with no ends, owned by ctx's filesystem
// credentials (what fstat of an anonymous pipe shows).
func New(ctx vfs.Context) *Pipe {
	p := &Pipe{slots: DefaultSize / PageSize, ino: nextIno.Add(1)}
	if ctx != nil {
		if c := ctx.Creds(); c != nil {
			p.uid, p.gid = c.FilesystemUID, c.FilesystemGID
		}
	}
	t := now()
	p.atime, p.mtime, p.ctime = t, t, t
	return p
}

// Ino is the pipe's inode number.
func (p *Pipe) Ino() uint64 { return p.ino }

// stat is what fstat shows of an anonymous pipe.
func (p *Pipe) stat() vfs.Stat {
	p.mu.Lock()
	defer p.mu.Unlock()
	return vfs.Stat{
		Dev: pipefsDev, Ino: p.ino, Mode: unix.S_IFIFO | 0o600, Nlink: 1, UID: p.uid, GID: p.gid,
		Blksize: PageSize, Atime: p.atime, Mtime: p.mtime, Ctime: p.ctime,
	}
}

func (p *Pipe) fullLocked() bool { return len(p.bufs) >= p.slots }

// queuedLocked is how many bytes the pipe holds (FIONREAD).
func (p *Pipe) queuedLocked() int {
	n := 0
	for _, b := range p.bufs {
		n += len(b.data)
	}
	return n
}

// Queued returns how many bytes are waiting to be read.
func (p *Pipe) Queued() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.queuedLocked()
}

// Size is the capacity in bytes (F_GETPIPE_SZ).
func (p *Pipe) Size() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.slots * PageSize
}

// SetSize implements F_SETPIPE_SZ: the capacity becomes size rounded up to
// a power-of-two number of pages (at least one). Beyond MaxSize it needs
// CAP_SYS_RESOURCE (EPERM), and it never drops below the buffers in use
// (EBUSY). It returns the new capacity.
func (p *Pipe) SetSize(ctx vfs.Context, size uint64) (int, error) {
	if size > 1<<31 {
		return 0, unix.EINVAL
	}
	pages := uint64(1)
	for pages*PageSize < size {
		pages <<= 1
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if int(pages) > p.slots && pages*PageSize > MaxSize {
		if ctx == nil || ctx.Creds() == nil || !ctx.Creds().HasCap(capSysResource) {
			return 0, unix.EPERM
		}
	}
	if int(pages) < len(p.bufs) {
		return 0, unix.EBUSY
	}
	p.slots = int(pages)
	p.notifyLocked(waiter.WritableEvents)
	return p.slots * PageSize, nil
}

// notifyLocked wakes waiters for events.
func (p *Pipe) notifyLocked(events waiter.EventMask) { p.queue.Notify(events) }

// readinessLocked reports a pipe end's events, as pipe_poll does. version
// is the writer count a FIFO reader opened with O_NONBLOCK saw: it gets no
// EPOLLHUP until a writer has come.
func (p *Pipe) readinessLocked(read, write bool, version uint64) waiter.EventMask {
	var m waiter.EventMask
	if read {
		if len(p.bufs) > 0 {
			m |= waiter.ReadableEvents
		}
		if p.writers == 0 && p.wCounter != version {
			m |= waiter.EventHup
		}
	}
	if write {
		if !p.fullLocked() {
			m |= waiter.WritableEvents
		}
		if p.readers == 0 {
			m |= waiter.EventErr
		}
	}
	return m
}

// wait blocks t until the pipe is notified of one of events, with p.mu
// held on entry and on return; it returns vfs.ErrInterrupted if the task
// is wanted elsewhere. ready is rechecked under the lock before sleeping,
// so that no notification is lost.
func (p *Pipe) wait(t vfs.Task, events waiter.EventMask, ready func() bool) error {
	e := waiter.NewEntry()
	p.queue.Register(e, events)
	defer p.queue.Unregister(e)
	for !ready() {
		p.mu.Unlock()
		err := t.Block(e.C(), time.Time{})
		p.mu.Lock()
		if err != nil {
			return err
		}
	}
	return nil
}

// appendLocked adds src as new buffers of at most a page each; the caller
// made sure there are slots for them.
func (p *Pipe) appendLocked(src []byte, packet, merge bool) {
	for len(src) > 0 {
		n := min(len(src), PageSize)
		b := &buffer{data: make([]byte, n, PageSize), packet: packet, merge: merge}
		copy(b.data, src[:n])
		p.bufs = append(p.bufs, b)
		src = src[n:]
	}
}

// Write writes src as pipe_write does: EPIPE (and SIGPIPE) without
// readers, EAGAIN when full and nonblocking, otherwise it waits for room
// until everything is written. packet is O_DIRECT.
func (p *Pipe) Write(t vfs.Task, src []byte, nonblock, packet bool) (int, error) {
	if len(src) == 0 {
		return 0, nil
	}
	p.mu.Lock()
	done, err := p.writeLocked(t, src, nonblock, packet)
	if done > 0 {
		ts := now()
		p.mtime, p.ctime = ts, ts
		p.notifyLocked(waiter.ReadableEvents)
	}
	p.mu.Unlock()
	if err == unix.EPIPE {
		// Also when the last reader left in the middle of a write, which
		// then returns its short count.
		vfs.SendSIGPIPE(t)
	}
	if done > 0 {
		return done, nil
	}
	return 0, err
}

// writeLocked writes what it can; it returns EPIPE with the count written
// when the readers went away, for the caller to send SIGPIPE unlocked.
func (p *Pipe) writeLocked(t vfs.Task, src []byte, nonblock, packet bool) (int, error) {
	if p.readers == 0 {
		return 0, unix.EPIPE
	}
	done := 0
	// The part of the write beyond whole pages may top up the last
	// buffer, if it fits in that buffer's page.
	if tail := len(src) % PageSize; tail != 0 && len(p.bufs) > 0 {
		last := p.bufs[len(p.bufs)-1]
		if last.merge && last.start+len(last.data)+tail <= PageSize {
			last.data = append(last.data, src[:tail]...)
			done = tail
		}
	}
	for done < len(src) {
		if p.readers == 0 {
			return done, unix.EPIPE
		}
		if !p.fullLocked() {
			n := min(len(src)-done, PageSize)
			p.appendLocked(src[done:done+n], packet, !packet)
			done += n
			continue
		}
		if nonblock {
			if done == 0 {
				return 0, unix.EAGAIN
			}
			return done, nil
		}
		// Let readers see what is written so far before sleeping.
		if done > 0 {
			p.notifyLocked(waiter.ReadableEvents)
		}
		err := p.wait(t, waiter.WritableEvents|waiter.EventErr, func() bool {
			return !p.fullLocked() || p.readers == 0
		})
		if err != nil {
			if done == 0 {
				return 0, err
			}
			return done, nil
		}
	}
	return done, nil
}

// Read reads into dst as pipe_read does: at most one packet; 0 at end of
// file (no writers); EAGAIN when empty and nonblocking; otherwise it waits
// for data.
func (p *Pipe) Read(t vfs.Task, dst []byte, nonblock bool) (int, error) {
	if len(dst) == 0 {
		return 0, nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.waitReadableLocked(t, nonblock); err != nil {
		return 0, err
	}
	done := 0
	for len(p.bufs) > 0 && done < len(dst) {
		b := p.bufs[0]
		n := copy(dst[done:], b.data)
		done += n
		b.data, b.start = b.data[n:], b.start+n
		if b.packet {
			b.data = nil // the rest of a packet that did not fit is lost
		}
		if len(b.data) == 0 {
			p.popLocked()
		}
		if b.packet {
			break
		}
	}
	if done > 0 {
		p.atime = now()
		p.notifyLocked(waiter.WritableEvents)
	}
	return done, nil
}

// waitReadableLocked waits until the pipe has data or no writer; EAGAIN if
// that would block and nonblock is set.
func (p *Pipe) waitReadableLocked(t vfs.Task, nonblock bool) error {
	if len(p.bufs) > 0 || p.writers == 0 {
		return nil
	}
	if nonblock {
		return unix.EAGAIN
	}
	return p.wait(t, waiter.ReadableEvents|waiter.EventHup, func() bool {
		return len(p.bufs) > 0 || p.writers == 0
	})
}

// waitWritableLocked waits until the pipe has a free slot: EPIPE (and
// SIGPIPE, sent by the caller) without readers, EAGAIN if it would block
// and nonblock is set.
func (p *Pipe) waitWritableLocked(t vfs.Task, nonblock bool) error {
	for {
		if p.readers == 0 {
			return unix.EPIPE
		}
		if !p.fullLocked() {
			return nil
		}
		if nonblock {
			return unix.EAGAIN
		}
		if err := p.wait(t, waiter.WritableEvents|waiter.EventErr, func() bool {
			return !p.fullLocked() || p.readers == 0
		}); err != nil {
			return err
		}
	}
}

func (p *Pipe) popLocked() {
	p.bufs[0] = nil
	p.bufs = p.bufs[1:]
	if len(p.bufs) == 0 {
		p.bufs = nil
	}
}

// consumeLocked drops n bytes from the front, across buffer (and packet)
// boundaries.
func (p *Pipe) consumeLocked(n int) {
	for n > 0 && len(p.bufs) > 0 {
		b := p.bufs[0]
		k := min(n, len(b.data))
		b.data, b.start = b.data[k:], b.start+k
		n -= k
		if len(b.data) == 0 {
			p.popLocked()
		}
	}
}

// SpliceOut moves up to n bytes from the pipe to a file through write,
// which returns how much it took; as splice(2) from a pipe, it waits for
// data only while nothing was moved, and returns 0 at end of file. write
// runs with the pipe locked, as Linux holds the pipe while it writes the
// file: it must not touch this pipe.
func (p *Pipe) SpliceOut(t vfs.Task, n int, nonblock bool, write func([]byte) (int, error)) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	done := 0
	for done < n {
		if len(p.bufs) == 0 {
			if done > 0 || p.writers == 0 {
				break
			}
			if err := p.waitReadableLocked(t, nonblock); err != nil {
				return 0, err
			}
			continue
		}
		chunk := make([]byte, 0, min(n-done, p.queuedLocked()))
		for _, b := range p.bufs {
			k := min(len(b.data), cap(chunk)-len(chunk))
			chunk = append(chunk, b.data[:k]...)
			if len(chunk) == cap(chunk) {
				break
			}
		}
		k, err := write(chunk)
		if k > 0 {
			p.consumeLocked(k)
			done += k
			p.atime = now()
			p.notifyLocked(waiter.WritableEvents)
		}
		if err != nil {
			if done == 0 {
				return 0, err
			}
			break
		}
		if k < len(chunk) {
			break
		}
	}
	return done, nil
}

// SpliceIn fills the pipe from a file through read, as splice(2) to a
// pipe: it waits for a free slot (EPIPE and SIGPIPE without readers,
// EAGAIN if nonblock), then reads once, at most n bytes and no more than
// the free slots hold. read runs with the pipe locked and must not touch
// it.
func (p *Pipe) SpliceIn(t vfs.Task, n int, nonblock bool, read func([]byte) (int, error)) (int, error) {
	p.mu.Lock()
	err := p.waitWritableLocked(t, nonblock)
	if err != nil {
		p.mu.Unlock()
		if err == unix.EPIPE {
			vfs.SendSIGPIPE(t)
		}
		return 0, err
	}
	room := (p.slots - len(p.bufs)) * PageSize
	buf := make([]byte, min(n, room))
	k, err := read(buf)
	if k > 0 {
		// Spliced pages are the file's, not the pipe's: no merging.
		p.appendLocked(buf[:k], false, false)
		ts := now()
		p.mtime, p.ctime = ts, ts
		p.notifyLocked(waiter.ReadableEvents)
	}
	p.mu.Unlock()
	if k > 0 {
		return k, nil
	}
	return 0, err
}

// lockTwo locks two different pipes in inode order.
func lockTwo(a, b *Pipe) {
	if a.ino > b.ino {
		a, b = b, a
	}
	a.mu.Lock()
	b.mu.Lock()
}

func unlockTwo(a, b *Pipe) {
	a.mu.Unlock()
	b.mu.Unlock()
}

// prepare waits, without holding either lock, until in has data (or no
// writers: done is then true) and out has room. It returns what
// ipipe_prep and opipe_prep return.
func prepare(t vfs.Task, in, out *Pipe, nonblock bool) (eof bool, err error) {
	in.mu.Lock()
	err = in.waitReadableLocked(t, nonblock)
	eof = err == nil && len(in.bufs) == 0
	in.mu.Unlock()
	if err != nil || eof {
		return eof, err
	}
	out.mu.Lock()
	err = out.waitWritableLocked(t, nonblock)
	out.mu.Unlock()
	if err == unix.EPIPE {
		vfs.SendSIGPIPE(t)
	}
	return false, err
}

// Splice moves up to n bytes from pipe in to pipe out (splice(2) between
// two pipes): whole buffers move as they are; a buffer only partly moved
// is copied.
func Splice(t vfs.Task, in, out *Pipe, n int, nonblock bool) (int, error) {
	if in == out {
		return 0, unix.EINVAL
	}
	for {
		eof, err := prepare(t, in, out, nonblock)
		if err != nil || eof {
			return 0, err
		}
		lockTwo(in, out)
		done := 0
		var werr error
		for done < n {
			if out.readers == 0 {
				werr = unix.EPIPE
				break
			}
			if len(in.bufs) == 0 || out.fullLocked() {
				break
			}
			b := in.bufs[0]
			if len(b.data) <= n-done {
				in.popLocked()
				out.bufs = append(out.bufs, b)
				done += len(b.data)
				continue
			}
			k := n - done
			nb := &buffer{data: append(make([]byte, 0, PageSize), b.data[:k]...), start: b.start, packet: b.packet}
			b.data, b.start = b.data[k:], b.start+k
			out.bufs = append(out.bufs, nb)
			done += k
		}
		if done > 0 {
			in.notifyLocked(waiter.WritableEvents)
			out.notifyLocked(waiter.ReadableEvents)
		}
		unlockTwo(in, out)
		if werr == unix.EPIPE {
			vfs.SendSIGPIPE(t)
			if done == 0 {
				return 0, werr
			}
		}
		if done > 0 {
			return done, nil
		}
		// Another reader or writer got there first.
		if nonblock {
			return 0, unix.EAGAIN
		}
	}
}

// Tee copies up to n bytes from pipe in to pipe out without consuming
// them (tee(2)).
func Tee(t vfs.Task, in, out *Pipe, n int, nonblock bool) (int, error) {
	if in == out {
		return 0, unix.EINVAL
	}
	eof, err := prepare(t, in, out, nonblock)
	if err != nil || eof {
		return 0, err
	}
	lockTwo(in, out)
	done := 0
	var werr error
	for _, b := range in.bufs {
		if done >= n {
			break
		}
		if out.readers == 0 {
			werr = unix.EPIPE
			break
		}
		if out.fullLocked() {
			break
		}
		k := min(len(b.data), n-done)
		nb := &buffer{data: append(make([]byte, 0, PageSize), b.data[:k]...), start: b.start, packet: b.packet}
		out.bufs = append(out.bufs, nb)
		done += k
	}
	if done > 0 {
		out.notifyLocked(waiter.ReadableEvents)
	}
	unlockTwo(in, out)
	if werr == unix.EPIPE {
		vfs.SendSIGPIPE(t)
		if done == 0 {
			return 0, werr
		}
	}
	return done, nil
}
