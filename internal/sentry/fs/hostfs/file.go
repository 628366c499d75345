package hostfs

import (
	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/vfs"
)

// Open implements vfs.Inode. Device nodes, FIFOs and sockets of the host
// never open: a host tree shows files and directories only.
func (in *Inode) Open(ctx vfs.Context, flags int) (vfs.FileImpl, error) {
	acc := flags & unix.O_ACCMODE
	if in.fs.readOnly && (acc != unix.O_RDONLY || flags&unix.O_TRUNC != 0) {
		return nil, unix.EROFS
	}
	switch in.mode & unix.S_IFMT {
	case unix.S_IFDIR:
		return &dirFile{in: in}, nil
	case unix.S_IFREG:
		hostFlags := acc | flags&(unix.O_APPEND|unix.O_DIRECT|unix.O_DSYNC|unix.O_SYNC|unix.O_NOATIME)
		fd, err := in.reopen(hostFlags &^ unix.O_APPEND)
		if err != nil {
			return nil, err
		}
		if flags&unix.O_TRUNC != 0 {
			// Linux truncates even for O_RDONLY (the caller passed the
			// write permission check); a read-only fd needs a writable one.
			if acc != unix.O_RDONLY {
				err = unix.Ftruncate(fd, 0)
			} else {
				zero := int64(0)
				err = in.SetStat(ctx, vfs.SetStatOpts{Size: &zero})
			}
			if err != nil {
				unix.Close(fd)
				return nil, err
			}
		}
		return &regularFile{in: in, fd: fd}, nil
	case unix.S_IFLNK:
		return nil, unix.ELOOP
	}
	return nil, unix.EACCES
}

// regularFile is a host file open for I/O: reads, writes and mappings use
// the host fd directly.
type regularFile struct {
	in *Inode
	fd int
}

func (f *regularFile) Stat(ctx vfs.Context) (vfs.Stat, error) { return f.in.Stat(ctx) }
func (f *regularFile) Release()                               { unix.Close(f.fd) }

// PRead implements vfs.PositionalFile.
func (f *regularFile) PRead(t vfs.Task, dst []byte, off int64) (int, error) {
	for {
		n, err := unix.Pread(f.fd, dst, off)
		if err == unix.EINTR {
			continue
		}
		if n < 0 {
			n = 0
		}
		return n, err
	}
}

// PWrite implements vfs.PositionalFile.
func (f *regularFile) PWrite(t vfs.Task, src []byte, off int64) (int, error) {
	if off < 0 {
		// O_APPEND: the host appends atomically through pwritev2's
		// RWF_APPEND, never moving the fd's own offset.
		n, err := unix.Pwritev2(f.fd, [][]byte{src}, -1, unix.RWF_APPEND)
		if n < 0 {
			n = 0
		}
		return n, err
	}
	n, err := unix.Pwrite(f.fd, src, off)
	if n < 0 {
		n = 0
	}
	return n, err
}

// Truncate implements vfs.Truncater.
func (f *regularFile) Truncate(t vfs.Task, size int64) error { return unix.Ftruncate(f.fd, size) }

// Sync implements vfs.Syncer.
func (f *regularFile) Sync(t vfs.Task, dataOnly bool) error {
	if dataOnly {
		return unix.Fdatasync(f.fd)
	}
	return unix.Fsync(f.fd)
}

// Allocate implements vfs.Allocater.
func (f *regularFile) Allocate(t vfs.Task, mode uint32, off, length int64) error {
	return unix.Fallocate(f.fd, mode, off, length)
}

// SeekData finds data and holes with the host's lseek.
func (f *regularFile) SeekData(whence int, off int64) (int64, error) {
	return unix.Seek(f.fd, off, whence)
}

// HostFD implements mm.Mappable.
func (f *regularFile) HostFD() int { return f.fd }

// MappingName implements mm.Mappable.
func (f *regularFile) MappingName() string { return "" }

// dirFile is an open host directory.
type dirFile struct {
	in *Inode
}

func (f *dirFile) Stat(ctx vfs.Context) (vfs.Stat, error)        { return f.in.Stat(ctx) }
func (f *dirFile) Release()                                      {}
func (f *dirFile) ReadDir(ctx vfs.Context) ([]vfs.Dirent, error) { return f.in.ReadDir(ctx) }

// Changes: only on a writable tree (a volume).

func (in *Inode) writable(name string) error {
	if in.fs.readOnly {
		return unix.EROFS
	}
	if !in.isDir() {
		return unix.ENOTDIR
	}
	return CheckName(name)
}

// Create implements vfs.WritableDir.
func (in *Inode) Create(ctx vfs.Context, name string, opts vfs.CreateOpts) (vfs.Inode, error) {
	if err := in.writable(name); err != nil {
		return nil, err
	}
	switch opts.Mode & unix.S_IFMT {
	case unix.S_IFREG:
		fd, err := unix.Openat(in.fd, name, unix.O_CREAT|unix.O_EXCL|unix.O_WRONLY|unix.O_NOFOLLOW|unix.O_CLOEXEC, opts.Mode&0o7777)
		if err != nil {
			return nil, err
		}
		unix.Close(fd)
	case unix.S_IFIFO, unix.S_IFSOCK:
		if err := unix.Mknodat(in.fd, name, opts.Mode, 0); err != nil {
			return nil, err
		}
	default:
		return nil, unix.EPERM // no device nodes on host trees
	}
	c, err := in.lookupAt(name)
	if err != nil {
		return nil, err
	}
	unix.Fchownat(c.fd, "", int(opts.UID), int(opts.GID), unix.AT_EMPTY_PATH|unix.AT_SYMLINK_NOFOLLOW)
	return c, nil
}

