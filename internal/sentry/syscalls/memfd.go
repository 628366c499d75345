package syscalls

import (
	"sync"

	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/fs/tmpfs"
	"github.com/moat-sandbox/moat/internal/sentry/kernel"
	"github.com/moat-sandbox/moat/internal/sentry/linux"
	"github.com/moat-sandbox/moat/internal/sentry/vfs"
)

func init() {
	register(map[uintptr]Syscall{
		unix.SYS_MEMFD_CREATE: {Handler: MemfdCreate, Status: Partial,
			Note: "MFD_HUGETLB gives EINVAL; seals are enforced on write, ftruncate, fallocate and shared mappings (the host memfd carries the write seals) through the memfd's own description, not on chmod or reopens",
			Args: []Arg{APath, AHex}},
	})
}

// memfd_create flags.
const (
	mfdCloexec      = 0x1
	mfdAllowSealing = 0x2
	mfdHugetlb      = 0x4
	mfdNoexecSeal   = 0x8
	mfdExec         = 0x10
	// mfdNameMax is the longest name: NAME_MAX less "memfd:".
	mfdNameMax = 249

	pageSize = 4096
)

// allSeals are the F_SEAL_* bits F_ADD_SEALS knows.
const allSeals = unix.F_SEAL_SEAL | unix.F_SEAL_SHRINK | unix.F_SEAL_GROW | unix.F_SEAL_WRITE |
	unix.F_SEAL_FUTURE_WRITE | unix.F_SEAL_EXEC

// memfds is the tmpfs every memfd lives in, unlinked at once, as Linux
// keeps them in its internal shm mount: the path a memfd shows is
// "/memfd:NAME (deleted)".
var memfds struct {
	once sync.Once
	mu   sync.Mutex // serialises create-then-unlink of names
	fs   *tmpfs.FS
	root *tmpfs.Inode
	ns   *vfs.MountNamespace
}

func memfdMount() {
	memfds.once.Do(func() {
		memfds.fs, memfds.root = tmpfs.New("tmpfs", 0o1777, 0, 0)
		memfds.fs.Sealable = true
		memfds.ns = vfs.NewMountNamespace(memfds.fs, vfs.NewRoot(memfds.root), 0, "tmpfs", "rw")
	})
}

// MemfdCreate implements memfd_create(2).
func MemfdCreate(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	flags := uint(uint32(a[1]))
	if flags&mfdHugetlb != 0 {
		return 0, unix.EINVAL // no hugetlbfs in the Sentry
	}
	if flags&^uint(mfdCloexec|mfdAllowSealing|mfdNoexecSeal|mfdExec) != 0 ||
		flags&mfdExec != 0 && flags&mfdNoexecSeal != 0 {
		return 0, unix.EINVAL
	}
	name, err := t.CopyInString(a[0], mfdNameMax)
	if err == unix.ENAMETOOLONG {
		return 0, unix.EINVAL
	}
	if err != nil {
		return 0, err
	}
	memfdMount()
	mode := uint32(0o777)
	seals := uint32(unix.F_SEAL_SEAL)
	switch {
	case flags&mfdNoexecSeal != 0:
		mode = 0o666
		seals = unix.F_SEAL_EXEC
	case flags&mfdAllowSealing != 0:
		seals = 0
	}
	c := t.Creds()
	entry := "memfd:" + name
	memfds.mu.Lock()
	in, err := memfds.root.Create(t, entry, vfs.CreateOpts{Mode: unix.S_IFREG | mode, UID: c.FilesystemUID, GID: c.FilesystemGID})
	var vd vfs.VirtualDentry
	if err == nil {
		root := memfds.ns.Root()
		vd, err = memfds.ns.Lookup(t, root, entry)
		memfds.root.Unlink(t, entry)
		memfds.ns.Removed(root.Dentry, entry)
	}
	memfds.mu.Unlock()
	if err != nil {
		return 0, err
	}
	impl, err := in.Open(t, unix.O_RDWR)
	if err != nil {
		return 0, err
	}
	tin, _ := in.(*tmpfs.Inode)
	mf := &memfdFile{PositionalFile: impl.(vfs.PositionalFile), in: tin, seals: &memfdSeals{seals: seals}}
	f := vfs.NewFile(mf, vd, unix.O_RDWR|linux.O_LARGEFILE)
	defer f.DecRef()
	fd, err := t.FDTable().NewFD(f, 0, flags&mfdCloexec != 0, nofile(t))
	return uintptr(fd), err
}

// memfdSeals are a memfd's F_SEAL_* bits.
type memfdSeals struct {
	mu    sync.Mutex
	seals uint32
}

func (s *memfdSeals) get() uint32 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.seals
}

// memfdFile is an open memfd: a tmpfs file whose writes and size changes
// obey its seals.
type memfdFile struct {
	vfs.PositionalFile
	// in holds the host memfd, which mirrors the write seals.
	in    *tmpfs.Inode
	seals *memfdSeals
}

func (m *memfdFile) size(t vfs.Task) (int64, error) {
	st, err := m.Stat(t)
	return st.Size, err
}

// PWrite implements vfs.PositionalFile: F_SEAL_WRITE forbids writes,
// F_SEAL_GROW those past the end. Like Linux, which checks each page a
// write touches, a write crossing the end writes the whole pages before
// the page the end is in, and fails if there are none.
func (m *memfdFile) PWrite(t vfs.Task, src []byte, off int64) (int, error) {
	s := m.seals.get()
	if s&(unix.F_SEAL_WRITE|unix.F_SEAL_FUTURE_WRITE) != 0 && len(src) > 0 {
		return 0, unix.EPERM
	}
	if s&unix.F_SEAL_GROW != 0 && len(src) > 0 {
		size, err := m.size(t)
		if err != nil {
			return 0, err
		}
		if off < 0 {
			off = size // O_APPEND
		}
		if int64(len(src)) > size-off {
			ok := size&^(pageSize-1) - off
			if ok <= 0 {
				return 0, unix.EPERM
			}
			src = src[:ok]
		}
	}
	return m.PositionalFile.PWrite(t, src, off)
}

