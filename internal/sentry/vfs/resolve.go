package vfs

import (
	"strings"

	"golang.org/x/sys/unix"
)

// openat2's RESOLVE_* flags.
const (
	ResolveNoXdev       = 0x01
	ResolveNoMagicLinks = 0x02
	ResolveNoSymlinks   = 0x04
	ResolveBeneath      = 0x08
	ResolveInRoot       = 0x10
	ResolveCached       = 0x20
)

// maxSymlinks is how many symlinks one walk may follow (ELOOP beyond).
const maxSymlinks = 40

// maxName is NAME_MAX.
const maxName = 255

// WalkOpts say where a walk starts and what it may do.
type WalkOpts struct {
	// Root is the caller's root directory; ".." never climbs above it.
	Root VirtualDentry
	// Start is where a relative path begins (the cwd or a dirfd).
	Start VirtualDentry
	// FollowFinal follows a symlink in the last component.
	FollowFinal bool
	// Resolve holds RESOLVE_* flags (openat2).
	Resolve uint64
}

// Revalidator is an inode whose cached children may go stale because
// something outside the Sentry can change the directory (a host volume).
type Revalidator interface {
	// Valid reports whether name still names child.
	Valid(ctx Context, name string, child Inode) bool
}

type walker struct {
	ns    *MountNamespace
	ctx   Context
	o     WalkOpts
	cur   VirtualDentry
	links int
}

// Walk resolves path to a point in the tree. Every component is looked up
// by the Sentry; no path ever reaches the host.
func (ns *MountNamespace) Walk(ctx Context, path string, o WalkOpts) (VirtualDentry, error) {
	if path == "" {
		return VirtualDentry{}, unix.ENOENT
	}
	w := ns.newWalker(ctx, o)
	if err := w.walk(path, o.FollowFinal); err != nil {
		return VirtualDentry{}, err
	}
	return w.cur, nil
}

// WalkParent resolves all of path but its last component, and returns the
// directory reached and that last component ("" for "/"). trailingSlash
// reports whether path ended in '/'.
func (ns *MountNamespace) WalkParent(ctx Context, path string, o WalkOpts) (dir VirtualDentry, name string, trailingSlash bool, err error) {
	if path == "" {
		return VirtualDentry{}, "", false, unix.ENOENT
	}
	trimmed := strings.TrimRight(path, "/")
	trailingSlash = len(trimmed) < len(path)
	if trimmed == "" { // "/" or "//..."
		w := ns.newWalker(ctx, o)
		if err := w.walk("/", true); err != nil {
			return VirtualDentry{}, "", false, err
		}
		return w.cur, "", trailingSlash, nil
	}
	dirPath, name := ".", trimmed
	if i := strings.LastIndexByte(trimmed, '/'); i >= 0 {
		dirPath, name = trimmed[:i+1], trimmed[i+1:]
	}
	if len(name) > maxName {
		return VirtualDentry{}, "", false, unix.ENAMETOOLONG
	}
	w := ns.newWalker(ctx, o)
	if err := w.walk(dirPath, true); err != nil {
		return VirtualDentry{}, "", false, err
	}
	if err := w.searchable(); err != nil {
		return VirtualDentry{}, "", false, err
	}
	return w.cur, name, trailingSlash, nil
}

