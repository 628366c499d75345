// Package synth builds read-only synthetic filesystems such as proc and sys:
// trees of directories with fixed or generated children, files whose
// contents are rendered when they are opened, symlinks and magic links.
//
// A tree is made of nodes from one FS. Fixed children are added with
// Dir.Add before the tree is used and never change after; children that
// come and go (processes, fds) come from a directory's Generator on each
// walk. Inode numbers are derived from a node's path, so a name keeps its
// inode number however often its node is made anew.
package synth

import (
	"hash/fnv"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/vfs"
)

// Options describe a synthetic filesystem.
type Options struct {
	// Name is the filesystem type ("proc", "sysfs").
	Name string
	// Magic is the f_type statfs(2) reports.
	Magic int64
	// FileSize is the st_size of regular files: 0 for proc, 4096 for sysfs,
	// as Linux reports them.
	FileSize int64
	// DirPerm is the permission bits of the root and of directories made
	// by Subdir (0555 when zero).
	DirPerm uint32
}

// FS is one synthetic filesystem.
type FS struct {
	opts Options
	dev  uint64
	born unix.Timespec
	root *Dir
}

// New returns a filesystem with an empty root directory.
func New(o Options) *FS {
	if o.DirPerm == 0 {
		o.DirPerm = 0o555
	}
	fs := &FS{opts: o, dev: vfs.NewAnonDev()}
	fs.born, _ = unix.TimeToTimespec(time.Now())
	fs.root = fs.NewDir(o.DirPerm)
	return fs
}

// Root is the root directory.
func (fs *FS) Root() *Dir { return fs.root }

// Name implements vfs.Filesystem.
func (fs *FS) Name() string { return fs.opts.Name }

// StatFS implements vfs.Filesystem.
func (fs *FS) StatFS() (unix.Statfs_t, error) {
	return unix.Statfs_t{Type: fs.opts.Magic, Bsize: 4096, Frsize: 4096, Namelen: 255}, nil
}

// Node is one file of a synthetic tree.
type Node interface {
	vfs.Inode
	base() *node
}

// node is what every kind of node has.
type node struct {
	fs   *FS
	mode uint32 // type and permission bits
	// parent and name are set once, when the node is added to a directory
	// (or made by its generator), before anyone else can see it.
	parent *node
	name   string
	owner  func() (uid, gid uint32)
	tag    any
}

func (n *node) base() *node { return n }

// SetTag attaches v to the node: what its generator made it for (a
// process, an open file), for the generator's Valid. Tag returns it.
func (n *node) SetTag(v any) { n.tag = v }
func (n *node) Tag() any     { return n.tag }

// SetOwner makes owner report the node's owner, for it and every node
// below it that has none of its own (/proc/PID belongs to the process's
// user). Without one, root owns the node.
func (n *node) SetOwner(owner func() (uid, gid uint32)) { n.owner = owner }

// Ino is the node's inode number: a hash of its path in the filesystem.
func (n *node) Ino() uint64 {
	if n.parent == nil {
		return 1
	}
	var names []string
	for x := n; x.parent != nil; x = x.parent {
		names = append(names, x.name)
	}
	h := fnv.New64a()
	for i := len(names) - 1; i >= 0; i-- {
		h.Write([]byte{'/'})
		h.Write([]byte(names[i]))
	}
	ino := h.Sum64()
	if ino <= 1 {
		ino += 2
	}
	return ino
}

func (n *node) ids() (uint32, uint32) {
	for x := n; x != nil; x = x.parent {
		if x.owner != nil {
			return x.owner()
		}
	}
	return 0, 0
}

func (n *node) stat() vfs.Stat {
	uid, gid := n.ids()
	return vfs.Stat{
		Dev: n.fs.dev, Ino: n.Ino(), Mode: n.mode, Nlink: 1, UID: uid, GID: gid,
		Blksize: 4096, Atime: n.fs.born, Mtime: n.fs.born, Ctime: n.fs.born,
	}
}

// Generator makes the children of a directory that change: a process per
// PID, a link per open fd.
type Generator struct {
	// Names lists the children in the order getdents shows them.
	Names func(ctx vfs.Context) []string
	// Lookup makes the child called name, a new node in no directory yet
	// (the directory adopts it); ENOENT when there is none.
	Lookup func(ctx vfs.Context, name string) (Node, error)
	// Valid reports whether n, made earlier for name, still stands for it
	// (the walk reuses it). Nil means never: every walk looks the name up
	// anew.
	Valid func(ctx vfs.Context, name string, n Node) bool
}

// Dir is a directory.
type Dir struct {
	node
	mu    sync.RWMutex
	names []string
	kids  map[string]Node
	gen   *Generator
}

