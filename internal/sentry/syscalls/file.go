package syscalls

import (
	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/fs/inotify"
	"github.com/moat-sandbox/moat/internal/sentry/kernel"
	"github.com/moat-sandbox/moat/internal/sentry/vfs"
)

func init() {
	register(map[uintptr]Syscall{
		unix.SYS_READ:   {Handler: Read, Args: []Arg{AFD, ABufOut, AUint}},
		unix.SYS_WRITE:  {Handler: Write, Args: []Arg{AFD, ABufIn, AUint}},
		unix.SYS_READV:  {Handler: Readv, Args: []Arg{AFD, APtr, AInt}},
		unix.SYS_WRITEV: {Handler: Writev, Args: []Arg{AFD, APtr, AInt}},
		unix.SYS_CLOSE:  {Handler: Close, Args: []Arg{AFD}},
		unix.SYS_DUP:    {Handler: Dup, Args: []Arg{AFD}},
		unix.SYS_DUP2:   {Handler: Dup2, Args: []Arg{AFD, AFD}},
		unix.SYS_DUP3:   {Handler: Dup3, Args: []Arg{AFD, AFD, AHex}},
		unix.SYS_FCNTL:  {Handler: Fcntl, Status: Partial, Note: "no F_NOTIFY, F_DUPFD_QUERY; leases are never granted; F_SETOWN/F_SETSIG are kept but no SIGIO is sent", Args: []Arg{AFD, AInt, AHex}},
		unix.SYS_IOCTL:  {Handler: Ioctl, Status: Partial, Note: "FIOCLEX, FIONCLEX, FIONBIO, FIOASYNC (the flag is kept; no SIGIO is sent), FIONREAD (regular files, pipes) and terminal requests on host terminals", Args: []Arg{AFD, AHex, AHex}},
		unix.SYS_FSTAT:  {Handler: Fstat, Args: []Arg{AFD, APtr}},
		unix.SYS_LSEEK:  {Handler: Lseek, Args: []Arg{AFD, AInt, AWhence}},
	})
}

// Read implements read(2).
func Read(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	f, err := getFile(t, a[0])
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	if !f.Readable() {
		return 0, unix.EBADF
	}
	count := min(a[2], maxRWCount)
	if count == 0 {
		return 0, f.ZeroRead(t)
	}
	buf := make([]byte, min(count, ioChunk))
	n, err := f.Read(t, buf)
	if n > 0 {
		inotify.Accessed(t, f)
		if err := t.CopyOut(a[1], buf[:n]); err != nil {
			return 0, err
		}
		return uintptr(n), nil
	}
	return 0, err
}

// Write implements write(2).
func Write(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	f, err := getFile(t, a[0])
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	if !f.Writable() {
		return 0, unix.EBADF
	}
	n, err := writeFrom(t, f, a[1], min(a[2], maxRWCount))
	if n > 0 {
		inotify.Modified(t, f)
	}
	return n, err
}

// writeFrom writes count bytes at addr to f in chunks: a fault after the
// first chunk ends the write short, as on Linux.
func writeFrom(t *kernel.Task, f *vfs.File, addr, count uintptr) (uintptr, error) {
	var done uintptr
	buf := make([]byte, min(count, ioChunk))
	for done < count {
		chunk := buf[:min(count-done, ioChunk)]
		if err := t.CopyIn(addr+done, chunk); err != nil {
			if done > 0 {
				return done, nil
			}
			return 0, err
		}
		n, err := f.Write(t, chunk)
		done += uintptr(n)
		if err != nil {
			if done > 0 {
				return done, nil
			}
			return 0, err
		}
		if n < len(chunk) {
			break
		}
	}
	return done, nil
}

// iovec is a struct iovec.
type iovec struct {
	base, len uintptr
}

