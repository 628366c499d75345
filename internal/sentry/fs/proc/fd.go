package proc

import (
	"fmt"
	"strconv"

	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/fs/synth"
	"github.com/moat-sandbox/moat/internal/sentry/vfs"
	"github.com/moat-sandbox/moat/internal/sentry/waiter"
)

// LinkNamer is a file without a path that names itself in /proc/PID/fd,
// as Linux names pipes, sockets and anonymous inodes ("pipe:[N]",
// "socket:[N]", "anon_inode:[eventfd]").
type LinkNamer interface {
	LinkName() string
}

// fdList lists the thread's open fds.
func (v *view) fdList() []int32 {
	t := v.thread()
	if t == nil {
		return nil
	}
	fds := t.FDTable()
	if fds == nil {
		return nil
	}
	return fds.FDs()
}

// getFD returns the file at fd with a reference, and its close-on-exec
// flag.
func (v *view) getFD(fd int32) (*vfs.File, bool, error) {
	t := v.thread()
	if t == nil {
		return nil, false, unix.ENOENT
	}
	fds := t.FDTable()
	if fds == nil {
		return nil, false, unix.ENOENT
	}
	f, cloexec, err := fds.Get(fd)
	if err != nil {
		return nil, false, unix.ENOENT
	}
	return f, cloexec, nil
}

func fdNames(fds []int32) []string {
	names := make([]string, len(fds))
	for i, fd := range fds {
		names[i] = strconv.Itoa(int(fd))
	}
	return names
}

// parseFD parses an fd number as Linux names it.
func parseFD(name string) (int32, bool) {
	if name == "0" {
		return 0, true
	}
	return parseID(name)
}

// sameFile keeps a cached fd entry while the fd holds the file it was
// made for.
func (v *view) sameFile(name string, n synth.Node) bool {
	fd, ok := parseFD(name)
	if !ok {
		return false
	}
	f, _, err := v.getFD(fd)
	if err != nil {
		return false
	}
	f.DecRef()
	tagged, _ := n.(interface{ Tag() any })
	return tagged != nil && tagged.Tag() == any(f)
}

func (v *view) fdGenerator() *synth.Generator {
	return &synth.Generator{
		Names: func(ctx vfs.Context) []string { return fdNames(v.fdList()) },
		Lookup: func(ctx vfs.Context, name string) (synth.Node, error) {
			fd, ok := parseFD(name)
			if !ok {
				return nil, unix.ENOENT
			}
			f, _, err := v.getFD(fd)
			if err != nil {
				return nil, err
			}
			defer f.DecRef()
			// The link's mode shows the access mode, as on Linux.
			var perm uint32 = 0o100
			if f.Readable() {
				perm |= 0o400
			}
			if f.Writable() {
				perm |= 0o200
			}
			l := v.p.fs.NewMagicLink(perm, func(ctx vfs.Context) (vfs.VirtualDentry, string, error) {
				return v.resolveFD(ctx, fd)
			})
			l.SetTag(f)
			return l, nil
		},
		Valid: func(ctx vfs.Context, name string, n synth.Node) bool { return v.sameFile(name, n) },
	}
}

// resolveFD is where /proc/PID/fd/N leads: the file's own place in the
// tree, or, for a file without one (a pipe, a socket, an inherited host
// fd), a node that opens the same file anew.
func (v *view) resolveFD(ctx vfs.Context, fd int32) (vfs.VirtualDentry, string, error) {
	if err := v.mayInspect(ctx); err != nil {
		return vfs.VirtualDentry{}, "", err
	}
	f, _, err := v.getFD(fd)
	if err != nil {
		return vfs.VirtualDentry{}, "", err
	}
	defer f.DecRef()
	if vd := f.VirtualDentry(); vd.Ok() && vd.Mount != anonMount {
		return vd, vd.PathFrom(v.p.callerRoot(ctx)), nil
	}
	name := v.p.fdName(ctx, f)
	return vfs.VirtualDentry{Mount: anonMount, Dentry: vfs.NewRoot(&reopenInode{file: f})}, name, nil
}

// fdName names a file that has no path.
func (p *procFS) fdName(ctx vfs.Context, f *vfs.File) string {
	if r, ok := f.Impl().(interface{ origin() *vfs.File }); ok {
		f = r.origin()
	}
	impl := f.Impl()
	if n, ok := impl.(LinkNamer); ok {
		return n.LinkName()
	}
	// A host fd the sandbox inherited (the caller's terminal or pipe):
	// the host's name for it is what the application would see natively.
	if h, ok := impl.(interface{ HostFD() int }); ok {
		if name, err := p.host.Readlink(fmt.Sprintf("self/fd/%d", h.HostFD())); err == nil {
			return name
		}
	}
	st, err := f.Stat(ctx)
	if err != nil {
		return "anon_inode:[unknown]"
	}
	switch st.Type() {
	case unix.S_IFIFO:
		return fmt.Sprintf("pipe:[%d]", st.Ino)
	case unix.S_IFSOCK:
		return fmt.Sprintf("socket:[%d]", st.Ino)
	}
	return "anon_inode:[unknown]"
}