// NewDir returns an empty directory with permission bits perm.
func (fs *FS) NewDir(perm uint32) *Dir {
	return &Dir{node: node{fs: fs, mode: unix.S_IFDIR | perm&0o7777}, kids: map[string]Node{}}
}

// Add makes n the child called name and returns it. n must be a node of
// the same filesystem, not yet in any directory.
func (d *Dir) Add(name string, n Node) Node {
	b := n.base()
	if b.fs != d.fs || b.parent != nil {
		panic("synth: node added twice or to another filesystem: " + name)
	}
	b.parent, b.name = &d.node, name
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, dup := d.kids[name]; dup {
		panic("synth: duplicate name " + name)
	}
	d.kids[name] = n
	d.names = append(d.names, name)
	return n
}

// Subdir returns the child directory called name, making it (with the
// filesystem's DirPerm) if there is none.
func (d *Dir) Subdir(name string) *Dir {
	d.mu.RLock()
	n, ok := d.kids[name]
	d.mu.RUnlock()
	if ok {
		return n.(*Dir)
	}
	return d.Add(name, d.fs.NewDir(d.fs.opts.DirPerm)).(*Dir)
}

// SetGenerator gives the directory changing children beside its fixed
// ones. A fixed child hides a generated one of the same name.
func (d *Dir) SetGenerator(g *Generator) { d.gen = g }

// Stat implements vfs.Inode.
func (d *Dir) Stat(ctx vfs.Context) (vfs.Stat, error) {
	st := d.stat()
	st.Nlink = 2
	d.mu.RLock()
	for _, k := range d.kids {
		if _, ok := k.(*Dir); ok {
			st.Nlink++
		}
	}
	d.mu.RUnlock()
	return st, nil
}

// Open implements vfs.Inode.
func (d *Dir) Open(ctx vfs.Context, flags int) (vfs.FileImpl, error) {
	if flags&unix.O_ACCMODE != unix.O_RDONLY {
		return nil, unix.EISDIR
	}
	return &dirFile{d: d}, nil
}

// adopt attaches a generated child to d.
func (d *Dir) adopt(name string, n Node) Node {
	b := n.base()
	if b.parent == nil {
		b.parent, b.name = &d.node, name
	}
	return n
}

// Lookup implements vfs.DirInode.
func (d *Dir) Lookup(ctx vfs.Context, name string) (vfs.Inode, error) {
	d.mu.RLock()
	n, ok := d.kids[name]
	d.mu.RUnlock()
	if ok {
		return n, nil
	}
	if d.gen == nil || d.gen.Lookup == nil {
		return nil, unix.ENOENT
	}
	n, err := d.gen.Lookup(ctx, name)
	if err != nil {
		return nil, err
	}
	return d.adopt(name, n), nil
}

// Valid implements vfs.Revalidator: fixed children always stand; generated
// ones as long as their generator says so.
func (d *Dir) Valid(ctx vfs.Context, name string, child vfs.Inode) bool {
	d.mu.RLock()
	n, ok := d.kids[name]
	d.mu.RUnlock()
	if ok {
		return vfs.Inode(n) == child
	}
	c, isNode := child.(Node)
	if !isNode || d.gen == nil || d.gen.Valid == nil {
		return false
	}
	return d.gen.Valid(ctx, name, c)
}

// ReadDir implements vfs.DirInode: fixed children first, in the order they
// were added, then the generated ones.
func (d *Dir) ReadDir(ctx vfs.Context) ([]vfs.Dirent, error) {
	d.mu.RLock()
	out := make([]vfs.Dirent, 0, len(d.names))
	for _, name := range d.names {
		n := d.kids[name]
		out = append(out, vfs.Dirent{Name: name, Ino: n.base().Ino(), Type: vfs.DirentType(n.base().mode)})
	}
	d.mu.RUnlock()
	if d.gen == nil || d.gen.Names == nil || d.gen.Lookup == nil {
		return out, nil
	}
	for _, name := range d.gen.Names(ctx) {
		if d.hasFixed(name) {
			continue
		}
		n, err := d.gen.Lookup(ctx, name)
		if err != nil {
			continue // gone since it was listed
		}
		b := d.adopt(name, n).base()
		out = append(out, vfs.Dirent{Name: name, Ino: b.Ino(), Type: vfs.DirentType(b.mode)})
	}
	return out, nil
}

func (d *Dir) hasFixed(name string) bool {
	d.mu.RLock()
	defer d.mu.RUnlock()
	_, ok := d.kids[name]
	return ok
}

// dirFile is an open directory.
type dirFile struct {
	d *Dir
}

func (f *dirFile) Stat(ctx vfs.Context) (vfs.Stat, error)        { return f.d.Stat(ctx) }
func (f *dirFile) Release()                                      {}
func (f *dirFile) ReadDir(ctx vfs.Context) ([]vfs.Dirent, error) { return f.d.ReadDir(ctx) }
