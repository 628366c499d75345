package inotify

import (
	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/vfs"
)

// The notifications. The syscall layer calls each after the operation it
// names has succeeded; while no watch exists they return at once.

// Active reports whether any watch exists: callers may skip work that
// only feeds notifications.
func Active() bool { return active.Load() > 0 }

// Opened reports that f was opened (IN_OPEN). truncated says the open
// truncated an existing file (O_TRUNC without O_CREAT making it), which
// Linux (since 6.9, where the open event moved into vfs_open) reports as
// IN_MODIFY after the IN_OPEN. O_PATH opens report nothing.
func Opened(ctx vfs.Context, f *vfs.File, truncated bool) {
	if !Active() || f.Flags()&unix.O_PATH != 0 {
		return
	}
	vd := f.VirtualDentry()
	if !vd.Ok() {
		return
	}
	dir := isDirFile(f)
	onFile(vd, InOpen, dir)
	if truncated {
		onFile(vd, InModify, dir)
	}
}

// Accessed reports that a read from f returned data (IN_ACCESS).
func Accessed(ctx vfs.Context, f *vfs.File) { onOpenFile(f, InAccess) }

// Modified reports that a write to f wrote something, or that ftruncate
// or fallocate changed it (IN_MODIFY).
func Modified(ctx vfs.Context, f *vfs.File) { onOpenFile(f, InModify) }

// Closed reports that the last reference to f went (IN_CLOSE_WRITE if it
// was open for writing, else IN_CLOSE_NOWRITE): the place is
// vfs.OnFileRelease.
func Closed(f *vfs.File) {
	if !Active() || f.Flags()&unix.O_PATH != 0 {
		return
	}
	mask := uint32(InCloseNowrite)
	if f.Writable() {
		mask = InCloseWrite
	}
	onOpenFile(f, mask)
}

// Changed reports mask on the file at vd, changed through its path or an
// fd: IN_ATTRIB for chmod, chown, utimensat with both times and the
// xattr calls, IN_MODIFY for truncate, as Linux's fsnotify_change picks.
func Changed(ctx vfs.Context, vd vfs.VirtualDentry, mask uint32) {
	if !Active() || !vd.Ok() {
		return
	}
	if !watched(vd.Dentry.Inode()) && !parentWatched(vd) {
		return
	}
	onFile(vd, mask, isDir(ctx, vd.Dentry.Inode()))
}

// AttrsChanged reports that the attributes o sets were set on the file at
// vd (chmod, chown, truncate, utimensat), with the event Linux's
// fsnotify_change picks: IN_ATTRIB for the mode, owner and both times,
// IN_MODIFY for the size or the modification time alone, IN_ACCESS for
// the access time alone.
func AttrsChanged(ctx vfs.Context, vd vfs.VirtualDentry, o vfs.SetStatOpts) {
	if !Active() {
		return
	}
	var mask uint32
	if o.Mode != nil || o.UID != nil || o.GID != nil {
		mask |= InAttrib
	}
	if o.Size != nil {
		mask |= InModify
	}
	switch {
	case o.Atime != nil && o.Mtime != nil:
		mask |= InAttrib
	case o.Atime != nil:
		mask |= InAccess
	case o.Mtime != nil:
		mask |= InModify
	}
	if mask != 0 {
		Changed(ctx, vd, mask)
	}
}

// Created reports a new entry name in dir (open with O_CREAT, mkdir,
// mknod, symlink): IN_CREATE, with IN_ISDIR for mkdir.
func Created(ctx vfs.Context, dir vfs.VirtualDentry, name string, isDir bool) {
	if !Active() || !dir.Ok() {
		return
	}
	deliver(dir.Dentry.Inode(), InCreate|dirBit(isDir), 0, name, nil)
}

// Linked reports link(2) of target as name in dir: IN_ATTRIB on the
// target (its link count changed), then IN_CREATE in dir.
func Linked(ctx vfs.Context, dir vfs.VirtualDentry, name string, target vfs.VirtualDentry) {
	if !Active() || !dir.Ok() || !target.Ok() {
		return
	}
	deliver(target.Dentry.Inode(), InAttrib, 0, "", nil)
	deliver(dir.Dentry.Inode(), InCreate, 0, name, nil)
}

