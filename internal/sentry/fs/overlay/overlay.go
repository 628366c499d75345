// Package overlay shows a read-only lower tree (the host root) under a
// writable upper tree in memory (tmpfs): writes, creates, renames and
// deletes land in the upper layer and never reach the lower one. Changing a
// lower file copies it up first; deleting one leaves a whiteout.
package overlay

import (
	"sync"

	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/fs/pipe"
	"github.com/moat-sandbox/moat/internal/sentry/fs/tmpfs"
	"github.com/moat-sandbox/moat/internal/sentry/vfs"
)

// FS is an overlay.
type FS struct {
	lowerFS vfs.Filesystem
	upperFS *tmpfs.FS

	// mu guards the maps below and serialises copy-up.
	mu sync.Mutex
	// whiteouts hides lower names in an upper directory.
	whiteouts map[*tmpfs.Inode]map[string]bool
	// opaque upper directories hide the lower directory of the same name.
	opaque map[*tmpfs.Inode]bool
}

// New returns an overlay of an empty memory layer over lower.
func New(lowerFS vfs.Filesystem, lower vfs.DirInode, ctx vfs.Context) (*FS, *Inode, error) {
	st, err := lower.Stat(ctx)
	if err != nil {
		return nil, nil, err
	}
	upperFS, upperRoot := tmpfs.New("overlay", st.Mode&0o7777, st.UID, st.GID)
	// The root is merged from the start: it keeps the lower root's times,
	// as a copied-up directory does.
	atime, mtime := st.Atime, st.Mtime
	upperRoot.SetStat(ctx, vfs.SetStatOpts{Atime: &atime, Mtime: &mtime})
	pipe.AttachFIFOs(upperFS)
	fs := &FS{lowerFS: lowerFS, upperFS: upperFS,
		whiteouts: map[*tmpfs.Inode]map[string]bool{}, opaque: map[*tmpfs.Inode]bool{}}
	return fs, &Inode{fs: fs, upper: upperRoot, lower: lower, typ: unix.S_IFDIR}, nil
}

// Name implements vfs.Filesystem.
func (fs *FS) Name() string { return "overlay" }

// StatFS implements vfs.Filesystem: the memory layer's space.
func (fs *FS) StatFS() (unix.Statfs_t, error) {
	st, err := fs.upperFS.StatFS()
	st.Type = 0x794c7630 // OVERLAYFS_SUPER_MAGIC
	return st, err
}

// Inode is a file of the overlay: its upper copy, its lower one, or both
// (a merged directory, or a lower file before copy-up is complete).
type Inode struct {
	fs  *FS
	typ uint32 // file type bits

	mu     sync.Mutex
	upper  *tmpfs.Inode
	lower  vfs.Inode
	parent *Inode
	name   string
}

func (in *Inode) layers() (*tmpfs.Inode, vfs.Inode) {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.upper, in.lower
}

func (in *Inode) isDir() bool { return in.typ == unix.S_IFDIR }

// Stat implements vfs.Inode: the upper copy's if there is one. A merged
// directory shows the lower directory's size and link count: its upper
// copy is a memory directory that holds only what changed, and the
// sandbox's tree should look like the host's (`ls -la` of a host
// directory shows its parent's size and links).
func (in *Inode) Stat(ctx vfs.Context) (vfs.Stat, error) {
	up, lo := in.layers()
	if up == nil {
		return lo.Stat(ctx)
	}
	st, err := up.Stat(ctx)
	if err != nil || lo == nil || !in.isDir() {
		return st, err
	}
	if lst, lerr := lo.Stat(ctx); lerr == nil {
		st.Size, st.Nlink, st.Blocks = lst.Size, lst.Nlink, lst.Blocks
	}
	return st, nil
}

func (fs *FS) whitedOut(dir *tmpfs.Inode, name string) bool {
	if dir == nil {
		return false
	}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return fs.whiteouts[dir][name]
}

func (fs *FS) isOpaque(dir *tmpfs.Inode) bool {
	if dir == nil {
		return false
	}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return fs.opaque[dir]
}

func (fs *FS) setWhiteout(dir *tmpfs.Inode, name string, on bool) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if on {
		if fs.whiteouts[dir] == nil {
			fs.whiteouts[dir] = map[string]bool{}
		}
		fs.whiteouts[dir][name] = true
	} else if fs.whiteouts[dir] != nil {
		delete(fs.whiteouts[dir], name)
	}
}

// Lookup implements vfs.DirInode.
func (in *Inode) Lookup(ctx vfs.Context, name string) (vfs.Inode, error) {
	c, err := in.lookup(ctx, name)
	if err != nil {
		return nil, err
	}
	return c, nil
}