// copyInIovecs reads an iovec array (UIO_MAXIOV entries at most) and caps
// the total at MAX_RW_COUNT.
func copyInIovecs(t *kernel.Task, addr uintptr, count uintptr) ([]iovec, uintptr, error) {
	const uioMaxIOV = 1024
	if int(count) < 0 || count > uioMaxIOV {
		return nil, 0, unix.EINVAL
	}
	if count == 0 {
		return nil, 0, nil
	}
	raw := make([]byte, 16*count)
	if err := t.CopyIn(addr, raw); err != nil {
		return nil, 0, err
	}
	iovs := make([]iovec, count)
	var total uintptr
	for i := range iovs {
		iovs[i] = iovec{uintptr(le.Uint64(raw[16*i:])), uintptr(le.Uint64(raw[16*i+8:]))}
		if int64(iovs[i].len) < 0 {
			return nil, 0, unix.EINVAL
		}
		if iovs[i].len > maxRWCount-total {
			iovs[i].len = maxRWCount - total
		}
		total += iovs[i].len
	}
	return iovs, total, nil
}

// Close implements close(2).
func Close(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	return 0, t.FDTable().Remove(int32(a[0]))
}

// Dup implements dup(2).
func Dup(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	f, err := getFile(t, a[0])
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	fd, err := t.FDTable().NewFD(f, 0, false, nofile(t))
	return uintptr(fd), err
}

// Dup2 implements dup2(2).
func Dup2(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	f, err := getFile(t, a[0])
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	if int32(a[0]) == int32(a[1]) {
		return uintptr(int32(a[1])), nil
	}
	return uintptr(int32(a[1])), t.FDTable().SetFD(int32(a[1]), f, false, nofile(t))
}

// Dup3 implements dup3(2).
func Dup3(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	if a[2]&^unix.O_CLOEXEC != 0 || int32(a[0]) == int32(a[1]) {
		return 0, unix.EINVAL
	}
	f, err := getFile(t, a[0])
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	return uintptr(int32(a[1])), t.FDTable().SetFD(int32(a[1]), f, a[2]&unix.O_CLOEXEC != 0, nofile(t))
}

// Fcntl implements fcntl(2).
func Fcntl(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	f, cloexec, err := t.FDTable().Get(int32(a[0]))
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	cmd := int(a[1])
	if f.Flags()&unix.O_PATH != 0 {
		switch cmd {
		case unix.F_DUPFD, unix.F_DUPFD_CLOEXEC, unix.F_GETFD, unix.F_SETFD, unix.F_GETFL:
		default:
			return 0, unix.EBADF // an O_PATH fd has no file to act on
		}
	}
	switch cmd {
	case unix.F_DUPFD, unix.F_DUPFD_CLOEXEC:
		min := int32(a[2])
		if min < 0 || uint64(min) >= nofile(t) {
			return 0, unix.EINVAL
		}
		fd, err := t.FDTable().NewFD(f, min, cmd == unix.F_DUPFD_CLOEXEC, nofile(t))
		return uintptr(fd), err
	case unix.F_GETFD:
		if cloexec {
			return unix.FD_CLOEXEC, nil
		}
		return 0, nil
	case unix.F_SETFD:
		return 0, t.FDTable().SetCloexec(int32(a[0]), a[2]&unix.FD_CLOEXEC != 0)
	case unix.F_GETFL:
		return uintptr(f.Flags()), nil
	case unix.F_SETFL:
		setStatusFlags(f, int(a[2]))
		return 0, nil
	case unix.F_GETLK, unix.F_SETLK, unix.F_SETLKW, unix.F_OFD_GETLK, unix.F_OFD_SETLK, unix.F_OFD_SETLKW:
		return 0, fcntlLock(t, f, cmd, a[2])
	case unix.F_GETPIPE_SZ, unix.F_SETPIPE_SZ:
		p := pipeOf(f)
		if p == nil {
			return hostPipeSize(t, f, cmd, uint32(a[2]))
		}
		if cmd == unix.F_GETPIPE_SZ {
			return uintptr(p.Size()), nil
		}
		n, err := p.SetSize(t, uint64(uint32(a[2])))
		return uintptr(n), err
	case unix.F_ADD_SEALS:
		return 0, addSeals(t, f, uint32(a[2]))
	case unix.F_GET_SEALS:
		return getSeals(t, f)
	case unix.F_GETOWN, unix.F_SETOWN, unix.F_GETOWN_EX, unix.F_SETOWN_EX, unix.F_GETSIG, unix.F_SETSIG:
		return fcntlAsync(t, f, cmd, a[2])
	case unix.F_GETLEASE, unix.F_SETLEASE:
		return fcntlLease(t, f, cmd, a[2])
	}
	return 0, unix.EINVAL
}

