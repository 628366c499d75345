package inotify

import (
	"encoding/binary"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/auth"
	"github.com/moat-sandbox/moat/internal/sentry/fs/tmpfs"
	"github.com/moat-sandbox/moat/internal/sentry/vfs"
)

// task is a vfs.Task for tests: Block can be interrupted through intr;
// CopyOut keeps the last bytes copied.
type task struct {
	intr chan struct{}
	out  []byte
}

func newTask() *task { return &task{intr: make(chan struct{}, 1)} }

func (t *task) Creds() *auth.Credentials     { return auth.New(0, 0, nil) }
func (t *task) CopyIn(uintptr, []byte) error { return nil }
func (t *task) CopyOut(addr uintptr, b []byte) error {
	t.out = append([]byte(nil), b...)
	return nil
}
func (t *task) HostWait(int, int16, time.Time) (int16, error) { return 0, unix.ENOSYS }
func (t *task) Block(ch <-chan struct{}, deadline time.Time) error {
	select {
	case <-ch:
		return nil
	case <-t.intr:
		return vfs.ErrInterrupted
	}
}

// tree is a tmpfs mounted alone, for operations to report on.
type tree struct {
	t    *testing.T
	tk   *task
	ns   *vfs.MountNamespace
	root vfs.VirtualDentry
}

func newTree(t *testing.T) *tree {
	fs, root := tmpfs.New("tmpfs", 0o777, 0, 0)
	ns := vfs.NewMountNamespace(fs, vfs.NewRoot(root), 0, "tmpfs", "")
	return &tree{t: t, tk: newTask(), ns: ns, root: ns.Root()}
}

func (tr *tree) lookup(dir vfs.VirtualDentry, name string) vfs.VirtualDentry {
	vd, err := tr.ns.Lookup(tr.tk, dir, name)
	if err != nil {
		tr.t.Fatalf("lookup %s: %v", name, err)
	}
	return vd
}

func (tr *tree) create(dir vfs.VirtualDentry, name string) vfs.VirtualDentry {
	if _, err := dir.Inode().(vfs.WritableDir).Create(tr.tk, name, vfs.CreateOpts{Mode: unix.S_IFREG | 0o644}); err != nil {
		tr.t.Fatal(err)
	}
	Created(tr.tk, dir, name, false)
	return tr.lookup(dir, name)
}

func (tr *tree) mkdir(dir vfs.VirtualDentry, name string) vfs.VirtualDentry {
	if _, err := dir.Inode().(vfs.WritableDir).Mkdir(tr.tk, name, vfs.CreateOpts{Mode: unix.S_IFDIR | 0o755}); err != nil {
		tr.t.Fatal(err)
	}
	Created(tr.tk, dir, name, true)
	return tr.lookup(dir, name)
}

func (tr *tree) open(vd vfs.VirtualDentry, flags int) *vfs.File {
	impl, err := vd.Inode().Open(tr.tk, flags)
	if err != nil {
		tr.t.Fatal(err)
	}
	f := vfs.NewFile(impl, vd, flags)
	Opened(tr.tk, f, false)
	return f
}

func (tr *tree) unlink(dir vfs.VirtualDentry, name string) {
	child := tr.lookup(dir, name)
	st, _ := child.Inode().Stat(tr.tk)
	d := dir.Inode().(vfs.WritableDir)
	var err error
	if st.IsDir() {
		err = d.Rmdir(tr.tk, name)
	} else {
		err = d.Unlink(tr.tk, name)
	}
	if err != nil {
		tr.t.Fatal(err)
	}
	tr.ns.Removed(dir.Dentry, name)
	Removed(tr.tk, dir, name, child, st.IsDir())
}

func (tr *tree) rename(oldDir vfs.VirtualDentry, oldName string, newDir vfs.VirtualDentry, newName string) {
	src := tr.lookup(oldDir, oldName)
	dst, derr := tr.ns.Lookup(tr.tk, newDir, newName)
	if err := oldDir.Inode().(vfs.WritableDir).Rename(tr.tk, oldName, newDir.Inode().(vfs.DirInode), newName, 0); err != nil {
		tr.t.Fatal(err)
	}
	tr.ns.Renamed(oldDir.Dentry, oldName, newDir.Dentry, newName, false)
	if derr != nil {
		dst = vfs.VirtualDentry{}
	}
	Renamed(tr.tk, oldDir, oldName, newDir, newName, src, dst, false)
}

type ev struct {
	wd     int32
	mask   uint32
	cookie bool
	name   string
}