// Removed reports unlink or rmdir of name in dir; child is what the name
// led to (looked up before the removal). An unlinked file hears IN_ATTRIB
// (its link count changed); once no link is left (always for a
// directory) it hears IN_DELETE_SELF and its watches end (IN_IGNORED).
// Then dir hears IN_DELETE.
//
// Linux waits for the last open file of the inode to close before it
// sends IN_DELETE_SELF; here it comes at once.
func Removed(ctx vfs.Context, dir vfs.VirtualDentry, name string, child vfs.VirtualDentry, isDir bool) {
	if !Active() || !dir.Ok() || !child.Ok() {
		return
	}
	inode := child.Dentry.Inode()
	d := dirBit(isDir)
	if watched(inode) {
		if !isDir {
			deliver(inode, InAttrib, 0, "", nil)
		}
		if isDir || noLinks(ctx, inode) {
			deliver(inode, InDeleteSelf, 0, "", nil) // without IN_ISDIR, as Linux
			destroy(inode)
		}
	}
	deliver(dir.Dentry.Inode(), InDelete|d, 0, name, nil)
}

// Renamed reports a rename of oldName in oldDir to newName in newDir.
// moved is what oldName led to; replaced what newName led to before, if
// anything (zero otherwise); exchange is RENAME_EXCHANGE. The directories
// hear IN_MOVED_FROM and IN_MOVED_TO with one cookie, the file
// IN_MOVE_SELF (never with IN_ISDIR, as IN_DELETE_SELF); a file replaced hears IN_ATTRIB and, without links left,
// IN_DELETE_SELF; with exchange, the other file moves the other way.
func Renamed(ctx vfs.Context, oldDir vfs.VirtualDentry, oldName string, newDir vfs.VirtualDentry, newName string,
	moved, replaced vfs.VirtualDentry, exchange bool) {
	if !Active() || !oldDir.Ok() || !newDir.Ok() || !moved.Ok() {
		return
	}
	move := func(from vfs.Inode, fromName string, to vfs.Inode, toName string, inode vfs.Inode) {
		d := dirBit(isDir(ctx, inode))
		cookie := cookies.Add(1)
		deliver(from, InMovedFrom|d, cookie, fromName, nil)
		deliver(to, InMovedTo|d, cookie, toName, nil)
		deliver(inode, InMoveSelf, 0, "", nil)
	}
	oldIn, newIn := oldDir.Dentry.Inode(), newDir.Dentry.Inode()
	var target vfs.Inode
	if replaced.Ok() {
		target = replaced.Dentry.Inode()
	}
	if exchange && target != nil {
		move(oldIn, oldName, newIn, newName, moved.Dentry.Inode())
		move(newIn, newName, oldIn, oldName, target)
		return
	}
	d := dirBit(isDir(ctx, moved.Dentry.Inode()))
	cookie := cookies.Add(1)
	deliver(oldIn, InMovedFrom|d, cookie, oldName, nil)
	deliver(newIn, InMovedTo|d, cookie, newName, nil)
	if target != nil && watched(target) {
		deliver(target, InAttrib, 0, "", nil)
	}
	deliver(moved.Dentry.Inode(), InMoveSelf, 0, "", nil)
	if target != nil && watched(target) {
		td := isDir(ctx, target)
		if td || noLinks(ctx, target) {
			deliver(target, InDeleteSelf, 0, "", nil)
			destroy(target)
		}
	}
}

// onOpenFile reports mask on an open file, if it has a path.
func onOpenFile(f *vfs.File, mask uint32) {
	if !Active() {
		return
	}
	vd := f.VirtualDentry()
	if !vd.Ok() {
		return
	}
	onFile(vd, mask, isDirFile(f))
}

// onFile reports mask on the file at vd: to its parent directory's
// watches with its name (for the events directories hear of their
// files), then to its own watches.
func onFile(vd vfs.VirtualDentry, mask uint32, isDir bool) {
	mask |= dirBit(isDir)
	if mask&onChild != 0 {
		if parent := vd.Dentry.Parent(); parent != nil {
			deleted := vd.Dentry.Deleted()
			deliver(parent.Inode(), mask, 0, vd.Dentry.Name(), func(w *watch) bool {
				return deleted && w.mask&InExclUnlink != 0
			})
		}
	}
	deliver(vd.Dentry.Inode(), mask, 0, "", nil)
}

func parentWatched(vd vfs.VirtualDentry) bool {
	p := vd.Dentry.Parent()
	return p != nil && watched(p.Inode())
}

func dirBit(isDir bool) uint32 {
	if isDir {
		return InIsDir
	}
	return 0
}

func isDirFile(f *vfs.File) bool {
	_, ok := f.Impl().(vfs.DirFile)
	return ok
}

func isDir(ctx vfs.Context, inode vfs.Inode) bool {
	st, err := inode.Stat(ctx)
	return err == nil && st.IsDir()
}

// noLinks reports whether an inode just unlinked has no name left.
func noLinks(ctx vfs.Context, inode vfs.Inode) bool {
	st, err := inode.Stat(ctx)
	return err != nil || st.Nlink == 0
}
