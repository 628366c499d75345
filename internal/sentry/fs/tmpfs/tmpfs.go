// Package tmpfs is a filesystem in memory. Regular files keep their data in
// host memfds, so that mapping them is a native mapping in the stub and the
// pages are shared the way the host shares them.
package tmpfs

import (
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/vfs"
)

// FS is one tmpfs instance.
type FS struct {
	dev     uint64
	nextIno atomic.Uint64
	name    string
	// NewSpecial makes the file behind a FIFO, socket or device node opened
	// on this filesystem; nil means such nodes cannot be opened (ENXIO).
	// ctx is the opener, which may wait (a FIFO waits for its other end).
	NewSpecial func(ctx vfs.Context, inode *Inode, flags int) (vfs.FileImpl, error)
	// Sealable makes the files' host memfds take seals (AddHostSeals): the
	// Sentry's own memfds, set before any file is written.
	Sealable bool
}

// New returns an empty tmpfs whose root has mode (type bits are added),
// uid and gid. name is the type /proc/mounts shows ("tmpfs", "devtmpfs").
func New(name string, mode uint32, uid, gid uint32) (*FS, *Inode) {
	fs := &FS{dev: vfs.NewAnonDev(), name: name}
	root := fs.newInode(unix.S_IFDIR|mode&0o7777, uid, gid)
	root.nlink = 2
	return fs, root
}

// Name implements vfs.Filesystem.
func (fs *FS) Name() string { return fs.name }

// StatFS implements vfs.Filesystem: tmpfs reports the host's memory.
func (fs *FS) StatFS() (unix.Statfs_t, error) {
	var si unix.Sysinfo_t
	unix.Sysinfo(&si)
	blocks := uint64(si.Totalram) * uint64(si.Unit) / 2 / 4096
	free := uint64(si.Freeram) * uint64(si.Unit) / 4096
	if free > blocks {
		free = blocks
	}
	return unix.Statfs_t{
		Type: unix.TMPFS_MAGIC, Bsize: 4096, Blocks: blocks, Bfree: free, Bavail: free,
		Files: blocks, Ffree: blocks, Namelen: 255, Frsize: 4096,
	}, nil
}

// Inode is a tmpfs file of any type.
type Inode struct {
	fs  *FS
	ino uint64

	mu    sync.Mutex
	mode  uint32
	uid   uint32
	gid   uint32
	nlink uint64
	rdev  uint64
	atime unix.Timespec
	mtime unix.Timespec
	ctime unix.Timespec
	btime unix.Timespec

	// Directories: entries by name, and their order for readdir.
	entries map[string]*Inode
	order   []string
	parent  *Inode // for rename's loop check
	// Regular files: the data, created on first write or truncate.
	memfd int
	// linkable: an O_TMPFILE file (nlink 0) that linkat may still name
	// (Linux's I_LINKABLE), cleared by the first link.
	linkable bool
	// Symlinks.
	target string
	// Special files keep what their NewSpecial needs (a FIFO's pipe).
	Special any
}

func now() unix.Timespec {
	ts, _ := unix.TimeToTimespec(time.Now())
	return ts
}

func (fs *FS) newInode(mode, uid, gid uint32) *Inode {
	t := now()
	in := &Inode{fs: fs, ino: fs.nextIno.Add(1), mode: mode, uid: uid, gid: gid, nlink: 1,
		atime: t, mtime: t, ctime: t, btime: t, memfd: -1}
	if mode&unix.S_IFMT == unix.S_IFDIR {
		in.entries = map[string]*Inode{}
	}
	return in
}

func (in *Inode) isDir() bool { return in.mode&unix.S_IFMT == unix.S_IFDIR }

// Mode returns the inode's mode.
func (in *Inode) Mode() uint32 {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.mode
}

