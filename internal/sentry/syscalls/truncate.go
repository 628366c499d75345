package syscalls

import (
	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/auth"
	"github.com/moat-sandbox/moat/internal/sentry/fs/hostfd"
	"github.com/moat-sandbox/moat/internal/sentry/fs/inotify"
	"github.com/moat-sandbox/moat/internal/sentry/kernel"
	"github.com/moat-sandbox/moat/internal/sentry/linux"
	"github.com/moat-sandbox/moat/internal/sentry/vfs"
)

// System calls that change a file's size or its space: truncate,
// fallocate, and the fadvise hint.

func init() {
	register(map[uintptr]Syscall{
		unix.SYS_TRUNCATE:  {Handler: Truncate, Args: []Arg{APath, AInt}},
		unix.SYS_FTRUNCATE: {Handler: Ftruncate, Args: []Arg{AFD, AInt}},
		unix.SYS_FALLOCATE: {Handler: Fallocate, Args: []Arg{AFD, AHex, AInt, AInt}},
		unix.SYS_FADVISE64: {Handler: Fadvise64, Status: Partial, Note: "advice is checked and ignored", Args: []Arg{AFD, AInt, AInt, AInt}},
	})
}

// checkGrow applies RLIMIT_FSIZE to a file growing from size to newSize:
// past the limit the caller gets SIGXFSZ and EFBIG (Linux's
// inode_newsize_ok).
func checkGrow(t *kernel.Task, size, newSize int64) error {
	if newSize <= size {
		return nil
	}
	if lim := t.ThreadGroup().Limits().Cur(unix.RLIMIT_FSIZE); lim != unix.RLIM_INFINITY && uint64(newSize) > lim {
		t.SendSignal(userInfo(t, linux.SIGXFSZ, linux.SI_USER))
		return unix.EFBIG
	}
	return nil
}

// killPriv is the mode a regular file keeps when creds c change its data
// (truncate, write): without CAP_FSETID, S_ISUID goes, and S_ISGID when
// the file is group-executable or c is outside its group. ok reports
// whether the mode changes.
func killPriv(c *auth.Credentials, st *vfs.Stat) (mode uint32, ok bool) {
	if !st.IsRegular() || c.HasCap(vfs.CapFsetid) {
		return 0, false
	}
	old := st.Mode & 0o7777
	mode = old &^ unix.S_ISUID
	if old&unix.S_ISGID != 0 && (old&unix.S_IXGRP != 0 || !c.InGroupFS(st.GID)) {
		mode &^= unix.S_ISGID
	}
	return mode, mode != old
}

// Truncate implements truncate(2).
func Truncate(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	length := int64(a[1])
	if length < 0 {
		return 0, unix.EINVAL
	}
	vd, err := resolveAtFlags(t, unix.AT_FDCWD, a[0], 0)
	if err != nil {
		return 0, err
	}
	st, err := vd.Inode().Stat(t)
	if err != nil {
		return 0, err
	}
	if st.IsDir() {
		return 0, unix.EISDIR
	}
	if !st.IsRegular() {
		return 0, unix.EINVAL
	}
	if vd.Mount.ReadOnly() {
		return 0, unix.EROFS
	}
	if err := vfs.Permission(t.Creds(), &st, vfs.MayWrite); err != nil {
		return 0, err
	}
	if err := checkGrow(t, st.Size, length); err != nil {
		return 0, err
	}
	var o vfs.SetStatOpts
	// Unlike ftruncate, truncate to the same size changes nothing, not
	// even the times.
	if length != st.Size {
		o.Size = &length
	}
	if mode, ok := killPriv(t.Creds(), &st); ok {
		o.Mode = &mode
	}
	if o.Size == nil && o.Mode == nil {
		return 0, nil
	}
	return 0, pathTarget(vd).set(t, o)
}

// Ftruncate implements ftruncate(2).
func Ftruncate(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	length := int64(a[1])
	if length < 0 {
		return 0, unix.EINVAL
	}
	f, err := getFile(t, a[0])
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	if f.Flags()&unix.O_PATH != 0 {
		return 0, unix.EBADF
	}
	st, err := f.Stat(t)
	if err != nil {
		return 0, err
	}
	if !st.IsRegular() || !f.Writable() {
		return 0, unix.EINVAL
	}
	if err := checkGrow(t, st.Size, length); err != nil {
		return 0, err
	}
	vd := f.VirtualDentry()
	switch impl := f.Impl().(type) {
	case vfs.Truncater:
		if err = impl.Truncate(t, length); err == nil {
			inotify.Modified(t, f)
		}
	case *hostfd.File:
		// A regular file the caller gave the sandbox as stdio.
		err = unix.Ftruncate(impl.HostFD(), length)
	default: // set reports the change to inotify
		if !vd.Ok() {
			return 0, unix.EINVAL
		}
		err = pathTarget(vd).set(t, vfs.SetStatOpts{Size: &length})
	}
	if err != nil {
		return 0, err
	}
	if mode, ok := killPriv(t.Creds(), &st); ok && vd.Ok() {
		pathTarget(vd).set(t, vfs.SetStatOpts{Mode: &mode})
	}
	return 0, nil
}

