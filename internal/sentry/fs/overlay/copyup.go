package overlay

import (
	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/fs/tmpfs"
	"github.com/moat-sandbox/moat/internal/sentry/vfs"
)

// copyUp gives the inode an upper copy: its parent first, then the file
// with its data, mode, owner and times.
func (in *Inode) copyUp(ctx vfs.Context) error {
	if up, _ := in.layers(); up != nil {
		return nil
	}
	if in.parent == nil {
		return unix.EIO // the root always has an upper layer
	}
	if err := in.parent.copyUp(ctx); err != nil {
		return err
	}
	in.fs.mu.Lock()
	defer in.fs.mu.Unlock()
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.upper != nil {
		return nil
	}
	pu, _ := in.parent.layers()
	st, err := in.lower.Stat(ctx)
	if err != nil {
		return err
	}
	opts := vfs.CreateOpts{Mode: st.Mode, UID: st.UID, GID: st.GID, Dev: st.Rdev}
	// Copy-up is no change the application made to the parent: it keeps
	// its times, as on Linux's overlayfs.
	if pst, err := pu.Stat(ctx); err == nil {
		patime, pmtime := pst.Atime, pst.Mtime
		defer pu.SetStat(ctx, vfs.SetStatOpts{Atime: &patime, Mtime: &pmtime})
	}
	var up vfs.Inode
	switch st.Type() {
	case unix.S_IFDIR:
		up, err = pu.Mkdir(ctx, in.name, opts)
	case unix.S_IFLNK:
		var target string
		if l, ok := in.lower.(vfs.SymlinkInode); ok {
			target, err = l.Readlink(ctx)
		}
		if err == nil {
			up, err = pu.Symlink(ctx, in.name, target, opts)
		}
	case unix.S_IFREG:
		up, err = pu.Create(ctx, in.name, opts)
		if err == nil {
			if err = copyData(ctx, in.lower, up); err != nil {
				pu.Unlink(ctx, in.name)
			}
		}
	default:
		up, err = pu.Create(ctx, in.name, opts)
	}
	if err != nil {
		return err
	}
	u := up.(*tmpfs.Inode)
	atime, mtime := st.Atime, st.Mtime
	u.SetStat(ctx, vfs.SetStatOpts{Atime: &atime, Mtime: &mtime})
	in.upper = u
	if st.Type() != unix.S_IFDIR {
		in.lower = nil
	}
	return nil
}

// copyData copies a lower file's bytes into its new upper copy.
func copyData(ctx vfs.Context, lower, upper vfs.Inode) error {
	src, err := lower.Open(ctx, unix.O_RDONLY)
	if err != nil {
		return err
	}
	defer src.Release()
	dst, err := upper.Open(ctx, unix.O_WRONLY)
	if err != nil {
		return err
	}
	defer dst.Release()
	r, ok1 := src.(vfs.PositionalFile)
	w, ok2 := dst.(vfs.PositionalFile)
	if !ok1 || !ok2 {
		return unix.EIO
	}
	buf := make([]byte, 1<<20)
	for off := int64(0); ; {
		n, err := r.PRead(nil, buf, off)
		if n > 0 {
			if _, werr := w.PWrite(nil, buf[:n], off); werr != nil {
				return werr
			}
			off += int64(n)
		}
		if err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
	}
}