// events reads everything queued on in.
func events(t *testing.T, in *Inotify) []ev {
	t.Helper()
	var out []ev
	buf := make([]byte, 4096)
	for {
		n, err := in.Read(newTask(), buf)
		if err == unix.EAGAIN {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		for b := buf[:n]; len(b) > 0; {
			l := int(binary.LittleEndian.Uint32(b[12:]))
			name := string(b[16 : 16+l])
			for len(name) > 0 && name[len(name)-1] == 0 {
				name = name[:len(name)-1]
			}
			if l%16 != 0 || (name != "" && l <= len(name)) {
				t.Errorf("event name length %d for %q", l, name)
			}
			out = append(out, ev{int32(binary.LittleEndian.Uint32(b)), binary.LittleEndian.Uint32(b[4:]),
				binary.LittleEndian.Uint32(b[8:]) != 0, name})
			b = b[16+l:]
		}
	}
}

func expect(t *testing.T, in *Inotify, want ...ev) {
	t.Helper()
	got := events(t, in)
	if len(got) != len(want) {
		t.Fatalf("events %+v, want %+v", got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("event %d: %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestDirectoryAndFileWatches(t *testing.T) {
	tr := newTree(t)
	in := New(true)
	defer in.Release()
	dwd, err := in.AddWatch(tr.root.Inode(), InAllEvents)
	if err != nil || dwd != 1 {
		t.Fatalf("watch: %d, %v", dwd, err)
	}
	a := tr.create(tr.root, "a")
	f := tr.open(a, unix.O_WRONLY)
	Modified(tr.tk, f)
	Modified(tr.tk, f) // merged with the one before
	f.DecRef()
	Closed(f)
	expect(t, in, ev{1, InCreate, false, "a"}, ev{1, InOpen, false, "a"}, ev{1, InModify, false, "a"},
		ev{1, InCloseWrite, false, "a"})

	fwd, _ := in.AddWatch(a.Inode(), InModify|InAttrib|InDeleteSelf)
	f = tr.open(a, unix.O_RDONLY)
	Accessed(tr.tk, f)
	Changed(tr.tk, a, InAttrib)
	Closed(f)
	expect(t, in, ev{1, InOpen, false, "a"}, ev{1, InAccess, false, "a"}, ev{1, InAttrib, false, "a"},
		ev{fwd, InAttrib, false, ""}, ev{1, InCloseNowrite, false, "a"})

	tr.rename(tr.root, "a", tr.root, "b")
	got := events(t, in)
	if len(got) != 2 || got[0].mask != InMovedFrom || got[1].mask != InMovedTo || !got[0].cookie || got[1].name != "b" {
		t.Errorf("rename: %+v", got)
	}
	tr.unlink(tr.root, "b")
	expect(t, in, ev{fwd, InAttrib, false, ""}, ev{fwd, InDeleteSelf, false, ""}, ev{fwd, InIgnored, false, ""},
		ev{1, InDelete, false, "b"})
	if in.Watches() != 1 {
		t.Errorf("%d watches left, want 1", in.Watches())
	}

	d := tr.mkdir(tr.root, "d")
	sub, _ := in.AddWatch(d.Inode(), InAllEvents)
	tr.create(d, "x") // the root's watch does not see into d
	tr.unlink(d, "x")
	tr.unlink(tr.root, "d")
	expect(t, in, ev{1, InCreate | InIsDir, false, "d"}, ev{sub, InCreate, false, "x"}, ev{sub, InDelete, false, "x"},
		ev{sub, InDeleteSelf, false, ""}, ev{sub, InIgnored, false, ""}, ev{1, InDelete | InIsDir, false, "d"})

	if err := in.RemoveWatch(1); err != nil {
		t.Fatal(err)
	}
	if err := in.RemoveWatch(1); err != unix.EINVAL {
		t.Errorf("removing twice: %v, want EINVAL", err)
	}
	expect(t, in, ev{1, InIgnored, false, ""})
	if Active() {
		t.Error("watches left in the registry")
	}
}

func TestAddWatchFlags(t *testing.T) {
	tr := newTree(t)
	a := tr.create(tr.root, "a")
	in := New(true)
	defer in.Release()
	for _, tc := range []struct {
		mask uint32
		wd   int32
		err  error
	}{
		{0, 0, unix.EINVAL},
		{InMaskAdd | InMaskCreate | InModify, 0, unix.EINVAL},
		{InAttrib, 1, nil},
		{InModify | InMaskCreate, 0, unix.EEXIST},
		{InModify | InMaskAdd, 1, nil},
	} {
		wd, err := in.AddWatch(a.Inode(), tc.mask)
		if wd != tc.wd || err != tc.err {
			t.Errorf("mask %#x: %d, %v; want %d, %v", tc.mask, wd, err, tc.wd, tc.err)
		}
	}
	Changed(tr.tk, a, InAttrib)
	Changed(tr.tk, a, InModify)
	expect(t, in, ev{1, InAttrib, false, ""}, ev{1, InModify, false, ""})
	in.AddWatch(a.Inode(), InModify) // replaces
	Changed(tr.tk, a, InAttrib)
	expect(t, in)

	// One shot: one event, then IN_IGNORED, and the next watch gets a
	// new descriptor.
	in.AddWatch(a.Inode(), InAttrib|InOneShot)
	Changed(tr.tk, a, InAttrib)
	Changed(tr.tk, a, InAttrib)
	expect(t, in, ev{1, InAttrib, false, ""}, ev{1, InIgnored, false, ""})
	if wd, _ := in.AddWatch(a.Inode(), InAttrib); wd != 2 {
		t.Errorf("next descriptor %d, want 2", wd)
	}
}

func TestExclUnlink(t *testing.T) {
	tr := newTree(t)
	in := New(true)
	defer in.Release()
	in.AddWatch(tr.root.Inode(), InModify|InExclUnlink)
	u := tr.create(tr.root, "u")
	f := tr.open(u, unix.O_WRONLY)
	Modified(tr.tk, f)
	tr.unlink(tr.root, "u")
	Modified(tr.tk, f)
	Closed(f)
	expect(t, in, ev{1, InModify, false, "u"})
}

func TestReadSizesAndIoctl(t *testing.T) {
	tr := newTree(t)
	in := New(true)
	defer in.Release()
	in.AddWatch(tr.root.Inode(), InCreate)
	tr.create(tr.root, "a-name-of-20-bytes!")
	tk := newTask()
	if _, err := in.Ioctl(tk, fionread, 0); err != nil || binary.LittleEndian.Uint32(tk.out) != 16+32 {
		t.Errorf("FIONREAD: %v, %v; want 48", err, tk.out)
	}
	if _, err := in.Ioctl(tk, 0x5401, 0); err != unix.ENOTTY {
		t.Errorf("another ioctl: %v, want ENOTTY", err)
	}
	if _, err := in.Read(tk, make([]byte, 47)); err != unix.EINVAL {
		t.Errorf("a read too small for the event: %v, want EINVAL", err)
	}
	if n, err := in.Read(tk, make([]byte, 48)); n != 48 || err != nil {
		t.Errorf("read: %d, %v", n, err)
	}
}

func TestOverflow(t *testing.T) {
	tr := newTree(t)
	in := New(true)
	defer in.Release()
	in.AddWatch(tr.root.Inode(), InAttrib)
	for i := 0; i < MaxQueuedEvents+10; i++ {
		// Alternate between two events, so that none merge.
		Created(tr.tk, tr.root, "x", false)
		deliver(tr.root.Inode(), InAttrib, 0, []string{"p", "q"}[i%2], nil)
	}
	got := events(t, in)
	if len(got) != MaxQueuedEvents+1 {
		t.Fatalf("%d events, want %d", len(got), MaxQueuedEvents+1)
	}
	if last := got[len(got)-1]; last.wd != -1 || last.mask != InQOverflow {
		t.Errorf("last event %+v, want IN_Q_OVERFLOW", last)
	}
}

func TestBlockingRead(t *testing.T) {
	tr := newTree(t)
	in := New(false)
	defer in.Release()
	in.AddWatch(tr.root.Inode(), InCreate)
	go func() {
		time.Sleep(10 * time.Millisecond)
		tr.create(tr.root, "late")
	}()
	tk := newTask()
	if n, err := in.Read(tk, make([]byte, 64)); n != 32 || err != nil {
		t.Fatalf("blocking read: %d, %v", n, err)
	}
	tk.intr <- struct{}{}
	if _, err := in.Read(tk, make([]byte, 64)); err != vfs.ErrInterrupted {
		t.Errorf("interrupted read: %v", err)
	}
}

func TestReleaseDropsWatches(t *testing.T) {
	tr := newTree(t)
	in := New(true)
	in.AddWatch(tr.root.Inode(), InCreate)
	if !Active() {
		t.Fatal("no watch registered")
	}
	in.Release()
	if Active() {
		t.Error("watches survive the instance")
	}
}
