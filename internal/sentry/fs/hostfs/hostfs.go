// Package hostfs shows a host directory tree to the sandbox. The tree is
// reached only through a directory fd opened before the application starts;
// every host access is relative to an fd the Sentry holds, one component at
// a time, with O_NOFOLLOW. No application path is ever handed to the host:
// symlinks and ".." are resolved by the Sentry's VFS, and the only names
// this package passes to the host are single components it has checked.
package hostfs

import (
	"strconv"
	"sync"

	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/vfs"
)

// FS is a host directory tree.
type FS struct {
	readOnly bool
	rootFD   int
}

// New returns a filesystem over rootFD (a directory fd the caller opened;
// the filesystem takes it over). readOnly rejects every change with EROFS.
func New(rootFD int, readOnly bool) (*FS, *Inode, error) {
	fs := &FS{readOnly: readOnly, rootFD: rootFD}
	var st unix.Stat_t
	if err := unix.Fstat(rootFD, &st); err != nil {
		return nil, nil, err
	}
	if st.Mode&unix.S_IFMT != unix.S_IFDIR {
		return nil, nil, unix.ENOTDIR
	}
	return fs, &Inode{fs: fs, fd: rootFD, mode: st.Mode, dev: st.Dev, ino: st.Ino}, nil
}

// Name implements vfs.Filesystem.
func (fs *FS) Name() string { return "hostfs" }

// StatFS implements vfs.Filesystem with the host filesystem's figures.
func (fs *FS) StatFS() (unix.Statfs_t, error) {
	var st unix.Statfs_t
	err := unix.Fstatfs(fs.rootFD, &st)
	return st, err
}

// CheckName accepts a single path component: never empty, ".", "..", or
// anything with a slash or NUL. Every name this package gives the host
// passes through it.
func CheckName(name string) error {
	if name == "" || name == "." || name == ".." || len(name) > 255 {
		return unix.EINVAL
	}
	for i := 0; i < len(name); i++ {
		if name[i] == '/' || name[i] == 0 {
			return unix.EINVAL
		}
	}
	return nil
}

// Inode is a host file, held by an O_PATH fd.
type Inode struct {
	fs   *FS
	fd   int    // O_PATH|O_NOFOLLOW, or the root's directory fd
	mode uint32 // the file type never changes
	dev  uint64
	ino  uint64

	// Where the file was found, to reopen it for I/O; renames inside the
	// sandbox update it.
	mu     sync.Mutex
	parent *Inode
	name   string
}

// lookupAt opens name in dir as a new inode.
func (in *Inode) lookupAt(name string) (*Inode, error) {
	if err := CheckName(name); err != nil {
		return nil, err
	}
	fd, err := unix.Openat(in.fd, name, unix.O_PATH|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		unix.Close(fd)
		return nil, err
	}
	return &Inode{fs: in.fs, fd: fd, mode: st.Mode, dev: st.Dev, ino: st.Ino, parent: in, name: name}, nil
}

func (in *Inode) isDir() bool { return in.mode&unix.S_IFMT == unix.S_IFDIR }

// Stat implements vfs.Inode with the host's metadata.
func (in *Inode) Stat(ctx vfs.Context) (vfs.Stat, error) {
	var st unix.Stat_t
	if err := unix.Fstat(in.fd, &st); err != nil {
		return vfs.Stat{}, err
	}
	return vfs.StatFromHost(&st), nil
}

// Lookup implements vfs.DirInode.
func (in *Inode) Lookup(ctx vfs.Context, name string) (vfs.Inode, error) {
	if !in.isDir() {
		return nil, unix.ENOTDIR
	}
	c, err := in.lookupAt(name)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// Valid implements vfs.Revalidator: the host may change the tree under the
// sandbox, so a cached name must still name the same file.
func (in *Inode) Valid(ctx vfs.Context, name string, child vfs.Inode) bool {
	c, ok := child.(*Inode)
	if !ok || CheckName(name) != nil {
		return false
	}
	var st unix.Stat_t
	if err := unix.Fstatat(in.fd, name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return false
	}
	return st.Dev == c.dev && st.Ino == c.ino
}

// ReadDir implements vfs.DirInode.
func (in *Inode) ReadDir(ctx vfs.Context) ([]vfs.Dirent, error) {
	if !in.isDir() {
		return nil, unix.ENOTDIR
	}
	fd, err := unix.Openat(in.fd, ".", unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	defer unix.Close(fd)
	var out []vfs.Dirent
	buf := make([]byte, 32<<10)
	for {
		n, err := unix.Getdents(fd, buf)
		if err != nil {
			return nil, err
		}
		if n <= 0 {
			return out, nil
		}
		for b := buf[:n]; len(b) >= 19; {
			reclen := int(uint16(b[16]) | uint16(b[17])<<8)
			if reclen < 19 || reclen > len(b) {
				break
			}
			ino := uint64(0)
			for i := 7; i >= 0; i-- {
				ino = ino<<8 | uint64(b[i])
			}
			typ := b[18]
			name := b[19:reclen]
			for i, c := range name {
				if c == 0 {
					name = name[:i]
					break
				}
			}
			if s := string(name); s != "." && s != ".." {
				out = append(out, vfs.Dirent{Name: s, Ino: ino, Type: typ})
			}
			b = b[reclen:]
		}
	}
}

// Readlink implements vfs.SymlinkInode.
func (in *Inode) Readlink(ctx vfs.Context) (string, error) {
	if in.mode&unix.S_IFMT != unix.S_IFLNK {
		return "", unix.EINVAL
	}
	buf := make([]byte, unix.PathMax)
	n, err := unix.Readlinkat(in.fd, "", buf)
	if err != nil {
		return "", err
	}
	return string(buf[:n]), nil
}

// reopen opens the inode itself for I/O with flags: through the parent and
// the name it was found under, checked to be the same file (the host may
// have replaced it).
func (in *Inode) reopen(flags int) (int, error) {
	flags |= unix.O_NOFOLLOW | unix.O_CLOEXEC | unix.O_NOCTTY
	flags &^= unix.O_CREAT | unix.O_EXCL | unix.O_TRUNC | unix.O_PATH
	if in.isDir() {
		return unix.Openat(in.fd, ".", flags|unix.O_DIRECTORY, 0)
	}
	in.mu.Lock()
	parent, name := in.parent, in.name
	in.mu.Unlock()
	if parent == nil {
		return -1, unix.EINVAL
	}
	if err := CheckName(name); err != nil {
		return -1, err
	}
	fd, err := unix.Openat(parent.fd, name, flags, 0)
	if err != nil {
		return -1, err
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil || st.Dev != in.dev || st.Ino != in.ino {
		unix.Close(fd)
		return -1, unix.ESTALE
	}
	return fd, nil
}

// procFDPath names the Sentry's own fd for calls that have no fd form. It
// is built by the Sentry from its fd number, never from an application path.
func procFDPath(fd int) string { return "/proc/self/fd/" + strconv.Itoa(fd) }
