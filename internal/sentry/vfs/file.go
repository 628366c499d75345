// Package vfs holds what every file in the Sentry shares: the mount tree
// and path resolution, open file descriptions, the per-process fd table,
// and the interfaces filesystems implement.
package vfs

import (
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// Task is the calling task as file operations see it.
type Task interface {
	Context
	// CopyIn and CopyOut move bytes between the Sentry and application
	// memory; failures are EFAULT.
	CopyIn(addr uintptr, dst []byte) error
	CopyOut(addr uintptr, src []byte) error
	// HostWait blocks until host fd fd has one of events (POLLIN, POLLOUT),
	// the deadline passes (ETIMEDOUT; zero means none), or the task is
	// interrupted (ErrInterrupted).
	HostWait(fd int, events int16, deadline time.Time) (int16, error)
	// Block waits until ch is ready, the deadline passes (ETIMEDOUT) or the
	// task is interrupted (ErrInterrupted).
	Block(ch <-chan struct{}, deadline time.Time) error
}

// ErrInterrupted is returned by blocking operations when a signal or an exit
// needs the task; the syscall layer turns it into the right restart errno.
var ErrInterrupted = interruptedError{}

type interruptedError struct{}

func (interruptedError) Error() string { return "interrupted" }

// FileImpl is an open file of some filesystem. It reads and writes either
// as a stream (StreamFile) or at offsets the File keeps (PositionalFile);
// other abilities are the optional interfaces below.
type FileImpl interface {
	Stat(ctx Context) (Stat, error)
	// Release frees the file when its last reference goes.
	Release()
}

// StreamFile has no offset: pipes, sockets, terminals.
type StreamFile interface {
	FileImpl
	Read(t Task, dst []byte) (int, error)
	Write(t Task, src []byte) (int, error)
}

// PositionalFile reads and writes at an offset.
type PositionalFile interface {
	FileImpl
	PRead(t Task, dst []byte, off int64) (int, error)
	// PWrite writes at off, or at the end of the file (atomically) when off
	// is negative: O_APPEND.
	PWrite(t Task, src []byte, off int64) (int, error)
}

// Seeker is a file that seeks itself (a host fd keeps its own offset).
type Seeker interface {
	Seek(t Task, offset int64, whence int) (int64, error)
}

// DataSeeker is a file that knows its holes: it answers SEEK_DATA and
// SEEK_HOLE itself (with the host's lseek on its backing fd). Others count
// as all data.
type DataSeeker interface {
	SeekData(whence int, off int64) (int64, error)
}

// Ioctler handles ioctl(2) requests beyond the generic ones.
type Ioctler interface {
	Ioctl(t Task, request, arg uintptr) (uintptr, error)
}

// Truncater changes a file's size through an open file (ftruncate).
type Truncater interface {
	Truncate(t Task, size int64) error
}

// Syncer flushes a file (fsync, fdatasync).
type Syncer interface {
	Sync(t Task, dataOnly bool) error
}

// Allocater preallocates or punches space (fallocate).
type Allocater interface {
	Allocate(t Task, mode uint32, off, length int64) error
}

// File is an open file description: shared by every fd that dup, fork or
// SCM_RIGHTS made from one open, with one offset and one set of status flags.
type File struct {
	impl FileImpl
	// vd is where the file was opened, for files that have a path.
	vd   VirtualDentry
	refs atomic.Int64

	mu    sync.Mutex
	flags int // access mode and status flags

	// posMu serialises reads, writes and seeks that use the offset.
	posMu  sync.Mutex
	offset int64
	// dirents is a directory's listing, taken when getdents starts at 0.
	dirents []Dirent
}

// NewFile returns a file description with one reference.
func NewFile(impl FileImpl, vd VirtualDentry, flags int) *File {
	f := &File{impl: impl, vd: vd, flags: flags}
	f.refs.Store(1)
	return f
}

// Impl is the filesystem's file.
func (f *File) Impl() FileImpl { return f.impl }

// VirtualDentry is where the file was opened (zero for pipes and sockets).
func (f *File) VirtualDentry() VirtualDentry { return f.vd }

// IncRef takes a reference.
func (f *File) IncRef() { f.refs.Add(1) }

// DecRef drops a reference, releasing the file with the last.
func (f *File) DecRef() {
	if f.refs.Add(-1) == 0 {
		if OnFileRelease != nil {
			OnFileRelease(f)
		}
		f.impl.Release()
	}
}

// Flags returns the status flags and access mode (F_GETFL).
func (f *File) Flags() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.flags
}