// Mkdir implements vfs.WritableDir.
func (in *Inode) Mkdir(ctx vfs.Context, name string, opts vfs.CreateOpts) (vfs.Inode, error) {
	if err := in.writable(name); err != nil {
		return nil, err
	}
	if err := unix.Mkdirat(in.fd, name, opts.Mode&0o7777); err != nil {
		return nil, err
	}
	c, err := in.lookupAt(name)
	if err != nil {
		return nil, err
	}
	unix.Fchownat(c.fd, "", int(opts.UID), int(opts.GID), unix.AT_EMPTY_PATH|unix.AT_SYMLINK_NOFOLLOW)
	return c, nil
}

// Symlink implements vfs.WritableDir. The target is stored as given; the
// host never follows it (every lookup is O_NOFOLLOW).
func (in *Inode) Symlink(ctx vfs.Context, name, target string, opts vfs.CreateOpts) (vfs.Inode, error) {
	if err := in.writable(name); err != nil {
		return nil, err
	}
	if err := unix.Symlinkat(target, in.fd, name); err != nil {
		return nil, err
	}
	c, err := in.lookupAt(name)
	if err != nil {
		return nil, err
	}
	unix.Fchownat(c.fd, "", int(opts.UID), int(opts.GID), unix.AT_EMPTY_PATH|unix.AT_SYMLINK_NOFOLLOW)
	return c, nil
}

// Link implements vfs.WritableDir.
func (in *Inode) Link(ctx vfs.Context, name string, target vfs.Inode) error {
	if err := in.writable(name); err != nil {
		return err
	}
	t, ok := target.(*Inode)
	if !ok || t.fs != in.fs {
		return unix.EXDEV
	}
	t.mu.Lock()
	tp, tn := t.parent, t.name
	t.mu.Unlock()
	if tp == nil || CheckName(tn) != nil {
		return unix.EPERM
	}
	return unix.Linkat(tp.fd, tn, in.fd, name, 0)
}

// Unlink implements vfs.WritableDir.
func (in *Inode) Unlink(ctx vfs.Context, name string) error {
	if err := in.writable(name); err != nil {
		return err
	}
	return unix.Unlinkat(in.fd, name, 0)
}

// Rmdir implements vfs.WritableDir.
func (in *Inode) Rmdir(ctx vfs.Context, name string) error {
	if err := in.writable(name); err != nil {
		return err
	}
	return unix.Unlinkat(in.fd, name, unix.AT_REMOVEDIR)
}

// Rename implements vfs.WritableDir.
func (in *Inode) Rename(ctx vfs.Context, oldName string, newDir vfs.DirInode, newName string, flags uint) error {
	nd, ok := newDir.(*Inode)
	if !ok || nd.fs != in.fs {
		return unix.EXDEV
	}
	if err := in.writable(oldName); err != nil {
		return err
	}
	if err := nd.writable(newName); err != nil {
		return err
	}
	return unix.Renameat2(in.fd, oldName, nd.fd, newName, flags)
}

// Moved records that a rename inside the sandbox moved the inode.
func (in *Inode) Moved(newParent vfs.Inode, newName string) {
	if p, ok := newParent.(*Inode); ok {
		in.mu.Lock()
		in.parent, in.name = p, newName
		in.mu.Unlock()
	}
}

// SetStat implements vfs.SettableInode.
func (in *Inode) SetStat(ctx vfs.Context, o vfs.SetStatOpts) error {
	if in.fs.readOnly {
		return unix.EROFS
	}
	if o.Size != nil {
		if in.isDir() {
			return unix.EISDIR
		}
		fd, err := in.reopen(unix.O_WRONLY)
		if err != nil {
			return err
		}
		err = unix.Ftruncate(fd, *o.Size)
		unix.Close(fd)
		if err != nil {
			return err
		}
	}
	// The owner first: the host's chown drops set-ID bits, and the
	// mode asked for (which the caller worked out) must be the last word.
	if o.UID != nil || o.GID != nil {
		uid, gid := -1, -1
		if o.UID != nil {
			uid = int(*o.UID)
		}
		if o.GID != nil {
			gid = int(*o.GID)
		}
		if err := unix.Fchownat(in.fd, "", uid, gid, unix.AT_EMPTY_PATH|unix.AT_SYMLINK_NOFOLLOW); err != nil {
			return err
		}
	}
	if o.Mode != nil {
		if in.mode&unix.S_IFMT == unix.S_IFLNK {
			return unix.EOPNOTSUPP
		}
		if err := unix.Chmod(procFDPath(in.fd), *o.Mode&0o7777); err != nil {
			return err
		}
	}
	if o.Atime != nil || o.Mtime != nil {
		ts := [2]unix.Timespec{{Nsec: unix.UTIME_OMIT}, {Nsec: unix.UTIME_OMIT}}
		if o.Atime != nil {
			ts[0] = *o.Atime
		}
		if o.Mtime != nil {
			ts[1] = *o.Mtime
		}
		if in.mode&unix.S_IFMT == unix.S_IFLNK {
			return unix.UtimesNanoAt(in.parentFD(), in.nameOf(), ts[:], unix.AT_SYMLINK_NOFOLLOW)
		}
		if err := unix.UtimesNanoAt(unix.AT_FDCWD, procFDPath(in.fd), ts[:], 0); err != nil {
			return err
		}
	}
	return nil
}

func (in *Inode) parentFD() int {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.parent == nil {
		return -1
	}
	return in.parent.fd
}

func (in *Inode) nameOf() string {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.name
}
