package synth

import (
	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/vfs"
)

// Render produces a file's contents for the caller ctx.
type Render func(ctx vfs.Context) ([]byte, error)

// Static is a Render of fixed contents.
func Static(s string) Render {
	return func(vfs.Context) ([]byte, error) { return []byte(s), nil }
}

// File is a regular file whose contents are rendered when it is opened:
// reads and seeks see that snapshot, as a seq_file reader does on Linux.
type File struct {
	node
	render Render
	write  func(ctx vfs.Context, data []byte) error
}

// NewFile returns a file with permission bits perm, rendered by render.
func (fs *FS) NewFile(perm uint32, render Render) *File {
	return &File{node: node{fs: fs, mode: unix.S_IFREG | perm&0o7777}, render: render}
}

// SetWrite makes the file writable: each write(2) hands its bytes to fn,
// which accepts all of them or fails.
func (f *File) SetWrite(fn func(ctx vfs.Context, data []byte) error) *File {
	f.write = fn
	return f
}

// Stat implements vfs.Inode.
func (f *File) Stat(ctx vfs.Context) (vfs.Stat, error) {
	st := f.stat()
	st.Size = f.fs.opts.FileSize
	return st, nil
}

// Open implements vfs.Inode: a reader gets the contents rendered now.
func (f *File) Open(ctx vfs.Context, flags int) (vfs.FileImpl, error) {
	acc := flags & unix.O_ACCMODE
	if (acc != unix.O_RDONLY || flags&unix.O_TRUNC != 0) && f.write == nil {
		return nil, unix.EACCES
	}
	of := &openFile{f: f}
	if acc == unix.O_RDONLY || acc == unix.O_RDWR {
		data, err := f.render(ctx)
		if err != nil {
			return nil, err
		}
		of.data = data
	}
	return of, nil
}

// openFile is an open File: its snapshot.
type openFile struct {
	f    *File
	data []byte
}

func (o *openFile) Stat(ctx vfs.Context) (vfs.Stat, error) { return o.f.Stat(ctx) }
func (o *openFile) Release()                               {}

// PRead implements vfs.PositionalFile from the snapshot.
func (o *openFile) PRead(t vfs.Task, dst []byte, off int64) (int, error) {
	if off >= int64(len(o.data)) {
		return 0, nil
	}
	return copy(dst, o.data[off:]), nil
}

// PWrite implements vfs.PositionalFile: the whole buffer goes to the
// file's writer, wherever the offset is.
func (o *openFile) PWrite(t vfs.Task, src []byte, off int64) (int, error) {
	if o.f.write == nil {
		return 0, unix.EBADF
	}
	if err := o.f.write(t, src); err != nil {
		return 0, err
	}
	return len(src), nil
}

// Symlink is a symbolic link whose target may depend on the caller
// (/proc/self).
type Symlink struct {
	node
	target func(ctx vfs.Context) (string, error)
}

// NewSymlink returns a link to a fixed target.
func (fs *FS) NewSymlink(target string) *Symlink {
	return fs.NewDynamicSymlink(func(vfs.Context) (string, error) { return target, nil })
}

// NewDynamicSymlink returns a link whose target target computes for the
// caller at each resolution.
func (fs *FS) NewDynamicSymlink(target func(ctx vfs.Context) (string, error)) *Symlink {
	return &Symlink{node: node{fs: fs, mode: unix.S_IFLNK | 0o777}, target: target}
}

// Stat implements vfs.Inode.
func (l *Symlink) Stat(ctx vfs.Context) (vfs.Stat, error) {
	st := l.stat()
	if t, err := l.target(ctx); err == nil {
		st.Size = int64(len(t))
	}
	return st, nil
}

// Open implements vfs.Inode: links are followed, never opened.
func (l *Symlink) Open(ctx vfs.Context, flags int) (vfs.FileImpl, error) { return nil, unix.ELOOP }

// Readlink implements vfs.SymlinkInode.
func (l *Symlink) Readlink(ctx vfs.Context) (string, error) { return l.target(ctx) }

// Resolve finds a magic link's destination for the caller: the point in
// the tree following it reaches, and what readlink(2) shows.
type Resolve func(ctx vfs.Context) (vd vfs.VirtualDentry, name string, err error)

// MagicLink is a link that leads straight to a file rather than to a path
// (/proc/PID/fd/N, /proc/PID/exe).
type MagicLink struct {
	node
	resolve Resolve
}

// NewMagicLink returns a magic link with permission bits perm.
func (fs *FS) NewMagicLink(perm uint32, resolve Resolve) *MagicLink {
	return &MagicLink{node: node{fs: fs, mode: unix.S_IFLNK | perm&0o777}, resolve: resolve}
}

// Stat implements vfs.Inode.
func (l *MagicLink) Stat(ctx vfs.Context) (vfs.Stat, error) { return l.stat(), nil }

// Open implements vfs.Inode.
func (l *MagicLink) Open(ctx vfs.Context, flags int) (vfs.FileImpl, error) { return nil, unix.ELOOP }

// Readlink implements vfs.SymlinkInode.
func (l *MagicLink) Readlink(ctx vfs.Context) (string, error) {
	_, name, err := l.resolve(ctx)
	return name, err
}

// Target implements vfs.MagicLink.
func (l *MagicLink) Target(ctx vfs.Context) (vfs.VirtualDentry, error) {
	vd, _, err := l.resolve(ctx)
	if err != nil {
		return vfs.VirtualDentry{}, err
	}
	if !vd.Ok() {
		return vfs.VirtualDentry{}, unix.ENOENT
	}
	return vd, nil
}