// SetFlags changes the flags F_SETFL may change.
func (f *File) SetFlags(flags int) {
	const settable = unix.O_APPEND | unix.O_ASYNC | unix.O_DIRECT | unix.O_NOATIME | unix.O_NONBLOCK
	f.mu.Lock()
	f.flags = f.flags&^settable | flags&settable
	f.mu.Unlock()
}

// NonBlocking reports O_NONBLOCK.
func (f *File) NonBlocking() bool { return f.Flags()&unix.O_NONBLOCK != 0 }

// Readable and Writable check the access mode.
func (f *File) Readable() bool {
	fl := f.Flags()
	m := fl & unix.O_ACCMODE
	return fl&unix.O_PATH == 0 && (m == unix.O_RDONLY || m == unix.O_RDWR)
}

func (f *File) Writable() bool {
	fl := f.Flags()
	m := fl & unix.O_ACCMODE
	return fl&unix.O_PATH == 0 && (m == unix.O_WRONLY || m == unix.O_RDWR)
}

// Stat reports the file's inode.
func (f *File) Stat(ctx Context) (Stat, error) { return f.impl.Stat(ctx) }

// Read reads at the file's offset (read(2)).
func (f *File) Read(t Task, dst []byte) (int, error) {
	switch impl := f.impl.(type) {
	case StreamFile:
		return impl.Read(t, dst)
	case PositionalFile:
		f.posMu.Lock()
		defer f.posMu.Unlock()
		n, err := impl.PRead(t, dst, f.offset)
		f.offset += int64(n)
		return n, err
	}
	return 0, f.cannotRead(t, unix.EINVAL)
}

// cannotRead is the error of a read of a file that has no data to read:
// EISDIR for a directory (as generic_read_dir gives), otherwise err.
func (f *File) cannotRead(t Task, err error) error {
	if st, serr := f.impl.Stat(t); serr == nil && st.IsDir() {
		return unix.EISDIR
	}
	return err
}

// RecordFile is a file read in whole records (eventfd, timerfd, signalfd,
// inotify): a read shorter than one record, zero bytes included, is EINVAL.
type RecordFile interface {
	RecordSize() int
}

// ZeroRead is the result of a read of zero bytes, which Linux passes to
// the file: 0 for most, EINVAL for record files, EISDIR for directories.
func (f *File) ZeroRead(t Task) error {
	if _, ok := f.impl.(RecordFile); ok {
		return unix.EINVAL
	}
	if _, ok := f.impl.(StreamFile); ok {
		return nil
	}
	return f.cannotRead(t, nil)
}

// Append says whether one write appends: as the description's O_APPEND
// says, or always or never whatever it says (pwritev2's RWF_APPEND and
// RWF_NOAPPEND).
type Append int

const (
	AppendAsFlags Append = iota
	AppendAlways
	AppendNever
)

func (f *File) appends(a Append) bool {
	switch a {
	case AppendAlways:
		return true
	case AppendNever:
		return false
	}
	return f.Flags()&unix.O_APPEND != 0
}

// Write writes at the file's offset, or at the end with O_APPEND.
func (f *File) Write(t Task, src []byte) (int, error) {
	return f.WriteAppend(t, src, AppendAsFlags)
}

// WriteAppend is Write with O_APPEND overridden as a says.
func (f *File) WriteAppend(t Task, src []byte, a Append) (int, error) {
	switch impl := f.impl.(type) {
	case StreamFile:
		return impl.Write(t, src)
	case PositionalFile:
		f.posMu.Lock()
		defer f.posMu.Unlock()
		off := f.offset
		if f.appends(a) {
			off = -1
		}
		n, err := impl.PWrite(t, src, off)
		if off < 0 {
			if st, serr := impl.Stat(t); serr == nil {
				f.offset = st.Size
			}
		} else {
			f.offset += int64(n)
		}
		return n, err
	}
	return 0, unix.EINVAL
}

// PRead reads at off without moving the offset (pread(2)).
func (f *File) PRead(t Task, dst []byte, off int64) (int, error) {
	impl, ok := f.impl.(PositionalFile)
	if !ok {
		return 0, f.cannotRead(t, unix.ESPIPE)
	}
	if off < 0 {
		return 0, unix.EINVAL
	}
	return impl.PRead(t, dst, off)
}

// PWrite writes at off without moving the offset (pwrite(2)). Like Linux,
// O_APPEND makes it append anyway.
func (f *File) PWrite(t Task, src []byte, off int64) (int, error) {
	return f.PWriteAppend(t, src, off, AppendAsFlags)
}

// PWriteAppend is PWrite with O_APPEND overridden as a says.
func (f *File) PWriteAppend(t Task, src []byte, off int64, a Append) (int, error) {
	impl, ok := f.impl.(PositionalFile)
	if !ok {
		return 0, unix.ESPIPE
	}
	if off < 0 {
		return 0, unix.EINVAL
	}
	if f.appends(a) {
		off = -1
	}
	return impl.PWrite(t, src, off)
}

