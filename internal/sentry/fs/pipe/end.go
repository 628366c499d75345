package pipe

import (
	"strconv"
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/fs/tmpfs"
	"github.com/moat-sandbox/moat/internal/sentry/vfs"
	"github.com/moat-sandbox/moat/internal/sentry/waiter"
)

// End is an open end of a pipe or FIFO: the file of one open file
// description. A FIFO opened O_RDWR is both ends at once.
type End struct {
	p           *Pipe
	read, write bool
	// flags are the description's O_NONBLOCK and O_DIRECT. The syscall
	// layer keeps them in step with F_SETFL and FIONBIO (SetStatusFlags):
	// a FIFO's End is made before its description.
	flags atomic.Int32
	// inode is a FIFO's file, which fstat shows; nil for a pipe.
	inode vfs.Inode
	// version is the writer count a FIFO reader opened with O_NONBLOCK
	// saw, when there was no writer: no EPOLLHUP until one has come.
	version uint64
	// awaiting is set while a FIFO end opened blocking still waits for
	// its partner (see Open): the count it waits to change, and seen, the
	// value at open. Guarded by p.mu.
	awaiting *uint64
	seen     uint64
	released atomic.Bool
}

var _ interface {
	vfs.StreamFile
	vfs.Ioctler
	waiter.Waitable
} = (*End)(nil)

// hupNever is a version no writer count reaches: pipes and FIFO ends that
// saw a writer report EPOLLHUP as soon as none is left.
const hupNever = ^uint64(0)

// statusFlags are the flags an End follows.
const statusFlags = unix.O_NONBLOCK | unix.O_DIRECT

// NewPair returns the read and write ends of a new pipe (pipe2(2)); flags
// may hold O_NONBLOCK and O_DIRECT, which both ends get.
func NewPair(ctx vfs.Context, flags int) (r, w *vfs.File) {
	p := New(ctx)
	p.readers, p.writers = 1, 1
	p.rCounter, p.wCounter = 1, 1
	re := &End{p: p, read: true, version: hupNever}
	we := &End{p: p, write: true, version: hupNever}
	re.flags.Store(int32(flags & statusFlags))
	we.flags.Store(int32(flags & statusFlags))
	r = vfs.NewFile(re, vfs.VirtualDentry{}, unix.O_RDONLY|flags&statusFlags)
	w = vfs.NewFile(we, vfs.VirtualDentry{}, unix.O_WRONLY|flags&statusFlags)
	return r, w
}

// Open opens an end of a FIFO, as fifo(7) describes: O_RDONLY waits for a
// writer and O_WRONLY for a reader, unless one is there already; with
// O_NONBLOCK a reader does not wait and a writer fails with ENXIO; O_RDWR
// never waits. inode is what fstat shows.
//
// When ctx is a task, Open itself waits (interruptibly). When it is not
// (tmpfs opens special files without the caller), the end is returned at
// once and its first read or write does the waiting instead.
func (p *Pipe) Open(ctx vfs.Context, flags int, inode vfs.Inode) (*End, error) {
	e := &End{p: p, inode: inode, version: hupNever}
	e.flags.Store(int32(flags & statusFlags))
	nonblock := flags&unix.O_NONBLOCK != 0
	p.mu.Lock()
	defer p.mu.Unlock()
	switch flags & unix.O_ACCMODE {
	case unix.O_RDONLY:
		e.read = true
		p.rCounter++
		p.readers++
		if p.writers == 0 {
			if nonblock {
				e.version = p.wCounter
			} else {
				e.awaiting, e.seen = &p.wCounter, p.wCounter
			}
		}
	case unix.O_WRONLY:
		if p.readers == 0 && nonblock {
			return nil, unix.ENXIO
		}
		e.write = true
		p.wCounter++
		p.writers++
		if p.readers == 0 {
			e.awaiting, e.seen = &p.rCounter, p.rCounter
		}
	case unix.O_RDWR:
		e.read, e.write = true, true
		p.rCounter++
		p.wCounter++
		p.readers++
		p.writers++
	default:
		return nil, unix.EINVAL
	}
	p.notifyLocked(waiter.AllEvents) // wake partners waiting for us
	if t, ok := ctx.(vfs.Task); ok && e.awaiting != nil {
		if err := e.awaitPartnerLocked(t, false); err != nil {
			e.releaseLocked()
			return nil, err
		}
	}
	return e, nil
}

// awaitPartnerLocked waits for the partner a blocking FIFO open is owed.
// If the description has become nonblocking meanwhile, it reports EAGAIN
// as if the partner were there with nothing to say.
func (e *End) awaitPartnerLocked(t vfs.Task, nonblock bool) error {
	if e.awaiting == nil {
		return nil
	}
	arrived := func() bool { return *e.awaiting != e.seen }
	if !arrived() {
		if nonblock {
			return unix.EAGAIN
		}
		if err := e.p.wait(t, waiter.AllEvents, arrived); err != nil {
			return err
		}
	}
	e.awaiting = nil
	return nil
}

func (e *End) awaitPartner(t vfs.Task) error {
	e.p.mu.Lock()
	defer e.p.mu.Unlock()
	return e.awaitPartnerLocked(t, e.NonBlocking())
}

// Pipe is the pipe the end belongs to.
func (e *End) Pipe() *Pipe { return e.p }