// Truncate implements vfs.Truncater under F_SEAL_SHRINK and F_SEAL_GROW.
func (m *memfdFile) Truncate(t vfs.Task, size int64) error {
	s := m.seals.get()
	cur, err := m.size(t)
	if err != nil {
		return err
	}
	if size < cur && s&unix.F_SEAL_SHRINK != 0 || size > cur && s&unix.F_SEAL_GROW != 0 {
		return unix.EPERM
	}
	tr, ok := m.PositionalFile.(vfs.Truncater)
	if !ok {
		return unix.EINVAL
	}
	return tr.Truncate(t, size)
}

// Allocate implements vfs.Allocater: growing needs no F_SEAL_GROW,
// punching holes no F_SEAL_WRITE.
func (m *memfdFile) Allocate(t vfs.Task, mode uint32, off, length int64) error {
	s := m.seals.get()
	if mode&unix.FALLOC_FL_PUNCH_HOLE != 0 && s&(unix.F_SEAL_WRITE|unix.F_SEAL_FUTURE_WRITE) != 0 {
		return unix.EPERM
	}
	if mode&unix.FALLOC_FL_KEEP_SIZE == 0 && s&unix.F_SEAL_GROW != 0 {
		cur, err := m.size(t)
		if err != nil {
			return err
		}
		if off+length > cur {
			return unix.EPERM
		}
	}
	al, ok := m.PositionalFile.(vfs.Allocater)
	if !ok {
		return unix.EOPNOTSUPP
	}
	return al.Allocate(t, mode, off, length)
}

// SeekData implements vfs.DataSeeker through the tmpfs file.
func (m *memfdFile) SeekData(whence int, off int64) (int64, error) {
	if ds, ok := m.PositionalFile.(vfs.DataSeeker); ok {
		return ds.SeekData(whence, off)
	}
	return 0, unix.ENXIO
}

// Sync implements vfs.Syncer.
func (m *memfdFile) Sync(t vfs.Task, dataOnly bool) error { return nil }

// HostFD and MappingName implement mm.Mappable through the tmpfs file.
func (m *memfdFile) HostFD() int {
	if h, ok := m.PositionalFile.(interface{ HostFD() int }); ok {
		return h.HostFD()
	}
	return -1
}

func (m *memfdFile) MappingName() string { return "" }

// addSeals implements F_ADD_SEALS.
func addSeals(t *kernel.Task, f *vfs.File, seals uint32) error {
	if !f.Writable() {
		return unix.EPERM
	}
	if seals&^allSeals != 0 {
		return unix.EINVAL
	}
	m, ok := f.Impl().(*memfdFile)
	if !ok {
		if tmpfsRegular(t, f) {
			return unix.EPERM // sealed from the start: F_SEAL_SEAL
		}
		return unix.EINVAL
	}
	m.seals.mu.Lock()
	defer m.seals.mu.Unlock()
	if m.seals.seals&unix.F_SEAL_SEAL != 0 {
		return unix.EPERM
	}
	// The write seals go to the host memfd too, which then checks the
	// stubs' mappings: a new F_SEAL_WRITE is EBUSY while a shared mapping
	// that could write exists, and sealed, shared writable mappings are
	// refused. The F_SEAL_WRITE that F_SEAL_EXEC implies below skips
	// Linux's mapping check, so the host gets only F_SEAL_FUTURE_WRITE
	// for it.
	host := seals & (unix.F_SEAL_WRITE | unix.F_SEAL_FUTURE_WRITE)
	if host&unix.F_SEAL_WRITE != 0 && m.seals.seals&unix.F_SEAL_WRITE != 0 {
		host &^= unix.F_SEAL_WRITE
	}
	// F_SEAL_EXEC on an executable memfd makes it W^X for good.
	if seals&unix.F_SEAL_EXEC != 0 {
		if st, err := f.Stat(t); err == nil && st.Mode&0o111 != 0 {
			seals |= unix.F_SEAL_SHRINK | unix.F_SEAL_GROW | unix.F_SEAL_WRITE | unix.F_SEAL_FUTURE_WRITE
			host |= unix.F_SEAL_FUTURE_WRITE
		}
	}
	if host != 0 && m.in != nil {
		if err := m.in.AddHostSeals(int(host)); err != nil {
			return err
		}
	}
	m.seals.seals |= seals
	return nil
}

// getSeals implements F_GET_SEALS.
func getSeals(t *kernel.Task, f *vfs.File) (uintptr, error) {
	if m, ok := f.Impl().(*memfdFile); ok {
		return uintptr(m.seals.get()), nil
	}
	if tmpfsRegular(t, f) {
		return unix.F_SEAL_SEAL, nil
	}
	return 0, unix.EINVAL
}

// tmpfsRegular reports a regular file of a tmpfs mount, which Linux's
// shmem gives seals (just F_SEAL_SEAL) too.
func tmpfsRegular(t *kernel.Task, f *vfs.File) bool {
	vd := f.VirtualDentry()
	if !vd.Ok() {
		return false
	}
	if _, ok := vd.Mount.FS.(*tmpfs.FS); !ok {
		return false
	}
	st, err := f.Stat(t)
	return err == nil && st.IsRegular()
}