// Seekable reports whether lseek works on the file.
func (f *File) Seekable() bool {
	switch f.impl.(type) {
	case Seeker, PositionalFile:
		return true
	}
	return f.isDir()
}

func (f *File) isDir() bool {
	_, ok := f.impl.(DirFile)
	return ok
}

// Seek implements lseek(2).
func (f *File) Seek(t Task, offset int64, whence int) (int64, error) {
	if s, ok := f.impl.(Seeker); ok {
		return s.Seek(t, offset, whence)
	}
	_, positional := f.impl.(PositionalFile)
	if !positional && !f.isDir() {
		return 0, unix.ESPIPE
	}
	f.posMu.Lock()
	defer f.posMu.Unlock()
	var base int64
	switch whence {
	case unix.SEEK_SET:
	case unix.SEEK_CUR:
		base = f.offset
	case unix.SEEK_END, unix.SEEK_DATA, unix.SEEK_HOLE:
		if f.isDir() {
			return 0, unix.EINVAL
		}
		st, err := f.impl.Stat(t)
		if err != nil {
			return 0, err
		}
		if ds, ok := f.impl.(DataSeeker); ok && whence != unix.SEEK_END {
			n, err := ds.SeekData(whence, offset)
			if err != nil {
				return 0, err
			}
			f.offset = n
			return n, nil
		}
		switch whence {
		case unix.SEEK_END:
			base = st.Size
		case unix.SEEK_DATA:
			// Without hole information, the whole file is data.
			if offset >= st.Size || offset < 0 {
				return 0, unix.ENXIO
			}
		case unix.SEEK_HOLE:
			if offset >= st.Size || offset < 0 {
				return 0, unix.ENXIO
			}
			offset = st.Size
		}
	default:
		return 0, unix.EINVAL
	}
	n := base + offset
	// On 64-bit Linux an overflowing sum wraps negative in vfs_setpos: EINVAL.
	if offset > 0 && n < base {
		return 0, unix.EINVAL
	}
	if n < 0 {
		return 0, unix.EINVAL
	}
	if f.isDir() && n == 0 {
		f.dirents = nil
	}
	f.offset = n
	return n, nil
}

// Ioctl dispatches ioctl(2) to the file, ENOTTY if it takes none.
func (f *File) Ioctl(t Task, req, arg uintptr) (uintptr, error) {
	if io, ok := f.impl.(Ioctler); ok {
		return io.Ioctl(t, req, arg)
	}
	return 0, unix.ENOTTY
}

// DirFile is an open directory.
type DirFile interface {
	FileImpl
	ReadDir(ctx Context) ([]Dirent, error)
}

// ReadDir returns the directory entries from the file's offset (start) on,
// and advances it by take(entries, start): how many the caller used.
func (f *File) ReadDir(ctx Context, take func(ents []Dirent, start int64) int) error {
	d, ok := f.impl.(DirFile)
	if !ok {
		return unix.ENOTDIR
	}
	// A removed directory lists nothing, not even "." and "..": Linux's
	// iterate_dir gives ENOENT for a dead directory.
	if f.vd.Ok() && f.vd.Dentry.Deleted() {
		return unix.ENOENT
	}
	f.posMu.Lock()
	defer f.posMu.Unlock()
	if f.dirents == nil || f.offset == 0 {
		ents, err := d.ReadDir(ctx)
		if err != nil {
			return err
		}
		f.dirents = append(f.dotEntries(ctx), ents...)
	}
	if f.offset >= int64(len(f.dirents)) {
		take(nil, f.offset)
		return nil
	}
	n := take(f.dirents[f.offset:], f.offset)
	f.offset += int64(n)
	return nil
}

// dotEntries are "." and "..", which filesystems leave out of ReadDir.
func (f *File) dotEntries(ctx Context) []Dirent {
	self, err := f.impl.Stat(ctx)
	if err != nil {
		return nil
	}
	parentIno := self.Ino
	if f.vd.Ok() {
		up := f.vd
		if up.Dentry == up.Mount.root && up.Mount.parent != nil {
			up = VirtualDentry{up.Mount.parent, up.Mount.point}
		}
		if p := up.Dentry.Parent(); p != nil {
			if st, err := p.inode.Stat(ctx); err == nil {
				parentIno = st.Ino
			}
		}
	}
	return []Dirent{{Name: ".", Ino: self.Ino, Type: DT_DIR}, {Name: "..", Ino: parentIno, Type: DT_DIR}}
}

// DT_DIR is the directory entry type of a directory.
const DT_DIR = unix.DT_DIR
