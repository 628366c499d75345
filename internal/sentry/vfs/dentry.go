package vfs

import (
	"strings"
	"sync"
)

// Dentry is a name in the tree: an inode reached through a parent. The
// Sentry keeps them so that ".." and getcwd never ask the host, and so that
// renames inside the sandbox move whole subtrees.
//
// Lock order: VFS.renameMu, then a parent's mu before a child's.
type Dentry struct {
	mu       sync.Mutex
	name     string
	parent   *Dentry // nil for a filesystem root
	inode    Inode
	children map[string]*Dentry
	// mounts counts mounts whose mountpoint this is.
	mounts  int
	deleted bool
}

// NewRoot returns the root dentry of a filesystem.
func NewRoot(inode Inode) *Dentry {
	return &Dentry{inode: inode}
}

// Inode is the dentry's inode.
func (d *Dentry) Inode() Inode { return d.inode }

// Name is the dentry's last path component.
func (d *Dentry) Name() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.name
}

// Parent is the dentry's parent, nil at a filesystem root.
func (d *Dentry) Parent() *Dentry {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.parent
}

// Deleted reports whether the dentry was unlinked.
func (d *Dentry) Deleted() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.deleted
}

// cached returns the cached child called name.
func (d *Dentry) cached(name string) *Dentry {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.children[name]
}

// addChild caches a child for inode under name and returns it (or the one
// another walk cached first).
func (d *Dentry) addChild(name string, inode Inode) *Dentry {
	d.mu.Lock()
	defer d.mu.Unlock()
	if c, ok := d.children[name]; ok {
		return c
	}
	if d.children == nil {
		d.children = map[string]*Dentry{}
	}
	c := &Dentry{name: name, parent: d, inode: inode}
	d.children[name] = c
	return c
}

// UnlinkedDentry returns a dentry for inode under dir that is in no
// directory listing, already deleted: an O_TMPFILE file, whose path shows
// as "dir/name (deleted)".
func UnlinkedDentry(dir VirtualDentry, name string, inode Inode) VirtualDentry {
	return VirtualDentry{dir.Mount, &Dentry{name: name, parent: dir.Dentry, inode: inode, deleted: true}}
}

// dropChild forgets the cached child called name, marking it deleted.
func (d *Dentry) dropChild(name string) {
	d.mu.Lock()
	c := d.children[name]
	delete(d.children, name)
	d.mu.Unlock()
	if c != nil {
		c.mu.Lock()
		c.deleted = true
		c.mu.Unlock()
	}
}

// forget removes the cached child without marking it deleted (a stale
// cache entry).
func (d *Dentry) forget(name string, c *Dentry) {
	d.mu.Lock()
	if d.children[name] == c {
		delete(d.children, name)
	}
	d.mu.Unlock()
}

// isMountpoint reports whether something is mounted on d.
func (d *Dentry) isMountpoint() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.mounts > 0
}

// VirtualDentry is a dentry as seen through a mount: a point in the tree.
type VirtualDentry struct {
	Mount  *Mount
	Dentry *Dentry
}

// Ok reports whether vd is set.
func (vd VirtualDentry) Ok() bool { return vd.Dentry != nil }

// Inode is the inode at vd.
func (vd VirtualDentry) Inode() Inode { return vd.Dentry.inode }

// PathFrom renders vd as an absolute path as seen from root (getcwd,
// /proc/PID/cwd). A point outside root renders as its path from the top of
// the mount tree; an unlinked one gets " (deleted)".
func (vd VirtualDentry) PathFrom(root VirtualDentry) string {
	var parts []string
	cur := vd
	for {
		if cur.Mount == root.Mount && cur.Dentry == root.Dentry {
			break
		}
		if cur.Dentry == cur.Mount.root {
			if cur.Mount.parent == nil {
				break
			}
			cur = VirtualDentry{cur.Mount.parent, cur.Mount.point}
			continue
		}
		parent := cur.Dentry.Parent()
		if parent == nil {
			break
		}
		parts = append(parts, cur.Dentry.Name())
		cur = VirtualDentry{cur.Mount, parent}
	}
	var b strings.Builder
	for i := len(parts) - 1; i >= 0; i-- {
		b.WriteByte('/')
		b.WriteString(parts[i])
	}
	p := b.String()
	if p == "" {
		p = "/"
	}
	if vd.Dentry.Deleted() {
		p += " (deleted)"
	}
	return p
}
