package syscalls

import (
	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/fs/hostfd"
	"github.com/moat-sandbox/moat/internal/sentry/kernel"
	"github.com/moat-sandbox/moat/internal/sentry/vfs"
)

// System calls that flush files to storage.

const syncNote = "flushes nothing: the sandbox's writable layers are in memory, and writable host volumes are not flushed"

func init() {
	register(map[uintptr]Syscall{
		unix.SYS_FSYNC:           {Handler: Fsync, Args: []Arg{AFD}},
		unix.SYS_FDATASYNC:       {Handler: Fdatasync, Args: []Arg{AFD}},
		unix.SYS_SYNC:            {Handler: Sync, Status: Partial, Note: syncNote},
		unix.SYS_SYNCFS:          {Handler: Syncfs, Status: Partial, Note: syncNote, Args: []Arg{AFD}},
		unix.SYS_SYNC_FILE_RANGE: {Handler: SyncFileRange, Status: Partial, Note: "checks its arguments only: starts no write-out on writable host volumes", Args: []Arg{AFD, AInt, AInt, AHex}},
	})
}

// syncFile returns the open file fd for the sync calls: O_PATH descriptors
// do not count (EBADF).
func syncFile(t *kernel.Task, fd uintptr) (*vfs.File, error) {
	f, err := getFile(t, fd)
	if err != nil {
		return nil, err
	}
	if f.Flags()&unix.O_PATH != 0 {
		f.DecRef()
		return nil, unix.EBADF
	}
	return f, nil
}

func fsync(t *kernel.Task, fd uintptr, dataOnly bool) (uintptr, error) {
	f, err := syncFile(t, fd)
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	switch impl := f.Impl().(type) {
	case vfs.Syncer:
		return 0, impl.Sync(t, dataOnly)
	case vfs.DirFile:
		return 0, nil // directories have nothing of their own to flush here
	case *hostfd.File:
		// Stdio the caller gave: the host decides (EINVAL for a pipe or
		// a terminal, a real flush for a file).
		if dataOnly {
			return 0, unix.Fdatasync(impl.HostFD())
		}
		return 0, unix.Fsync(impl.HostFD())
	}
	// Pipes, sockets, character devices: nothing that can sync.
	return 0, unix.EINVAL
}

// Fsync implements fsync(2).
func Fsync(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	return fsync(t, a[0], false)
}

// Fdatasync implements fdatasync(2).
func Fdatasync(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	return fsync(t, a[0], true)
}

// Sync implements sync(2).
func Sync(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	return 0, nil
}

// Syncfs implements syncfs(2).
func Syncfs(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	f, err := syncFile(t, a[0])
	if err != nil {
		return 0, err
	}
	f.DecRef()
	return 0, nil
}

// sync_file_range(2) flags.
const syncFileRangeFlags = unix.SYNC_FILE_RANGE_WAIT_BEFORE | unix.SYNC_FILE_RANGE_WRITE | unix.SYNC_FILE_RANGE_WAIT_AFTER

// SyncFileRange implements sync_file_range(2): its checks, in Linux's
// order.
func SyncFileRange(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	off, n, flags := int64(a[1]), int64(a[2]), uint64(uint32(a[3]))
	f, err := syncFile(t, a[0])
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	if flags&^syncFileRangeFlags != 0 {
		return 0, unix.EINVAL
	}
	end := int64(uint64(off) + uint64(n))
	if off < 0 || end < 0 || end < off {
		return 0, unix.EINVAL
	}
	st, err := f.Stat(t)
	if err != nil {
		return 0, err
	}
	switch st.Type() {
	case unix.S_IFREG, unix.S_IFBLK, unix.S_IFDIR, unix.S_IFLNK:
		return 0, nil
	}
	return 0, unix.ESPIPE
}