// Stat implements vfs.Inode.
func (in *Inode) Stat(ctx vfs.Context) (vfs.Stat, error) {
	in.mu.Lock()
	defer in.mu.Unlock()
	st := vfs.Stat{
		Dev: in.fs.dev, Ino: in.ino, Mode: in.mode, Nlink: in.nlink, UID: in.uid, GID: in.gid,
		Rdev: in.rdev, Blksize: 4096, Atime: in.atime, Mtime: in.mtime, Ctime: in.ctime, Btime: in.btime,
	}
	switch in.mode & unix.S_IFMT {
	case unix.S_IFREG:
		if in.memfd >= 0 {
			var hs unix.Stat_t
			if err := unix.Fstat(in.memfd, &hs); err == nil {
				st.Size, st.Blocks = hs.Size, hs.Blocks
			}
		}
	case unix.S_IFDIR:
		st.Size = 40 + 20*int64(len(in.entries))
	case unix.S_IFLNK:
		st.Size = int64(len(in.target))
	}
	return st, nil
}

// touch updates times; in.mu must be held.
func (in *Inode) touchLocked(m, c bool) {
	t := now()
	if m {
		in.mtime = t
	}
	if c {
		in.ctime = t
	}
}

// Lookup implements vfs.DirInode.
func (in *Inode) Lookup(ctx vfs.Context, name string) (vfs.Inode, error) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if !in.isDir() {
		return nil, unix.ENOTDIR
	}
	c, ok := in.entries[name]
	if !ok {
		return nil, unix.ENOENT
	}
	return c, nil
}

// ReadDir implements vfs.DirInode.
func (in *Inode) ReadDir(ctx vfs.Context) ([]vfs.Dirent, error) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if !in.isDir() {
		return nil, unix.ENOTDIR
	}
	out := make([]vfs.Dirent, 0, len(in.order))
	for _, name := range in.order {
		c := in.entries[name]
		c.mu.Lock()
		out = append(out, vfs.Dirent{Name: name, Ino: c.ino, Type: vfs.DirentType(c.mode)})
		c.mu.Unlock()
	}
	return out, nil
}

// addLocked links child as name; in.mu must be held.
func (in *Inode) addLocked(name string, child *Inode) {
	in.entries[name] = child
	in.order = append(in.order, name)
	in.touchLocked(true, true)
}

// removeLocked unlinks name; in.mu must be held.
func (in *Inode) removeLocked(name string) {
	delete(in.entries, name)
	for i, n := range in.order {
		if n == name {
			in.order = append(in.order[:i], in.order[i+1:]...)
			break
		}
	}
	in.touchLocked(true, true)
}

func (in *Inode) create(name string, opts vfs.CreateOpts) (*Inode, error) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if !in.isDir() {
		return nil, unix.ENOTDIR
	}
	if in.nlink == 0 {
		return nil, unix.ENOENT // a removed directory takes no new entries
	}
	if _, exists := in.entries[name]; exists {
		return nil, unix.EEXIST
	}
	c := in.fs.newInode(opts.Mode, opts.UID, opts.GID)
	c.rdev = opts.Dev
	if c.isDir() {
		c.nlink = 2
		c.parent = in
		in.nlink++
	}
	in.addLocked(name, c)
	return c, nil
}

// Create implements vfs.WritableDir.
func (in *Inode) Create(ctx vfs.Context, name string, opts vfs.CreateOpts) (vfs.Inode, error) {
	return in.create(name, opts)
}

// Tmpfile implements vfs.TmpfileDir: a regular file in no directory,
// nlink 0, for O_TMPFILE.
func (in *Inode) Tmpfile(ctx vfs.Context, opts vfs.CreateOpts, linkable bool) (vfs.Inode, error) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if !in.isDir() {
		return nil, unix.ENOTDIR
	}
	if in.nlink == 0 {
		return nil, unix.ENOENT
	}
	c := in.fs.newInode(unix.S_IFREG|opts.Mode&0o7777, opts.UID, opts.GID)
	c.nlink = 0
	c.linkable = linkable
	return c, nil
}

// Mkdir implements vfs.WritableDir.
func (in *Inode) Mkdir(ctx vfs.Context, name string, opts vfs.CreateOpts) (vfs.Inode, error) {
	opts.Mode = unix.S_IFDIR | opts.Mode&0o7777
	return in.create(name, opts)
}

// Symlink implements vfs.WritableDir.
func (in *Inode) Symlink(ctx vfs.Context, name, target string, opts vfs.CreateOpts) (vfs.Inode, error) {
	opts.Mode = unix.S_IFLNK | 0o777
	c, err := in.create(name, opts)
	if err != nil {
		return nil, err
	}
	c.target = target
	return c, nil
}