func (in *Inode) lookup(ctx vfs.Context, name string) (*Inode, error) {
	if !in.isDir() {
		return nil, unix.ENOTDIR
	}
	up, lo := in.layers()
	var cu *tmpfs.Inode
	if up != nil {
		c, err := up.Lookup(ctx, name)
		switch {
		case err == nil:
			cu = c.(*tmpfs.Inode)
		case err != unix.ENOENT:
			return nil, err
		}
	}
	var cl vfs.Inode
	if lo != nil && !in.fs.whitedOut(up, name) && !in.fs.isOpaque(up) &&
		(cu == nil || cu.Mode()&unix.S_IFMT == unix.S_IFDIR) {
		if ld, ok := lo.(vfs.DirInode); ok {
			c, err := ld.Lookup(ctx, name)
			switch {
			case err == nil:
				cl = c
			case err != unix.ENOENT:
				return nil, err
			}
		}
	}
	if cu == nil && cl == nil {
		return nil, unix.ENOENT
	}
	c := &Inode{fs: in.fs, upper: cu, lower: cl, parent: in, name: name}
	if cu != nil {
		c.typ = cu.Mode() & unix.S_IFMT
		if cl != nil {
			if st, err := cl.Stat(ctx); err != nil || !st.IsDir() || c.typ != unix.S_IFDIR {
				c.lower = nil
			}
		}
	} else {
		st, err := cl.Stat(ctx)
		if err != nil {
			return nil, err
		}
		c.typ = st.Type()
	}
	return c, nil
}

// Valid implements vfs.Revalidator: the lower tree may change on the host.
func (in *Inode) Valid(ctx vfs.Context, name string, child vfs.Inode) bool {
	c, ok := child.(*Inode)
	if !ok {
		return false
	}
	cu, cl := c.layers()
	if cu != nil {
		return true // the upper layer is the Sentry's own
	}
	up, lo := in.layers()
	if in.fs.whitedOut(up, name) {
		return false
	}
	if up != nil {
		if _, err := up.Lookup(ctx, name); err == nil {
			return false // created in the upper layer since
		}
	}
	if rv, ok := lo.(vfs.Revalidator); ok {
		return rv.Valid(ctx, name, cl)
	}
	return true
}

// ReadDir implements vfs.DirInode: the upper entries, then the lower ones
// not shadowed or whited out.
func (in *Inode) ReadDir(ctx vfs.Context) ([]vfs.Dirent, error) {
	if !in.isDir() {
		return nil, unix.ENOTDIR
	}
	up, lo := in.layers()
	var out []vfs.Dirent
	seen := map[string]bool{}
	if up != nil {
		ents, err := up.ReadDir(ctx)
		if err != nil {
			return nil, err
		}
		for _, e := range ents {
			seen[e.Name] = true
			out = append(out, e)
		}
	}
	if lo != nil && !in.fs.isOpaque(up) {
		ld, ok := lo.(vfs.DirInode)
		if !ok {
			return out, nil
		}
		ents, err := ld.ReadDir(ctx)
		if err != nil {
			return nil, err
		}
		for _, e := range ents {
			if !seen[e.Name] && !in.fs.whitedOut(up, e.Name) {
				out = append(out, e)
			}
		}
	}
	return out, nil
}

// Readlink implements vfs.SymlinkInode.
func (in *Inode) Readlink(ctx vfs.Context) (string, error) {
	up, lo := in.layers()
	if up != nil {
		return up.Readlink(ctx)
	}
	if l, ok := lo.(vfs.SymlinkInode); ok {
		return l.Readlink(ctx)
	}
	return "", unix.EINVAL
}

// Open implements vfs.Inode. Opening for writing copies the file up first.
func (in *Inode) Open(ctx vfs.Context, flags int) (vfs.FileImpl, error) {
	if in.isDir() {
		return &dirFile{in: in}, nil
	}
	if flags&unix.O_ACCMODE != unix.O_RDONLY || flags&unix.O_TRUNC != 0 {
		if err := in.copyUp(ctx); err != nil {
			return nil, err
		}
	}
	up, lo := in.layers()
	if up != nil {
		return up.Open(ctx, flags)
	}
	return lo.Open(ctx, flags)
}

// dirFile is an open merged directory.
type dirFile struct {
	in *Inode
}

func (f *dirFile) Stat(ctx vfs.Context) (vfs.Stat, error)        { return f.in.Stat(ctx) }
func (f *dirFile) Release()                                      {}
func (f *dirFile) ReadDir(ctx vfs.Context) ([]vfs.Dirent, error) { return f.in.ReadDir(ctx) }

// SetStat implements vfs.SettableInode.
func (in *Inode) SetStat(ctx vfs.Context, o vfs.SetStatOpts) error {
	if err := in.copyUp(ctx); err != nil {
		return err
	}
	up, _ := in.layers()
	return up.SetStat(ctx, o)
}