// WalkCreate resolves path for open(O_CREAT). It returns the directory
// that holds the final name, the name, and the file it names (zero when
// there is none, for the caller to create). With o.FollowFinal a final
// symlink is followed even when it dangles: its target, read from the
// link's directory, becomes the name to create, as Linux does. A final
// component that cannot be created ("/", ".", "..", a trailing slash) is
// EISDIR once its directory is reached.
func (ns *MountNamespace) WalkCreate(ctx Context, path string, o WalkOpts) (dir VirtualDentry, name string, file VirtualDentry, err error) {
	if path == "" {
		return VirtualDentry{}, "", VirtualDentry{}, unix.ENOENT
	}
	w := ns.newWalker(ctx, o)
	for {
		trimmed := strings.TrimRight(path, "/")
		dirPath, last := ".", trimmed
		if i := strings.LastIndexByte(trimmed, '/'); i >= 0 {
			dirPath, last = trimmed[:i+1], trimmed[i+1:]
		}
		if trimmed == "" {
			dirPath = "/"
		}
		if len(last) > maxName {
			return VirtualDentry{}, "", VirtualDentry{}, unix.ENAMETOOLONG
		}
		if err := w.walk(dirPath, true); err != nil {
			return VirtualDentry{}, "", VirtualDentry{}, err
		}
		if err := w.searchable(); err != nil {
			return VirtualDentry{}, "", VirtualDentry{}, err
		}
		if last == "" || last == "." || last == ".." || len(trimmed) < len(path) {
			return VirtualDentry{}, "", VirtualDentry{}, unix.EISDIR
		}
		child, err := w.lookup(last)
		if err == unix.ENOENT {
			return w.cur, last, VirtualDentry{}, nil
		}
		if err != nil {
			return VirtualDentry{}, "", VirtualDentry{}, err
		}
		link, ok := child.Inode().(SymlinkInode)
		if !o.FollowFinal || !ok {
			return w.cur, last, child, nil
		}
		if st, err := link.Stat(ctx); err != nil || !st.IsSymlink() {
			return w.cur, last, child, err
		}
		if _, magic := link.(MagicLink); magic {
			parent := w.cur
			if err := w.follow(child); err != nil {
				return VirtualDentry{}, "", VirtualDentry{}, err
			}
			return parent, last, w.cur, nil
		}
		if w.o.Resolve&ResolveNoSymlinks != 0 {
			return VirtualDentry{}, "", VirtualDentry{}, unix.ELOOP
		}
		w.links++
		if w.links > maxSymlinks {
			return VirtualDentry{}, "", VirtualDentry{}, unix.ELOOP
		}
		if path, err = link.Readlink(ctx); err != nil {
			return VirtualDentry{}, "", VirtualDentry{}, err
		}
		if path == "" {
			return VirtualDentry{}, "", VirtualDentry{}, unix.ENOENT
		}
		// The target is resolved from the link's directory, w.cur.
	}
}

func (ns *MountNamespace) newWalker(ctx Context, o WalkOpts) *walker {
	if o.Resolve&ResolveInRoot != 0 {
		o.Root = o.Start
	}
	return &walker{ns: ns, ctx: ctx, o: o, cur: o.Start}
}

// walk resolves path from w.cur.
func (w *walker) walk(path string, followFinal bool) error {
	if strings.HasPrefix(path, "/") {
		if w.o.Resolve&ResolveBeneath != 0 {
			return unix.EXDEV
		}
		w.cur = w.o.Root
	}
	comps := strings.Split(path, "/")
	// The last non-empty component; trailing slashes make it a directory.
	last := len(comps) - 1
	for last >= 0 && comps[last] == "" {
		last--
	}
	trailing := last < len(comps)-1
	for i := 0; i <= last; i++ {
		c := comps[i]
		final := i == last
		switch c {
		case "", ".":
			if err := w.mustBeDir(); err != nil {
				return err
			}
			continue
		case "..":
			if err := w.searchable(); err != nil {
				return err
			}
			if err := w.parent(); err != nil {
				return err
			}
			continue
		}
		if len(c) > maxName {
			return unix.ENAMETOOLONG
		}
		if err := w.searchable(); err != nil {
			return err
		}
		child, err := w.lookup(c)
		if err != nil {
			return err
		}
		if final && !followFinal && !trailing {
			w.cur = child
			break
		}
		if err := w.follow(child); err != nil {
			return err
		}
	}
	if trailing {
		return w.mustBeDir()
	}
	return nil
}

// follow moves to child, following it if it is a symlink.
func (w *walker) follow(child VirtualDentry) error {
	link, ok := child.Inode().(SymlinkInode)
	if !ok {
		w.cur = child
		return nil
	}
	st, err := link.Stat(w.ctx)
	if err != nil {
		return err
	}
	if !st.IsSymlink() {
		w.cur = child
		return nil
	}
	if w.o.Resolve&ResolveNoSymlinks != 0 {
		return unix.ELOOP
	}
	w.links++
	if w.links > maxSymlinks {
		return unix.ELOOP
	}
	if magic, ok := link.(MagicLink); ok {
		if w.o.Resolve&(ResolveNoMagicLinks|ResolveNoSymlinks) != 0 {
			return unix.ELOOP
		}
		if w.o.Resolve&(ResolveBeneath|ResolveInRoot) != 0 {
			return unix.EXDEV
		}
		target, err := magic.Target(w.ctx)
		if err != nil {
			return err
		}
		w.cur = target
		return nil
	}
	target, err := link.Readlink(w.ctx)
	if err != nil {
		return err
	}
	if target == "" {
		return unix.ENOENT
	}
	// The target is resolved from the link's directory (w.cur).
	return w.walk(target, true)
}