// fallocate(2) modes.
const (
	fallocKeepSize      = 0x01
	fallocPunchHole     = 0x02
	fallocCollapseRange = 0x08
	fallocZeroRange     = 0x10
	fallocInsertRange   = 0x20
	fallocUnshareRange  = 0x40
	fallocWriteZeroes   = 0x80
	fallocModeMask      = fallocPunchHole | fallocCollapseRange | fallocZeroRange |
		fallocInsertRange | fallocUnshareRange | fallocWriteZeroes
)

// Fallocate implements fallocate(2), with the checks in Linux's order.
func Fallocate(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	mode, off, length := uint32(a[1]), int64(a[2]), int64(a[3])
	f, err := getFile(t, a[0])
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	if f.Flags()&unix.O_PATH != 0 {
		return 0, unix.EBADF
	}
	if off < 0 || length <= 0 {
		return 0, unix.EINVAL
	}
	if mode&^(fallocModeMask|fallocKeepSize) != 0 {
		return 0, unix.EOPNOTSUPP
	}
	switch mode & fallocModeMask {
	case 0, fallocUnshareRange, fallocZeroRange:
	case fallocPunchHole:
		if mode&fallocKeepSize == 0 {
			return 0, unix.EOPNOTSUPP
		}
	case fallocCollapseRange, fallocInsertRange, fallocWriteZeroes:
		if mode&fallocKeepSize != 0 {
			return 0, unix.EOPNOTSUPP
		}
	default:
		return 0, unix.EOPNOTSUPP
	}
	if !f.Writable() {
		return 0, unix.EBADF
	}
	st, err := f.Stat(t)
	if err != nil {
		return 0, err
	}
	switch st.Type() {
	case unix.S_IFIFO:
		return 0, unix.ESPIPE
	case unix.S_IFDIR:
		return 0, unix.EISDIR
	case unix.S_IFREG, unix.S_IFBLK:
	default:
		return 0, unix.ENODEV
	}
	end := off + length
	if end < off {
		return 0, unix.EFBIG
	}
	if m := mode & fallocModeMask; mode&fallocKeepSize == 0 && (m == 0 || m == fallocZeroRange) {
		if err := checkGrow(t, st.Size, end); err != nil {
			return 0, err
		}
	}
	if h, ok := f.Impl().(*hostfd.File); ok {
		// A regular file the caller gave the sandbox as stdio.
		return 0, unix.Fallocate(h.HostFD(), mode, off, length)
	}
	alloc, ok := f.Impl().(vfs.Allocater)
	if !ok {
		return 0, unix.EOPNOTSUPP
	}
	err = alloc.Allocate(t, mode, off, length)
	if err == unix.EOPNOTSUPP && mode&fallocModeMask == fallocZeroRange && zeroRangeByPunch(f) {
		err = alloc.Allocate(t, fallocPunchHole|fallocKeepSize, off, length)
		if err == nil {
			err = alloc.Allocate(t, mode&fallocKeepSize, off, length)
		}
	}
	if err == nil {
		inotify.Modified(t, f)
	}
	return 0, err
}

// zeroRangeByPunch reports whether f's filesystem does ZERO_RANGE as a hole
// punch and an allocation. The overlay keeps its writable layer in memory
// (tmpfs, which has no ZERO_RANGE) but stands in for the host's disk
// filesystem, which has it. A tmpfs mount stays a tmpfs: EOPNOTSUPP, as
// on Linux.
func zeroRangeByPunch(f *vfs.File) bool {
	vd := f.VirtualDentry()
	return vd.Ok() && vd.Mount.FS.Name() == "overlay"
}

// posix_fadvise advice values.
const fadvNoreuse = 5

// Fadvise64 implements fadvise64(2). The Sentry keeps no page cache of its
// own, so after its checks the advice changes nothing.
func Fadvise64(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	length, advice := int64(a[2]), int32(a[3])
	f, err := getFile(t, a[0])
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	if f.Flags()&unix.O_PATH != 0 {
		return 0, unix.EBADF
	}
	st, err := f.Stat(t)
	if err != nil {
		return 0, err
	}
	if st.Type() == unix.S_IFIFO {
		return 0, unix.ESPIPE
	}
	if length < 0 || advice < 0 || advice > fadvNoreuse {
		return 0, unix.EINVAL
	}
	return 0, nil
}
