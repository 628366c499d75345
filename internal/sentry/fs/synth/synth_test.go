package synth

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/auth"
	"github.com/moat-sandbox/moat/internal/sentry/vfs"
)

type ctx struct{ c *auth.Credentials }

func (c ctx) Creds() *auth.Credentials { return c.c }

var root = ctx{auth.New(0, 0, nil)}

func read(t *testing.T, impl vfs.FileImpl) string {
	t.Helper()
	pf, ok := impl.(vfs.PositionalFile)
	if !ok {
		t.Fatalf("%T is not positional", impl)
	}
	var out []byte
	buf := make([]byte, 3)
	for off := int64(0); ; {
		n, err := pf.PRead(nil, buf, off)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return string(out)
		}
		out = append(out, buf[:n]...)
		off += int64(n)
	}
}

// tree is a small filesystem: fixed files, a directory whose children
// come and go, links.
type tree struct {
	fs      *FS
	counter atomic.Int64
	kids    []string
}

func newTree() *tree {
	tr := &tree{fs: New(Options{Name: "test", Magic: 0x1234}), kids: []string{"a", "b"}}
	r := tr.fs.Root()
	r.Add("static", tr.fs.NewFile(0o444, Static("fixed\n")))
	r.Add("counter", tr.fs.NewFile(0o444, func(vfs.Context) ([]byte, error) {
		return []byte(strconv.FormatInt(tr.counter.Add(1), 10)), nil
	}))
	r.Add("link", tr.fs.NewSymlink("static"))
	gen := r.Subdir("gen")
	gen.SetGenerator(&Generator{
		Names: func(vfs.Context) []string { return tr.kids },
		Lookup: func(_ vfs.Context, name string) (Node, error) {
			if !slices.Contains(tr.kids, name) {
				return nil, unix.ENOENT
			}
			d := tr.fs.NewDir(0o500)
			d.SetTag(name)
			d.Add("name", tr.fs.NewFile(0o444, Static(name)))
			return d, nil
		},
		Valid: func(_ vfs.Context, name string, n Node) bool {
			return slices.Contains(tr.kids, name) && n.(*Dir).Tag() == name
		},
	})
	return tr
}

func TestLookupAndReadDir(t *testing.T) {
	tr := newTree()
	ents, err := tr.fs.Root().ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name)
	}
	if want := []string{"static", "counter", "link", "gen"}; !slices.Equal(names, want) {
		t.Errorf("root lists %v, want %v", names, want)
	}
	gen, _ := tr.fs.Root().Lookup(root, "gen")
	ents, _ = gen.(*Dir).ReadDir(root)
	if len(ents) != 2 || ents[0].Name != "a" || ents[0].Type != unix.DT_DIR {
		t.Errorf("gen lists %+v", ents)
	}
	if _, err := gen.(*Dir).Lookup(root, "c"); err != unix.ENOENT {
		t.Errorf("lookup of a missing child: %v", err)
	}
	st, _ := gen.Stat(root)
	if st.Mode != unix.S_IFDIR|0o555 || st.Nlink != 2 {
		t.Errorf("gen: mode %o nlink %d", st.Mode, st.Nlink)
	}
	st, _ = tr.fs.Root().Stat(root)
	if st.Nlink != 3 || st.Ino != 1 {
		t.Errorf("root: nlink %d ino %d", st.Nlink, st.Ino)
	}
}

func TestInodesStablePerPath(t *testing.T) {
	tr := newTree()
	gen, _ := tr.fs.Root().Lookup(root, "gen")
	ino := func(dir vfs.Inode, names ...string) uint64 {
		t.Helper()
		n := dir
		for _, name := range names {
			var err error
			if n, err = n.(vfs.DirInode).Lookup(root, name); err != nil {
				t.Fatal(err)
			}
		}
		st, _ := n.Stat(root)
		return st.Ino
	}
	a1, a2 := ino(gen, "a"), ino(gen, "a")
	b := ino(gen, "b")
	if a1 != a2 || a1 == b {
		t.Errorf("inode of gen/a: %d then %d; gen/b %d", a1, a2, b)
	}
	if ino(gen, "a", "name") == ino(gen, "b", "name") {
		t.Error("gen/a/name and gen/b/name share an inode number")
	}
	ents, _ := gen.(*Dir).ReadDir(root)
	if ents[0].Ino != a1 {
		t.Errorf("readdir gives gen/a inode %d, stat %d", ents[0].Ino, a1)
	}
}

func TestSnapshotAtOpen(t *testing.T) {
	tr := newTree()
	n, _ := tr.fs.Root().Lookup(root, "counter")
	f1, err := n.Open(root, unix.O_RDONLY)
	if err != nil {
		t.Fatal(err)
	}
	f2, _ := n.Open(root, unix.O_RDONLY)
	if a, b, again := read(t, f1), read(t, f2), read(t, f1); a != "1" || b != "2" || again != "1" {
		t.Errorf("reads %q %q %q, want each open's own snapshot", a, b, again)
	}
	st, _ := f1.Stat(root)
	if st.Mode != unix.S_IFREG|0o444 || st.Size != 0 {
		t.Errorf("mode %o size %d", st.Mode, st.Size)
	}
	if _, err := n.Open(root, unix.O_WRONLY); err != unix.EACCES {
		t.Errorf("opening a read-only file for writing: %v", err)
	}
}

