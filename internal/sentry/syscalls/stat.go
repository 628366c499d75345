package syscalls

import (
	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/kernel"
	"github.com/moat-sandbox/moat/internal/sentry/vfs"
)

func init() {
	register(map[uintptr]Syscall{
		unix.SYS_STAT:       {Handler: Stat, Args: []Arg{APath, APtr}},
		unix.SYS_LSTAT:      {Handler: Lstat, Args: []Arg{APath, APtr}},
		unix.SYS_NEWFSTATAT: {Handler: Newfstatat, Args: []Arg{AFD, APath, APtr, AAtFlags}},
		unix.SYS_STATX:      {Handler: Statx, Args: []Arg{AFD, APath, AAtFlags, AHex, APtr}},
		unix.SYS_ACCESS:     {Handler: Access, Args: []Arg{APath, AOctal}},
		unix.SYS_FACCESSAT:  {Handler: Faccessat, Args: []Arg{AFD, APath, AOctal}},
		unix.SYS_FACCESSAT2: {Handler: Faccessat2, Args: []Arg{AFD, APath, AOctal, AAtFlags}},
		unix.SYS_READLINK:   {Handler: Readlink, Args: []Arg{APath, APtr, AUint}},
		unix.SYS_READLINKAT: {Handler: Readlinkat, Args: []Arg{AFD, APath, APtr, AUint}},
		unix.SYS_STATFS:     {Handler: Statfs, Args: []Arg{APath, APtr}},
		unix.SYS_FSTATFS:    {Handler: Fstatfs, Args: []Arg{AFD, APtr}},
	})
}

func statAt(t *kernel.Task, dirfd int32, pathAddr uintptr, flags int, out uintptr) (uintptr, error) {
	if flags&^(unix.AT_SYMLINK_NOFOLLOW|unix.AT_EMPTY_PATH|unix.AT_NO_AUTOMOUNT) != 0 {
		return 0, unix.EINVAL
	}
	vd, err := resolveAtFlags(t, dirfd, pathAddr, flags)
	if err != nil {
		return 0, err
	}
	st, err := vd.Inode().Stat(t)
	if err != nil {
		return 0, err
	}
	return 0, t.CopyOut(out, statBytes(&st))
}

// Stat implements stat(2).
func Stat(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	return statAt(t, unix.AT_FDCWD, a[0], 0, a[1])
}

// Lstat implements lstat(2).
func Lstat(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	return statAt(t, unix.AT_FDCWD, a[0], unix.AT_SYMLINK_NOFOLLOW, a[1])
}

// Newfstatat implements newfstatat(2).
func Newfstatat(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	path, err := copyInPath(t, a[1], true)
	if err != nil {
		return 0, err
	}
	if path == "" && int(a[3])&unix.AT_EMPTY_PATH != 0 && int32(a[0]) != unix.AT_FDCWD {
		// fstat of a file that has no path (a pipe, the inherited stdio).
		return Fstat(t, kernel.SyscallArgs{a[0], a[2]})
	}
	return statAt(t, int32(a[0]), a[1], int(a[3]), a[2])
}

// statx(2) mask bits.
const (
	statxBasicStats = 0x7ff
	statxBtime      = 0x800
	statxMntID      = 0x1000

	// atStatxSyncType is AT_STATX_SYNC_TYPE: FORCE_SYNC and DONT_SYNC.
	atStatxSyncType = 0x6000
)

// Statx implements statx(2).
func Statx(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	dirfd, pathAddr, flags, out := int32(a[0]), a[1], int(a[2]), a[4]
	const known = unix.AT_SYMLINK_NOFOLLOW | unix.AT_EMPTY_PATH | unix.AT_NO_AUTOMOUNT | atStatxSyncType
	if flags&^known != 0 || flags&atStatxSyncType == atStatxSyncType || uint32(a[3])&0x80000000 != 0 {
		return 0, unix.EINVAL
	}
	var st vfs.Stat
	var mntID uint64
	path, err := copyInPath(t, pathAddr, flags&unix.AT_EMPTY_PATH != 0)
	if err != nil {
		return 0, err
	}
	if path == "" && dirfd != unix.AT_FDCWD {
		f, err := getFile(t, uintptr(dirfd))
		if err != nil {
			return 0, err
		}
		defer f.DecRef()
		if st, err = f.Stat(t); err != nil {
			return 0, err
		}
		if vd := f.VirtualDentry(); vd.Ok() {
			mntID = uint64(vd.Mount.ID)
		}
	} else {
		vd, err := resolveAtFlags(t, dirfd, pathAddr, flags&^atStatxSyncType)
		if err != nil {
			return 0, err
		}
		if st, err = vd.Inode().Stat(t); err != nil {
			return 0, err
		}
		mntID = uint64(vd.Mount.ID)
	}
	b := make([]byte, 256)
	mask := uint32(statxBasicStats | statxMntID)
	if st.Btime.Sec != 0 || st.Btime.Nsec != 0 {
		mask |= statxBtime
	}
	le.PutUint32(b[0:], mask)
	le.PutUint32(b[4:], uint32(st.Blksize))
	le.PutUint32(b[16:], uint32(st.Nlink))
	le.PutUint32(b[20:], st.UID)
	le.PutUint32(b[24:], st.GID)
	le.PutUint16(b[28:], uint16(st.Mode))
	le.PutUint64(b[32:], st.Ino)
	le.PutUint64(b[40:], uint64(st.Size))
	le.PutUint64(b[48:], uint64(st.Blocks))
	for i, ts := range []unix.Timespec{st.Atime, st.Btime, st.Ctime, st.Mtime} {
		le.PutUint64(b[64+16*i:], uint64(ts.Sec))
		le.PutUint32(b[72+16*i:], uint32(ts.Nsec))
	}
	le.PutUint32(b[128:], unix.Major(st.Rdev))
	le.PutUint32(b[132:], unix.Minor(st.Rdev))
	le.PutUint32(b[136:], unix.Major(st.Dev))
	le.PutUint32(b[140:], unix.Minor(st.Dev))
	le.PutUint64(b[144:], mntID)
	return 0, t.CopyOut(out, b)
}