// lookup finds the child name of w.cur, crossing mounts on it.
func (w *walker) lookup(name string) (VirtualDentry, error) {
	d := w.cur.Dentry
	dir, ok := d.inode.(DirInode)
	if !ok {
		return VirtualDentry{}, unix.ENOTDIR
	}
	child := d.cached(name)
	if child != nil && !child.isMountpoint() {
		if rv, ok := dir.(Revalidator); ok && !rv.Valid(w.ctx, name, child.inode) {
			d.forget(name, child)
			child = nil
		}
	}
	if child == nil {
		inode, err := dir.Lookup(w.ctx, name)
		if err != nil {
			return VirtualDentry{}, err
		}
		child = d.addChild(name, inode)
	}
	vd := VirtualDentry{w.cur.Mount, child}
	crossed := w.ns.crossMounts(vd)
	if crossed.Mount != vd.Mount && w.o.Resolve&ResolveNoXdev != 0 {
		return VirtualDentry{}, unix.EXDEV
	}
	return crossed, nil
}

// parent moves to "..": never above the root, across mount boundaries.
func (w *walker) parent() error {
	if w.atRoot() {
		return nil
	}
	if w.o.Resolve&ResolveBeneath != 0 && w.cur == w.o.Start {
		return unix.EXDEV
	}
	for w.cur.Dentry == w.cur.Mount.root {
		if w.cur.Mount.parent == nil {
			return nil
		}
		if w.o.Resolve&ResolveNoXdev != 0 {
			return unix.EXDEV
		}
		w.cur = VirtualDentry{w.cur.Mount.parent, w.cur.Mount.point}
		if w.atRoot() {
			return nil
		}
	}
	if p := w.cur.Dentry.Parent(); p != nil {
		w.cur = VirtualDentry{w.cur.Mount, p}
	}
	return nil
}

func (w *walker) atRoot() bool {
	return w.cur.Mount == w.o.Root.Mount && w.cur.Dentry == w.o.Root.Dentry
}

func (w *walker) mustBeDir() error {
	st, err := w.cur.Inode().Stat(w.ctx)
	if err != nil {
		return err
	}
	if !st.IsDir() {
		return unix.ENOTDIR
	}
	return nil
}

// searchable checks that w.cur is a directory the caller may search.
func (w *walker) searchable() error {
	st, err := w.cur.Inode().Stat(w.ctx)
	if err != nil {
		return err
	}
	if !st.IsDir() {
		return unix.ENOTDIR
	}
	return Permission(w.ctx.Creds(), &st, MayExec)
}

// Renamed updates the dentry cache after a rename inside the Sentry.
func (ns *MountNamespace) Renamed(oldDir *Dentry, oldName string, newDir *Dentry, newName string, exchange bool) {
	ns.renameMu.Lock()
	defer ns.renameMu.Unlock()
	oldDir.mu.Lock()
	moved := oldDir.children[oldName]
	delete(oldDir.children, oldName)
	oldDir.mu.Unlock()
	if newDir != oldDir {
		newDir.mu.Lock()
	}
	if newDir.children == nil {
		newDir.children = map[string]*Dentry{}
	}
	replaced := newDir.children[newName]
	delete(newDir.children, newName)
	if moved != nil {
		moved.mu.Lock()
		moved.name, moved.parent = newName, newDir
		moved.mu.Unlock()
		newDir.children[newName] = moved
	}
	if newDir != oldDir {
		newDir.mu.Unlock()
	}
	if replaced != nil {
		if exchange {
			oldDir.mu.Lock()
			if oldDir.children == nil {
				oldDir.children = map[string]*Dentry{}
			}
			oldDir.children[oldName] = replaced
			oldDir.mu.Unlock()
			replaced.mu.Lock()
			replaced.name, replaced.parent = oldName, oldDir
			replaced.mu.Unlock()
		} else {
			replaced.mu.Lock()
			replaced.deleted = true
			replaced.mu.Unlock()
		}
	}
}

// Removed updates the dentry cache after an unlink or rmdir.
func (ns *MountNamespace) Removed(dir *Dentry, name string) { dir.dropChild(name) }

// Lookup returns the child name of vd (a single component), through the
// dentry cache and across mounts.
func (ns *MountNamespace) Lookup(ctx Context, vd VirtualDentry, name string) (VirtualDentry, error) {
	w := &walker{ns: ns, ctx: ctx, cur: vd}
	return w.lookup(name)
}