func TestWritableFile(t *testing.T) {
	fs := New(Options{Name: "test", FileSize: 4096})
	var got string
	f := fs.NewFile(0o644, Static("x")).SetWrite(func(_ vfs.Context, b []byte) error {
		got = string(b)
		return nil
	})
	fs.Root().Add("w", f)
	impl, err := f.Open(root, unix.O_WRONLY)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := impl.(vfs.PositionalFile).PWrite(nil, []byte("hello"), 0); n != 5 || err != nil || got != "hello" {
		t.Errorf("write: %d %v %q", n, err, got)
	}
	if st, _ := f.Stat(root); st.Size != 4096 {
		t.Errorf("size %d, want the filesystem's 4096", st.Size)
	}
}

func TestWalkRevalidatesGenerated(t *testing.T) {
	tr := newTree()
	ns := vfs.NewMountNamespace(tr.fs, vfs.NewRoot(tr.fs.Root()), 0, "test", "rw")
	o := vfs.WalkOpts{Root: ns.Root(), Start: ns.Root(), FollowFinal: true}
	first, err := ns.Walk(root, "/gen/a/name", o)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := ns.Walk(root, "/gen/a/name", o)
	if first.Dentry != again.Dentry {
		t.Error("a valid generated child was not reused")
	}
	tr.kids = []string{"b"}
	if _, err := ns.Walk(root, "/gen/a/name", o); err != unix.ENOENT {
		t.Errorf("walk to a child that is gone: %v", err)
	}
	vd, err := ns.Walk(root, "/link", o)
	if err != nil {
		t.Fatal(err)
	}
	if vd.PathFrom(ns.Root()) != "/static" {
		t.Errorf("link leads to %s", vd.PathFrom(ns.Root()))
	}
}

func TestMagicLink(t *testing.T) {
	tr := newTree()
	ns := vfs.NewMountNamespace(tr.fs, vfs.NewRoot(tr.fs.Root()), 0, "test", "rw")
	o := vfs.WalkOpts{Root: ns.Root(), Start: ns.Root(), FollowFinal: true}
	target, _ := ns.Walk(root, "/static", o)
	tr.fs.Root().Add("magic", tr.fs.NewMagicLink(0o500, func(vfs.Context) (vfs.VirtualDentry, string, error) {
		return target, "elsewhere", nil
	}))
	vd, err := ns.Walk(root, "/magic", o)
	if err != nil || vd != target {
		t.Errorf("following the magic link: %v, %v", vd, err)
	}
	o.FollowFinal = false
	vd, _ = ns.Walk(root, "/magic", o)
	name, _ := vd.Inode().(vfs.SymlinkInode).Readlink(root)
	st, _ := vd.Inode().Stat(root)
	if name != "elsewhere" || st.Mode != unix.S_IFLNK|0o500 {
		t.Errorf("readlink %q mode %o", name, st.Mode)
	}
	o.Resolve = vfs.ResolveNoMagicLinks
	o.FollowFinal = true
	if _, err := ns.Walk(root, "/magic", o); err != unix.ELOOP {
		t.Errorf("RESOLVE_NO_MAGICLINKS: %v", err)
	}
}

func TestOwnerInherited(t *testing.T) {
	fs := New(Options{Name: "test"})
	d := fs.Root().Subdir("owned")
	d.SetOwner(func() (uint32, uint32) { return 1000, 100 })
	f := d.Add("f", fs.NewFile(0o444, Static("")))
	if st, _ := f.Stat(root); st.UID != 1000 || st.GID != 100 {
		t.Errorf("owner %d:%d, want the directory's", st.UID, st.GID)
	}
	if st, _ := fs.Root().Stat(root); st.UID != 0 {
		t.Errorf("root owned by %d", st.UID)
	}
}

func TestHostDir(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "sub"), 0o755)
	os.WriteFile(filepath.Join(dir, "sub", "f"), []byte("host fact\n"), 0o644)
	os.Symlink("sub/f", filepath.Join(dir, "l"))
	h, err := OpenHostDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	if b, err := h.ReadFile("sub/f"); err != nil || string(b) != "host fact\n" {
		t.Errorf("ReadFile: %q %v", b, err)
	}
	if l, err := h.Readlink("l"); err != nil || l != "sub/f" {
		t.Errorf("Readlink: %q %v", l, err)
	}
	if names, err := h.ReadDir("sub"); err != nil || !slices.Equal(names, []string{"f"}) {
		t.Errorf("ReadDir: %v %v", names, err)
	}
	if _, err := (HostDir{}).ReadFile("x"); err != unix.ENOENT {
		t.Errorf("the zero HostDir: %v", err)
	}
}