// accessAt implements the access family: checks with the real IDs unless
// AT_EACCESS.
func accessAt(t *kernel.Task, dirfd int32, pathAddr uintptr, mode uint32, flags int) (uintptr, error) {
	if mode&^7 != 0 || flags&^(unix.AT_EACCESS|unix.AT_SYMLINK_NOFOLLOW|unix.AT_EMPTY_PATH) != 0 {
		return 0, unix.EINVAL
	}
	vd, err := resolveAtFlags(t, dirfd, pathAddr, flags)
	if err != nil {
		return 0, err
	}
	if mode == 0 { // F_OK
		return 0, nil
	}
	st, err := vd.Inode().Stat(t)
	if err != nil {
		return 0, err
	}
	c := t.Creds()
	if flags&unix.AT_EACCESS == 0 {
		// access(2) asks about the real user: run the check as it.
		rc := c.Copy()
		rc.FilesystemUID, rc.FilesystemGID = c.RealUID, c.RealGID
		if c.RealUID != 0 {
			rc.Effective = rc.Ambient & rc.Permitted
		} else {
			rc.Effective = rc.Permitted
		}
		c = rc
	}
	if mode&vfs.MayWrite != 0 && vd.Mount.ReadOnly() && (st.IsRegular() || st.IsDir() || st.IsSymlink()) {
		return 0, unix.EROFS
	}
	return 0, vfs.Permission(c, &st, int(mode))
}

// Access implements access(2).
func Access(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	return accessAt(t, unix.AT_FDCWD, a[0], uint32(a[1]), 0)
}

// Faccessat implements faccessat(2) (the system call has no flags).
func Faccessat(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	return accessAt(t, int32(a[0]), a[1], uint32(a[2]), 0)
}

// Faccessat2 implements faccessat2(2).
func Faccessat2(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	return accessAt(t, int32(a[0]), a[1], uint32(a[2]), int(a[3]))
}

func readlinkAt(t *kernel.Task, dirfd int32, pathAddr, buf, size uintptr) (uintptr, error) {
	if int(size) <= 0 {
		return 0, unix.EINVAL
	}
	vd, err := resolveAtFlags(t, dirfd, pathAddr, unix.AT_SYMLINK_NOFOLLOW|unix.AT_EMPTY_PATH)
	if err != nil {
		return 0, err
	}
	l, ok := vd.Inode().(vfs.SymlinkInode)
	if !ok {
		return 0, unix.EINVAL
	}
	st, err := l.Stat(t)
	if err != nil {
		return 0, err
	}
	if !st.IsSymlink() {
		return 0, unix.EINVAL
	}
	target, err := l.Readlink(t)
	if err != nil {
		return 0, err
	}
	n := min(uintptr(len(target)), size)
	return n, t.CopyOut(buf, []byte(target[:n]))
}

// Readlink implements readlink(2).
func Readlink(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	if _, err := copyInPath(t, a[0], false); err != nil {
		return 0, err
	}
	return readlinkAt(t, unix.AT_FDCWD, a[0], a[1], a[2])
}

// Readlinkat implements readlinkat(2); an empty path reads the link dirfd
// was opened on (O_PATH|O_NOFOLLOW).
func Readlinkat(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	return readlinkAt(t, int32(a[0]), a[1], a[2], a[3])
}

func statfsOut(t *kernel.Task, vd vfs.VirtualDentry, out uintptr) (uintptr, error) {
	st, err := vd.Mount.FS.StatFS()
	if err != nil {
		return 0, err
	}
	b := make([]byte, 120)
	le.PutUint64(b[0:], uint64(st.Type))
	le.PutUint64(b[8:], uint64(st.Bsize))
	le.PutUint64(b[16:], st.Blocks)
	le.PutUint64(b[24:], st.Bfree)
	le.PutUint64(b[32:], st.Bavail)
	le.PutUint64(b[40:], st.Files)
	le.PutUint64(b[48:], st.Ffree)
	le.PutUint64(b[64:], uint64(st.Namelen))
	le.PutUint64(b[72:], uint64(st.Frsize))
	le.PutUint64(b[80:], uint64(vd.Mount.Flags)|0x20 /* ST_VALID */)
	return 0, t.CopyOut(out, b)
}

// Statfs implements statfs(2).
func Statfs(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	vd, err := resolveAtFlags(t, unix.AT_FDCWD, a[0], 0)
	if err != nil {
		return 0, err
	}
	return statfsOut(t, vd, a[1])
}

// Fstatfs implements fstatfs(2).
func Fstatfs(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	f, err := getFile(t, a[0])
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	vd := f.VirtualDentry()
	if !vd.Ok() {
		// Pipes and sockets: their pseudo filesystems.
		b := make([]byte, 120)
		le.PutUint64(b[0:], 0x50495045) // PIPEFS_MAGIC
		le.PutUint64(b[8:], 4096)
		le.PutUint64(b[64:], 255)
		le.PutUint64(b[72:], 4096)
		return 0, t.CopyOut(a[1], b)
	}
	return statfsOut(t, vd, a[1])
}