// Readable and Writable say which ends this is.
func (e *End) Readable() bool { return e.read }
func (e *End) Writable() bool { return e.write }

// NonBlocking reports O_NONBLOCK; Packet reports O_DIRECT (packet mode).
func (e *End) NonBlocking() bool { return e.flags.Load()&unix.O_NONBLOCK != 0 }
func (e *End) Packet() bool      { return e.flags.Load()&unix.O_DIRECT != 0 }

// SetStatusFlags records the description's new status flags (F_SETFL,
// FIONBIO).
func (e *End) SetStatusFlags(flags int) { e.flags.Store(int32(flags & statusFlags)) }

// Read implements vfs.StreamFile.
func (e *End) Read(t vfs.Task, dst []byte) (int, error) {
	if !e.read {
		return 0, unix.EBADF
	}
	if err := e.awaitPartner(t); err != nil {
		return 0, err
	}
	return e.p.Read(t, dst, e.NonBlocking())
}

// Write implements vfs.StreamFile.
func (e *End) Write(t vfs.Task, src []byte) (int, error) {
	if !e.write {
		return 0, unix.EBADF
	}
	if len(src) > 0 {
		if err := e.awaitPartner(t); err != nil {
			return 0, err
		}
	}
	return e.p.Write(t, src, e.NonBlocking(), e.Packet())
}

// Stat implements vfs.FileImpl: a FIFO's inode, or the pipe's own.
func (e *End) Stat(ctx vfs.Context) (vfs.Stat, error) {
	if e.inode != nil {
		return e.inode.Stat(ctx)
	}
	return e.p.stat(), nil
}

// LinkName is what /proc/PID/fd shows for a pipe: "pipe:[INO]".
func (e *End) LinkName() string { return "pipe:[" + strconv.FormatUint(e.p.ino, 10) + "]" }

// Release implements vfs.FileImpl: the end closes. A FIFO whose last end
// closes loses its data and size, as Linux frees the pipe.
func (e *End) Release() {
	if e.released.Swap(true) {
		return
	}
	e.p.mu.Lock()
	e.releaseLocked()
	e.p.mu.Unlock()
}

func (e *End) releaseLocked() {
	p := e.p
	if e.read {
		p.readers--
	}
	if e.write {
		p.writers--
	}
	if (p.readers == 0) != (p.writers == 0) {
		p.notifyLocked(waiter.AllEvents)
	}
	if p.fifo && p.readers == 0 && p.writers == 0 {
		p.bufs = nil
		p.slots = DefaultSize / PageSize
	}
}

// fionread is FIONREAD (TIOCINQ on x86-64).
const fionread = 0x541b

// Ioctl implements vfs.Ioctler: FIONREAD gives the bytes waiting.
func (e *End) Ioctl(t vfs.Task, req, arg uintptr) (uintptr, error) {
	if req != fionread {
		return 0, unix.ENOTTY
	}
	var b [4]byte
	n := uint32(e.p.Queued())
	b[0], b[1], b[2], b[3] = byte(n), byte(n>>8), byte(n>>16), byte(n>>24)
	return 0, t.CopyOut(arg, b[:])
}

// Readiness implements waiter.Waitable.
func (e *End) Readiness(mask waiter.EventMask) waiter.EventMask {
	e.p.mu.Lock()
	defer e.p.mu.Unlock()
	if e.awaiting != nil && *e.awaiting == e.seen {
		return 0 // still opening, as far as the application can tell
	}
	return e.p.readinessLocked(e.read, e.write, e.version) & (mask | waiter.AlwaysReported)
}

// EventRegister implements waiter.Waitable.
func (e *End) EventRegister(w *waiter.Entry, mask waiter.EventMask) { e.p.queue.Register(w, mask) }

// EventUnregister implements waiter.Waitable.
func (e *End) EventUnregister(w *waiter.Entry) { e.p.queue.Unregister(w) }

// fifoMu guards tmpfs.Inode.Special for FIFOs.
var fifoMu sync.Mutex

// FIFO returns the pipe behind a FIFO inode, made at its first open.
func FIFO(in *tmpfs.Inode) *Pipe {
	fifoMu.Lock()
	defer fifoMu.Unlock()
	if p, ok := in.Special.(*Pipe); ok {
		return p
	}
	p := New(nil)
	p.fifo = true
	in.Special = p
	return p
}

// AttachFIFOs makes the FIFOs of fs (made by mknod or mkfifo) open as
// pipes. Other special files go to the hook fs had before (a /dev's
// devices), or fail with ENXIO as Linux's sockets do.
func AttachFIFOs(fs *tmpfs.FS) {
	prev := fs.NewSpecial
	fs.NewSpecial = func(ctx vfs.Context, in *tmpfs.Inode, flags int) (vfs.FileImpl, error) {
		if in.Mode()&unix.S_IFMT != unix.S_IFIFO {
			if prev != nil {
				return prev(ctx, in, flags)
			}
			return nil, unix.ENXIO
		}
		if flags&unix.O_DIRECT != 0 {
			return nil, unix.EINVAL // a FIFO cannot be opened for direct I/O
		}
		e, err := FIFO(in).Open(ctx, flags, in)
		if err != nil {
			return nil, err
		}
		return e, nil
	}
}