// exists reports whether name is visible in the directory.
func (in *Inode) exists(ctx vfs.Context, name string) (*Inode, bool, error) {
	c, err := in.lookup(ctx, name)
	if err == unix.ENOENT {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return c, true, nil
}

// prepareCreate copies the directory up and checks name is free; it
// reports whether name hid a lower entry (a whiteout to drop).
func (in *Inode) prepareCreate(ctx vfs.Context, name string) (*tmpfs.Inode, bool, error) {
	if !in.isDir() {
		return nil, false, unix.ENOTDIR
	}
	if _, ok, err := in.exists(ctx, name); err != nil || ok {
		if err == nil {
			err = unix.EEXIST
		}
		return nil, false, err
	}
	if err := in.copyUp(ctx); err != nil {
		return nil, false, err
	}
	up, _ := in.layers()
	return up, in.fs.whitedOut(up, name), nil
}

func (in *Inode) child(name string, up vfs.Inode) *Inode {
	u := up.(*tmpfs.Inode)
	return &Inode{fs: in.fs, upper: u, parent: in, name: name, typ: u.Mode() & unix.S_IFMT}
}

// Create implements vfs.WritableDir.
func (in *Inode) Create(ctx vfs.Context, name string, opts vfs.CreateOpts) (vfs.Inode, error) {
	up, wh, err := in.prepareCreate(ctx, name)
	if err != nil {
		return nil, err
	}
	c, err := up.Create(ctx, name, opts)
	if err != nil {
		return nil, err
	}
	if wh {
		in.fs.setWhiteout(up, name, false)
	}
	return in.child(name, c), nil
}

// Mkdir implements vfs.WritableDir. A directory made where a lower one was
// deleted is opaque: the old contents stay hidden.
func (in *Inode) Mkdir(ctx vfs.Context, name string, opts vfs.CreateOpts) (vfs.Inode, error) {
	up, wh, err := in.prepareCreate(ctx, name)
	if err != nil {
		return nil, err
	}
	c, err := up.Mkdir(ctx, name, opts)
	if err != nil {
		return nil, err
	}
	if wh {
		in.fs.setWhiteout(up, name, false)
		in.fs.mu.Lock()
		in.fs.opaque[c.(*tmpfs.Inode)] = true
		in.fs.mu.Unlock()
	}
	return in.child(name, c), nil
}

// Symlink implements vfs.WritableDir.
func (in *Inode) Symlink(ctx vfs.Context, name, target string, opts vfs.CreateOpts) (vfs.Inode, error) {
	up, wh, err := in.prepareCreate(ctx, name)
	if err != nil {
		return nil, err
	}
	c, err := up.Symlink(ctx, name, target, opts)
	if err != nil {
		return nil, err
	}
	if wh {
		in.fs.setWhiteout(up, name, false)
	}
	return in.child(name, c), nil
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
	up, wh, err := in.prepareCreate(ctx, name)
	if err != nil {
		return err
	}
	if err := t.copyUp(ctx); err != nil {
		return err
	}
	tu, _ := t.layers()
	if err := up.Link(ctx, name, tu); err != nil {
		return err
	}
	if wh {
		in.fs.setWhiteout(up, name, false)
	}
	return nil
}

// remove deletes name (a directory if dir), whiting out a lower entry.
func (in *Inode) remove(ctx vfs.Context, name string, dir bool) error {
	c, ok, err := in.exists(ctx, name)
	if err != nil {
		return err
	}
	if !ok {
		return unix.ENOENT
	}
	switch {
	case dir && !c.isDir():
		return unix.ENOTDIR
	case !dir && c.isDir():
		return unix.EISDIR
	}
	if dir {
		ents, err := c.ReadDir(ctx)
		if err != nil {
			return err
		}
		if len(ents) != 0 {
			return unix.ENOTEMPTY
		}
	}
	if err := in.copyUp(ctx); err != nil {
		return err
	}
	up, _ := in.layers()
	cu, cl := c.layers()
	if cu != nil {
		if dir {
			// Its whiteouts hide nothing once it is gone.
			in.fs.mu.Lock()
			delete(in.fs.whiteouts, cu)
			delete(in.fs.opaque, cu)
			in.fs.mu.Unlock()
			err = up.Rmdir(ctx, name)
		} else {
			err = up.Unlink(ctx, name)
		}
		if err != nil {
			return err
		}
	}
	if cl != nil || cu == nil {
		in.fs.setWhiteout(up, name, true)
	}
	return nil
}

// Unlink implements vfs.WritableDir.
func (in *Inode) Unlink(ctx vfs.Context, name string) error { return in.remove(ctx, name, false) }

// Rmdir implements vfs.WritableDir.
func (in *Inode) Rmdir(ctx vfs.Context, name string) error { return in.remove(ctx, name, true) }

// Rename implements vfs.WritableDir. Moving a directory that has lower
// contents gives EXDEV, as overlayfs does without redirects; mv then
// copies.
func (in *Inode) Rename(ctx vfs.Context, oldName string, newDir vfs.DirInode, newName string, flags uint) error {
	nd, ok := newDir.(*Inode)
	if !ok || nd.fs != in.fs {
		return unix.EXDEV
	}
	src, ok, err := in.exists(ctx, oldName)
	if err != nil {
		return err
	}
	if !ok {
		return unix.ENOENT
	}
	dst, dstOK, err := nd.exists(ctx, newName)
	if err != nil {
		return err
	}
	if flags&unix.RENAME_NOREPLACE != 0 && dstOK {
		return unix.EEXIST
	}
	if flags&unix.RENAME_EXCHANGE != 0 && !dstOK {
		return unix.ENOENT
	}
	if _, lo := src.layers(); src.isDir() && lo != nil {
		return unix.EXDEV
	}
	if dstOK {
		if _, lo := dst.layers(); flags&unix.RENAME_EXCHANGE != 0 && dst.isDir() && lo != nil {
			return unix.EXDEV
		}
		if flags&unix.RENAME_EXCHANGE == 0 {
			switch {
			case src.isDir() && !dst.isDir():
				return unix.ENOTDIR
			case !src.isDir() && dst.isDir():
				return unix.EISDIR
			case dst.isDir():
				if ents, err := dst.ReadDir(ctx); err != nil || len(ents) != 0 {
					if err == nil {
						err = unix.ENOTEMPTY
					}
					return err
				}
			}
		}
	}
	srcHadLower := src.lower != nil
	if err := src.copyUp(ctx); err != nil {
		return err
	}
	if err := in.copyUp(ctx); err != nil {
		return err
	}
	if err := nd.copyUp(ctx); err != nil {
		return err
	}
	dstHadLower := false
	if dstOK {
		_, lo := dst.layers()
		dstHadLower = lo != nil
		if flags&unix.RENAME_EXCHANGE != 0 {
			if err := dst.copyUp(ctx); err != nil {
				return err
			}
		}
	}
	up, _ := in.layers()
	nup, _ := nd.layers()
	if dstOK && flags&unix.RENAME_EXCHANGE == 0 {
		// The upper rename replaces only an upper entry: a lower-only
		// target is hidden by the new upper entry.
		if du, _ := dst.layers(); du != nil && dst.isDir() {
			in.fs.mu.Lock()
			delete(in.fs.whiteouts, du)
			in.fs.mu.Unlock()
		}
	}
	if err := up.Rename(ctx, oldName, nup, newName, flags); err != nil {
		return err
	}
	in.fs.setWhiteout(nup, newName, false)
	if flags&unix.RENAME_EXCHANGE == 0 && srcHadLower {
		in.fs.setWhiteout(up, oldName, true)
	}
	if src.isDir() && dstHadLower {
		su, _ := src.layers()
		in.fs.mu.Lock()
		in.fs.opaque[su] = true
		in.fs.mu.Unlock()
	}
	src.mu.Lock()
	src.parent, src.name = nd, newName
	src.mu.Unlock()
	return nil
}
