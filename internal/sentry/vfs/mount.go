package vfs

import (
	"sync"

	"golang.org/x/sys/unix"
)

// Mount flags the VFS enforces.
const (
	MountReadOnly = unix.MS_RDONLY
	MountNoSuid   = unix.MS_NOSUID
	MountNoDev    = unix.MS_NODEV
	MountNoExec   = unix.MS_NOEXEC
)

// Mount is a filesystem attached at a point of the tree.
type Mount struct {
	ID     int
	FS     Filesystem
	root   *Dentry
	parent *Mount  // nil for the namespace root
	point  *Dentry // the mountpoint, in parent
	Flags  int
	// Source and Options are what /proc/PID/mounts shows.
	Source  string
	Options string
}

// Root is the mount's root dentry.
func (m *Mount) Root() *Dentry { return m.root }

// Parent and Point are where the mount is attached (nil for the root).
func (m *Mount) Parent() *Mount { return m.parent }
func (m *Mount) Point() *Dentry { return m.point }

// ReadOnly reports whether writes through the mount fail with EROFS.
func (m *Mount) ReadOnly() bool { return m.Flags&MountReadOnly != 0 }

// MountNamespace is a tree of mounts.
type MountNamespace struct {
	mu     sync.RWMutex
	root   *Mount
	mounts map[mountKey]*Mount // the mount on top of each mountpoint
	all    []*Mount
	nextID int
	// renameMu keeps renames from racing path walks that render paths.
	renameMu sync.RWMutex
}

type mountKey struct {
	parent *Mount
	point  *Dentry
}

// NewMountNamespace returns a namespace with fs at its root.
func NewMountNamespace(fs Filesystem, root *Dentry, flags int, source, options string) *MountNamespace {
	ns := &MountNamespace{mounts: map[mountKey]*Mount{}, nextID: 1}
	ns.root = ns.newMount(fs, root, flags, source, options)
	ns.all = append(ns.all, ns.root)
	return ns
}

func (ns *MountNamespace) newMount(fs Filesystem, root *Dentry, flags int, source, options string) *Mount {
	m := &Mount{ID: ns.nextID, FS: fs, root: root, Flags: flags, Source: source, Options: options}
	ns.nextID++
	return m
}

// Root is the namespace's root point.
func (ns *MountNamespace) Root() VirtualDentry {
	return VirtualDentry{ns.root, ns.root.root}
}

// Mount attaches fs (with root dentry root) at point, on top of anything
// mounted there.
func (ns *MountNamespace) Mount(point VirtualDentry, fs Filesystem, root *Dentry, flags int, source, options string) *Mount {
	ns.mu.Lock()
	defer ns.mu.Unlock()
	// Mount on top of whatever is mounted on point already.
	for {
		top, ok := ns.mounts[mountKey{point.Mount, point.Dentry}]
		if !ok {
			break
		}
		point = VirtualDentry{top, top.root}
	}
	m := ns.newMount(fs, root, flags, source, options)
	m.parent, m.point = point.Mount, point.Dentry
	ns.mounts[mountKey{point.Mount, point.Dentry}] = m
	ns.all = append(ns.all, m)
	point.Dentry.mu.Lock()
	point.Dentry.mounts++
	point.Dentry.mu.Unlock()
	return m
}

// Mounts lists every mount, parents before children (/proc/PID/mounts).
func (ns *MountNamespace) Mounts() []*Mount {
	ns.mu.RLock()
	defer ns.mu.RUnlock()
	return append([]*Mount(nil), ns.all...)
}

// mountedOn returns the mount attached at vd, if any.
func (ns *MountNamespace) mountedOn(vd VirtualDentry) (*Mount, bool) {
	if !vd.Dentry.isMountpoint() {
		return nil, false
	}
	ns.mu.RLock()
	defer ns.mu.RUnlock()
	m, ok := ns.mounts[mountKey{vd.Mount, vd.Dentry}]
	return m, ok
}

// crossMounts follows mounts stacked on vd down to the topmost root.
func (ns *MountNamespace) crossMounts(vd VirtualDentry) VirtualDentry {
	for {
		m, ok := ns.mountedOn(vd)
		if !ok {
			return vd
		}
		vd = VirtualDentry{m, m.root}
	}
}
