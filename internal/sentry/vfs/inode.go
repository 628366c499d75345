package vfs

import (
	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/auth"
)

// Stat is what every filesystem reports of an inode (stat(2), statx(2)).
type Stat struct {
	Dev     uint64
	Ino     uint64
	Mode    uint32 // file type and permission bits
	Nlink   uint64
	UID     uint32
	GID     uint32
	Rdev    uint64
	Size    int64
	Blksize int64
	Blocks  int64
	Atime   unix.Timespec
	Mtime   unix.Timespec
	Ctime   unix.Timespec
	Btime   unix.Timespec // zero when unknown
}

// Type is the file type bits of the mode.
func (s *Stat) Type() uint32 { return s.Mode & unix.S_IFMT }

// IsDir and friends test the file type.
func (s *Stat) IsDir() bool     { return s.Type() == unix.S_IFDIR }
func (s *Stat) IsSymlink() bool { return s.Type() == unix.S_IFLNK }
func (s *Stat) IsRegular() bool { return s.Type() == unix.S_IFREG }

// StatFromHost converts a host stat.
func StatFromHost(h *unix.Stat_t) Stat {
	return Stat{
		Dev: h.Dev, Ino: h.Ino, Mode: h.Mode, Nlink: h.Nlink, UID: h.Uid, GID: h.Gid,
		Rdev: h.Rdev, Size: h.Size, Blksize: h.Blksize, Blocks: h.Blocks,
		Atime: h.Atim, Mtime: h.Mtim, Ctime: h.Ctim,
	}
}

// Context is the caller of a filesystem operation: whose credentials it
// runs with.
type Context interface {
	Creds() *auth.Credentials
}

// Inode is a file in some filesystem. Optional behaviour (directories,
// symlinks, changes) is in the interfaces below; an inode that lacks one
// gets the errno Linux gives (ENOTDIR, EINVAL, EPERM...).
type Inode interface {
	Stat(ctx Context) (Stat, error)
	// Open returns an open file over the inode. flags are open(2)'s, with
	// the access mode already checked against the inode's permissions.
	Open(ctx Context, flags int) (FileImpl, error)
}

// Dirent is one directory entry (getdents64).
type Dirent struct {
	Name string
	Ino  uint64
	Type uint8 // DT_*
}

// DirInode is a directory.
type DirInode interface {
	Inode
	// Lookup returns the child called name (never "." or ".."), ENOENT if
	// there is none.
	Lookup(ctx Context, name string) (Inode, error)
	// ReadDir lists the directory without "." and "..".
	ReadDir(ctx Context) ([]Dirent, error)
}

// CreateOpts describe a new file.
type CreateOpts struct {
	Mode uint32 // type and permission bits, umask applied
	UID  uint32
	GID  uint32
	Dev  uint64 // for device nodes
}

// TmpfileDir is a directory that makes unnamed regular files (O_TMPFILE):
// nlink 0, in no directory. A linkable one may get a name with linkat.
type TmpfileDir interface {
	Tmpfile(ctx Context, opts CreateOpts, linkable bool) (Inode, error)
}

// WritableDir is a directory whose entries can change.
type WritableDir interface {
	DirInode
	// Create makes a file of any type but directory and symlink (regular,
	// FIFO, socket, device).
	Create(ctx Context, name string, opts CreateOpts) (Inode, error)
	Mkdir(ctx Context, name string, opts CreateOpts) (Inode, error)
	Symlink(ctx Context, name, target string, opts CreateOpts) (Inode, error)
	// Link makes name another link to target, an inode of the same
	// filesystem.
	Link(ctx Context, name string, target Inode) error
	// Unlink removes a non-directory entry; Rmdir an empty directory.
	Unlink(ctx Context, name string) error
	Rmdir(ctx Context, name string) error
	// Rename moves oldName to newDir/newName (same filesystem); flags are
	// renameat2's RENAME_NOREPLACE and RENAME_EXCHANGE.
	Rename(ctx Context, oldName string, newDir DirInode, newName string, flags uint) error
}

// SymlinkInode is a symbolic link.
type SymlinkInode interface {
	Inode
	Readlink(ctx Context) (string, error)
}

// MagicLink is a link that resolves to a file rather than a path
// (/proc/PID/fd/N, /proc/PID/cwd): following it jumps straight there.
type MagicLink interface {
	SymlinkInode
	// Target is where following the link leads.
	Target(ctx Context) (VirtualDentry, error)
}

// SetStatOpts are the changes chmod, chown, truncate and utimensat make.
// Nil fields are left alone.
type SetStatOpts struct {
	Mode  *uint32 // permission bits only
	UID   *uint32
	GID   *uint32
	Size  *int64
	Atime *unix.Timespec // UTIME_NOW already resolved to a time
	Mtime *unix.Timespec
}

// SettableInode can change its attributes.
type SettableInode interface {
	Inode
	SetStat(ctx Context, opts SetStatOpts) error
}

// Filesystem is one mounted filesystem.
type Filesystem interface {
	// Name is the filesystem type ("tmpfs", "proc", "overlay").
	Name() string
	// StatFS reports statfs(2).
	StatFS() (unix.Statfs_t, error)
}

// DirentType is the DT_* of a file mode.
func DirentType(mode uint32) uint8 {
	switch mode & unix.S_IFMT {
	case unix.S_IFREG:
		return unix.DT_REG
	case unix.S_IFDIR:
		return unix.DT_DIR
	case unix.S_IFLNK:
		return unix.DT_LNK
	case unix.S_IFCHR:
		return unix.DT_CHR
	case unix.S_IFBLK:
		return unix.DT_BLK
	case unix.S_IFIFO:
		return unix.DT_FIFO
	case unix.S_IFSOCK:
		return unix.DT_SOCK
	}
	return unix.DT_UNKNOWN
}