// Link implements vfs.WritableDir.
func (in *Inode) Link(ctx vfs.Context, name string, target vfs.Inode) error {
	t, ok := target.(*Inode)
	if !ok || t.fs != in.fs {
		return unix.EXDEV
	}
	if t.isDir() {
		return unix.EPERM
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.nlink == 0 {
		return unix.ENOENT
	}
	if _, exists := in.entries[name]; exists {
		return unix.EEXIST
	}
	t.mu.Lock()
	if t.nlink == 0 && !t.linkable {
		t.mu.Unlock()
		return unix.ENOENT
	}
	t.linkable = false
	t.nlink++
	t.touchLocked(false, true)
	t.mu.Unlock()
	in.addLocked(name, t)
	return nil
}

// Unlink implements vfs.WritableDir.
func (in *Inode) Unlink(ctx vfs.Context, name string) error {
	in.mu.Lock()
	defer in.mu.Unlock()
	c, ok := in.entries[name]
	if !ok {
		return unix.ENOENT
	}
	if c.isDir() {
		return unix.EISDIR
	}
	in.removeLocked(name)
	c.mu.Lock()
	c.nlink--
	c.touchLocked(false, true)
	c.mu.Unlock()
	return nil
}

// Rmdir implements vfs.WritableDir.
func (in *Inode) Rmdir(ctx vfs.Context, name string) error {
	in.mu.Lock()
	defer in.mu.Unlock()
	c, ok := in.entries[name]
	if !ok {
		return unix.ENOENT
	}
	if !c.isDir() {
		return unix.ENOTDIR
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) != 0 {
		return unix.ENOTEMPTY
	}
	in.removeLocked(name)
	in.nlink--
	c.nlink = 0
	return nil
}

// isAncestor reports whether a is d or one of its ancestors.
func isAncestor(a, d *Inode) bool {
	for x := d; x != nil; {
		if x == a {
			return true
		}
		x.mu.Lock()
		p := x.parent
		x.mu.Unlock()
		x = p
	}
	return false
}

// renameMu serialises renames within all tmpfs instances: they change two
// directories and may check ancestry.
var renameMu sync.Mutex

// Rename implements vfs.WritableDir.
func (in *Inode) Rename(ctx vfs.Context, oldName string, newDir vfs.DirInode, newName string, flags uint) error {
	nd, ok := newDir.(*Inode)
	if !ok || nd.fs != in.fs {
		return unix.EXDEV
	}
	renameMu.Lock()
	defer renameMu.Unlock()
	in.mu.Lock()
	src, ok := in.entries[oldName]
	in.mu.Unlock()
	if !ok {
		return unix.ENOENT
	}
	nd.mu.Lock()
	dst, exists := nd.entries[newName]
	nd.mu.Unlock()
	if src == dst {
		return nil // the same file: nothing to do
	}
	if flags&unix.RENAME_NOREPLACE != 0 && exists {
		return unix.EEXIST
	}
	if flags&unix.RENAME_EXCHANGE != 0 {
		if !exists {
			return unix.ENOENT
		}
		if src.isDir() && isAncestor(src, nd) || dst.isDir() && isAncestor(dst, in) {
			return unix.EINVAL
		}
		lockDirs(in, nd)
		in.entries[oldName], nd.entries[newName] = dst, src
		in.touchLocked(true, true)
		nd.touchLocked(true, true)
		if src.isDir() != dst.isDir() && in != nd {
			if src.isDir() {
				in.nlink--
				nd.nlink++
			} else {
				in.nlink++
				nd.nlink--
			}
		}
		unlockDirs(in, nd)
		setParent(src, nd)
		setParent(dst, in)
		return nil
	}
	if src.isDir() && isAncestor(src, nd) {
		return unix.EINVAL
	}
	if exists {
		switch {
		case src.isDir() && !dst.isDir():
			return unix.ENOTDIR
		case !src.isDir() && dst.isDir():
			return unix.EISDIR
		case dst.isDir():
			dst.mu.Lock()
			n := len(dst.entries)
			dst.mu.Unlock()
			if n != 0 {
				return unix.ENOTEMPTY
			}
		}
	}
	lockDirs(in, nd)
	if exists {
		nd.removeLocked(newName)
		dst.mu.Lock()
		if dst.isDir() {
			dst.nlink = 0
			nd.nlink--
		} else {
			dst.nlink--
		}
		dst.touchLocked(false, true)
		dst.mu.Unlock()
	}
	in.removeLocked(oldName)
	nd.addLocked(newName, src)
	if src.isDir() && in != nd {
		in.nlink--
		nd.nlink++
	}
	unlockDirs(in, nd)
	setParent(src, nd)
	src.mu.Lock()
	src.touchLocked(false, true)
	src.mu.Unlock()
	return nil
}

func setParent(c, p *Inode) {
	c.mu.Lock()
	if c.isDir() {
		c.parent = p
	}
	c.mu.Unlock()
}

// lockDirs locks two directories in inode order.
func lockDirs(a, b *Inode) {
	if a == b {
		a.mu.Lock()
		return
	}
	if a.ino > b.ino {
		a, b = b, a
	}
	a.mu.Lock()
	b.mu.Lock()
}

func unlockDirs(a, b *Inode) {
	a.mu.Unlock()
	if a != b {
		b.mu.Unlock()
	}
}

// Readlink implements vfs.SymlinkInode.
func (in *Inode) Readlink(ctx vfs.Context) (string, error) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.mode&unix.S_IFMT != unix.S_IFLNK {
		return "", unix.EINVAL
	}
	in.atime = now()
	return in.target, nil
}