func (v *view) fdinfoGenerator() *synth.Generator {
	return &synth.Generator{
		Names: func(ctx vfs.Context) []string { return fdNames(v.fdList()) },
		Lookup: func(ctx vfs.Context, name string) (synth.Node, error) {
			fd, ok := parseFD(name)
			if !ok {
				return nil, unix.ENOENT
			}
			f, _, err := v.getFD(fd)
			if err != nil {
				return nil, err
			}
			f.DecRef()
			n := v.p.fs.NewFile(0o444, func(ctx vfs.Context) ([]byte, error) { return v.renderFDInfo(ctx, fd) })
			n.SetTag(f)
			return n, nil
		},
		Valid: func(ctx vfs.Context, name string, n synth.Node) bool { return v.sameFile(name, n) },
	}
}

// renderFDInfo is /proc/PID/fdinfo/N: offset, flags, mount and inode.
func (v *view) renderFDInfo(ctx vfs.Context, fd int32) ([]byte, error) {
	if err := v.mayInspect(ctx); err != nil {
		return nil, err
	}
	f, cloexec, err := v.getFD(fd)
	if err != nil {
		return nil, err
	}
	defer f.DecRef()
	var pos int64
	if t, ok := ctx.(vfs.Task); ok && f.Seekable() {
		if off, err := f.Seek(t, 0, unix.SEEK_CUR); err == nil {
			pos = off
		}
	}
	flags := f.Flags()
	if cloexec {
		flags |= unix.O_CLOEXEC
	}
	mntID := 0
	if vd := f.VirtualDentry(); vd.Ok() {
		mntID = vd.Mount.ID
	}
	var ino uint64
	if st, err := f.Stat(ctx); err == nil {
		ino = st.Ino
	}
	return fmt.Appendf(nil, "pos:\t%d\nflags:\t0%o\nmnt_id:\t%d\nino:\t%d\n", pos, flags, mntID, ino), nil
}

// anonFS is the filesystem of files reached through /proc/PID/fd that
// have no path of their own.
type anonFS struct{}

func (anonFS) Name() string { return "anon_inodefs" }
func (anonFS) StatFS() (unix.Statfs_t, error) {
	return unix.Statfs_t{Type: 0x09041934, Bsize: 4096, Frsize: 4096, Namelen: 255}, nil
}

// anonMount holds the nodes that reopen files without a path. It is in no
// mount namespace: nothing can be reached from it.
var anonMount = &vfs.Mount{FS: anonFS{}, Flags: vfs.MountNoExec | vfs.MountNoSuid | vfs.MountNoDev, Source: "anon_inodefs"}

// reopenInode opens the file it was made from anew: the new description
// shares the file (the pipe, the socket, the host fd) with its own flags,
// as opening /proc/PID/fd/N does on Linux.
type reopenInode struct {
	file *vfs.File
}

func (r *reopenInode) Stat(ctx vfs.Context) (vfs.Stat, error) { return r.file.Stat(ctx) }

func (r *reopenInode) Open(ctx vfs.Context, flags int) (vfs.FileImpl, error) {
	r.file.IncRef()
	base := reopened{file: r.file}
	switch r.file.Impl().(type) {
	case interface {
		vfs.StreamFile
		waiter.Waitable
	}:
		return &reopenedWaitable{reopenedStream{base}}, nil
	case vfs.StreamFile:
		return &reopenedStream{base}, nil
	case vfs.PositionalFile:
		return &reopenedPositional{base}, nil
	}
	r.file.DecRef()
	return nil, unix.ENXIO
}

// reopened is a new description over another's file.
type reopened struct {
	file *vfs.File
}

func (r *reopened) Stat(ctx vfs.Context) (vfs.Stat, error) { return r.file.Stat(ctx) }
func (r *reopened) Release()                               { r.file.DecRef() }

// Ioctl implements vfs.Ioctler (a terminal's ioctls).
func (r *reopened) Ioctl(t vfs.Task, req, arg uintptr) (uintptr, error) {
	if io, ok := r.file.Impl().(vfs.Ioctler); ok {
		return io.Ioctl(t, req, arg)
	}
	return 0, unix.ENOTTY
}

func (r *reopened) origin() *vfs.File { return r.file }

type reopenedStream struct{ reopened }

func (r *reopenedStream) Read(t vfs.Task, dst []byte) (int, error) {
	return r.file.Impl().(vfs.StreamFile).Read(t, dst)
}

func (r *reopenedStream) Write(t vfs.Task, src []byte) (int, error) {
	return r.file.Impl().(vfs.StreamFile).Write(t, src)
}

// reopenedWaitable is a reopened stream that can be polled (a pipe).
type reopenedWaitable struct{ reopenedStream }

func (r *reopenedWaitable) waitable() waiter.Waitable { return r.file.Impl().(waiter.Waitable) }

func (r *reopenedWaitable) Readiness(mask waiter.EventMask) waiter.EventMask {
	return r.waitable().Readiness(mask)
}

func (r *reopenedWaitable) EventRegister(e *waiter.Entry, mask waiter.EventMask) {
	r.waitable().EventRegister(e, mask)
}

func (r *reopenedWaitable) EventUnregister(e *waiter.Entry) { r.waitable().EventUnregister(e) }

type reopenedPositional struct{ reopened }

func (r *reopenedPositional) PRead(t vfs.Task, dst []byte, off int64) (int, error) {
	return r.file.Impl().(vfs.PositionalFile).PRead(t, dst, off)
}

func (r *reopenedPositional) PWrite(t vfs.Task, src []byte, off int64) (int, error) {
	return r.file.Impl().(vfs.PositionalFile).PWrite(t, src, off)
}
