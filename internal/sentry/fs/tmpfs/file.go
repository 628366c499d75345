package tmpfs

import (
	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/vfs"
)

// Open implements vfs.Inode.
func (in *Inode) Open(ctx vfs.Context, flags int) (vfs.FileImpl, error) {
	switch in.Mode() & unix.S_IFMT {
	case unix.S_IFREG:
		// O_TRUNC truncates even with O_RDONLY, as on Linux.
		if flags&unix.O_TRUNC != 0 {
			zero := int64(0)
			if err := in.SetStat(ctx, vfs.SetStatOpts{Size: &zero}); err != nil {
				return nil, err
			}
		}
		return &regularFile{in: in}, nil
	case unix.S_IFDIR:
		return &dirFile{in: in}, nil
	case unix.S_IFLNK:
		return nil, unix.ELOOP
	}
	if in.fs.NewSpecial == nil {
		return nil, unix.ENXIO
	}
	return in.fs.NewSpecial(ctx, in, flags)
}

// regularFile is an open regular file: reads and writes go to the memfd.
type regularFile struct {
	in *Inode
}

func (f *regularFile) Stat(ctx vfs.Context) (vfs.Stat, error) { return f.in.Stat(ctx) }
func (f *regularFile) Release()                               {}

// fd returns the file's memfd, creating it.
func (f *regularFile) fd() (int, error) {
	f.in.mu.Lock()
	defer f.in.mu.Unlock()
	return f.in.dataLocked()
}

// PRead implements vfs.PositionalFile.
func (f *regularFile) PRead(t vfs.Task, dst []byte, off int64) (int, error) {
	f.in.mu.Lock()
	fd := f.in.memfd
	f.in.atime = now()
	f.in.mu.Unlock()
	if fd < 0 {
		return 0, nil // never written: empty
	}
	n, err := unix.Pread(fd, dst, off)
	if n < 0 {
		n = 0
	}
	return n, err
}

// PWrite implements vfs.PositionalFile.
func (f *regularFile) PWrite(t vfs.Task, src []byte, off int64) (int, error) {
	f.in.mu.Lock()
	defer f.in.mu.Unlock()
	fd, err := f.in.dataLocked()
	if err != nil {
		return 0, err
	}
	if off < 0 {
		var st unix.Stat_t
		if err := unix.Fstat(fd, &st); err != nil {
			return 0, err
		}
		off = st.Size
	}
	n, err := unix.Pwrite(fd, src, off)
	if n < 0 {
		n = 0
	}
	if n > 0 {
		f.in.touchLocked(true, true)
		// Writing clears set-user-ID (and set-group-ID with group exec).
		if f.in.mode&unix.S_ISUID != 0 || f.in.mode&(unix.S_ISGID|0o010) == unix.S_ISGID|0o010 {
			f.in.mode &^= unix.S_ISUID | unix.S_ISGID
		}
	}
	return n, err
}

// Truncate implements vfs.Truncater.
func (f *regularFile) Truncate(t vfs.Task, size int64) error {
	return f.in.SetStat(t, vfs.SetStatOpts{Size: &size})
}

// Sync implements vfs.Syncer: memory needs no flushing.
func (f *regularFile) Sync(t vfs.Task, dataOnly bool) error { return nil }

// Allocate implements vfs.Allocater on the memfd.
func (f *regularFile) Allocate(t vfs.Task, mode uint32, off, length int64) error {
	fd, err := f.fd()
	if err != nil {
		return err
	}
	return unix.Fallocate(fd, mode, off, length)
}

// SeekData implements vfs.DataSeeker with the memfd's own holes.
func (f *regularFile) SeekData(whence int, off int64) (int64, error) {
	f.in.mu.Lock()
	defer f.in.mu.Unlock()
	if f.in.memfd < 0 {
		return 0, unix.ENXIO // never written: empty
	}
	// The memfd's own offset moves, but only pread and pwrite use it.
	return unix.Seek(f.in.memfd, off, whence)
}

// HostFD implements mm.Mappable: the memfd is mapped into the stub.
func (f *regularFile) HostFD() int {
	fd, _ := f.fd()
	return fd
}

// MappingName implements mm.Mappable.
func (f *regularFile) MappingName() string { return "/memfd:tmpfs (tmpfs)" }

// dirFile is an open directory.
type dirFile struct {
	in *Inode
}

func (f *dirFile) Stat(ctx vfs.Context) (vfs.Stat, error)        { return f.in.Stat(ctx) }
func (f *dirFile) Release()                                      {}
func (f *dirFile) ReadDir(ctx vfs.Context) ([]vfs.Dirent, error) { return f.in.ReadDir(ctx) }