// SetStat implements vfs.SettableInode.
func (in *Inode) SetStat(ctx vfs.Context, o vfs.SetStatOpts) error {
	in.mu.Lock()
	defer in.mu.Unlock()
	if o.Size != nil {
		if in.mode&unix.S_IFMT != unix.S_IFREG {
			if in.isDir() {
				return unix.EISDIR
			}
			return unix.EINVAL
		}
		fd, err := in.dataLocked()
		if err != nil {
			return err
		}
		if err := unix.Ftruncate(fd, *o.Size); err != nil {
			return err
		}
		in.touchLocked(true, true)
	}
	if o.Mode != nil {
		in.mode = in.mode&unix.S_IFMT | *o.Mode&0o7777
		in.touchLocked(false, true)
	}
	if o.UID != nil {
		in.uid = *o.UID
		in.touchLocked(false, true)
	}
	if o.GID != nil {
		in.gid = *o.GID
		in.touchLocked(false, true)
	}
	if o.Atime != nil {
		in.atime = *o.Atime
		in.touchLocked(false, true)
	}
	if o.Mtime != nil {
		in.mtime = *o.Mtime
		in.touchLocked(false, true)
	}
	return nil
}

// AddHostSeals adds F_SEAL_* seals to the file's host memfd, so that the
// host enforces them on the stubs' mappings of it too: F_SEAL_WRITE fails
// with EBUSY while a shared writable-capable mapping exists, and a sealed
// memfd refuses shared writable mappings (EPERM) and mprotect to writable
// (EACCES), exactly as Linux does for a memfd.
func (in *Inode) AddHostSeals(seals int) error {
	in.mu.Lock()
	defer in.mu.Unlock()
	if !in.fs.Sealable {
		return unix.EPERM
	}
	fd, err := in.dataLocked()
	if err != nil {
		return err
	}
	_, err = unix.FcntlInt(uintptr(fd), unix.F_ADD_SEALS, seals)
	return err
}

// dataLocked returns the file's memfd, creating it; in.mu must be held.
func (in *Inode) dataLocked() (int, error) {
	if in.memfd < 0 {
		flags := unix.MFD_CLOEXEC
		if in.fs.Sealable {
			flags |= unix.MFD_ALLOW_SEALING
		}
		fd, err := unix.MemfdCreate("moat-tmpfs", flags)
		if err != nil {
			return -1, err
		}
		in.memfd = fd
	}
	return in.memfd, nil
}

// Names returns the entries of a directory in creation order (tests).
func (in *Inode) Names() []string {
	in.mu.Lock()
	defer in.mu.Unlock()
	out := append([]string(nil), in.order...)
	sort.Strings(out)
	return out
}