// Ioctl implements ioctl(2).
func Ioctl(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	f, err := getOpenFile(t, a[0])
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	switch uint32(a[1]) {
	case fioclex:
		return 0, t.FDTable().SetCloexec(int32(a[0]), true)
	case fionclex:
		return 0, t.FDTable().SetCloexec(int32(a[0]), false)
	case fionbio:
		v, err := copyInInt32(t, a[2])
		if err != nil {
			return 0, err
		}
		fl := f.Flags() &^ unix.O_NONBLOCK
		if v != 0 {
			fl |= unix.O_NONBLOCK
		}
		setStatusFlags(f, fl)
		return 0, nil
	case fioasync:
		// O_ASYNC is recorded, as F_SETFL records it; no SIGIO follows.
		v, err := copyInInt32(t, a[2])
		if err != nil {
			return 0, err
		}
		fl := f.Flags() &^ unix.O_ASYNC
		if v != 0 {
			fl |= unix.O_ASYNC
		}
		setStatusFlags(f, fl)
		return 0, nil
	case fionread:
		// A regular file has its size less the offset waiting (negative
		// past the end); other files answer for themselves.
		if st, err := f.Stat(t); err == nil && st.IsRegular() {
			var off int64
			if f.Seekable() {
				if off, err = f.Seek(t, 0, unix.SEEK_CUR); err != nil {
					return 0, err
				}
			}
			return 0, copyOutInt32(t, a[2], int32(st.Size-off))
		}
	}
	return f.Ioctl(t, uintptr(uint32(a[1])), a[2])
}

// statBytes encodes struct stat as the application sees it (x86-64, 144
// bytes).
func statBytes(st *vfs.Stat) []byte {
	b := make([]byte, 144)
	le.PutUint64(b[0:], st.Dev)
	le.PutUint64(b[8:], st.Ino)
	le.PutUint64(b[16:], st.Nlink)
	le.PutUint32(b[24:], st.Mode)
	le.PutUint32(b[28:], st.UID)
	le.PutUint32(b[32:], st.GID)
	le.PutUint64(b[40:], st.Rdev)
	le.PutUint64(b[48:], uint64(st.Size))
	le.PutUint64(b[56:], uint64(st.Blksize))
	le.PutUint64(b[64:], uint64(st.Blocks))
	for i, ts := range []unix.Timespec{st.Atime, st.Mtime, st.Ctime} {
		le.PutUint64(b[72+16*i:], uint64(ts.Sec))
		le.PutUint64(b[80+16*i:], uint64(ts.Nsec))
	}
	return b
}

// Fstat implements fstat(2).
func Fstat(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	f, err := getFile(t, a[0])
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	st, err := f.Stat(t)
	if err != nil {
		return 0, err
	}
	return 0, t.CopyOut(a[1], statBytes(&st))
}

// getOpenFile is getFile for the calls Linux reaches through fdget (not
// fdget_raw): to them an O_PATH descriptor is EBADF, before any other check.
func getOpenFile(t *kernel.Task, fd uintptr) (*vfs.File, error) {
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

// Lseek implements lseek(2).
func Lseek(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	f, err := getOpenFile(t, a[0])
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	if a[2] > unix.SEEK_HOLE {
		return 0, unix.EINVAL
	}
	off, err := f.Seek(t, int64(a[1]), int(a[2]))
	return uintptr(off), err
}

// Generic ioctl requests (ioctl_list(2)).
const (
	fionbio  = 0x5421
	fioasync = 0x5452
	fionclex = 0x5450
	fioclex  = 0x5451
)
