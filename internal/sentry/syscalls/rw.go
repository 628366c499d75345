package syscalls

import (
	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/fs/inotify"
	"github.com/moat-sandbox/moat/internal/sentry/kernel"
	"github.com/moat-sandbox/moat/internal/sentry/vfs"
)

func init() {
	register(map[uintptr]Syscall{
		unix.SYS_PREAD64:  {Handler: Pread64, Args: []Arg{AFD, ABufOut, AUint, AInt}},
		unix.SYS_PWRITE64: {Handler: Pwrite64, Args: []Arg{AFD, ABufIn, AUint, AInt}},
		unix.SYS_PREADV:   {Handler: Preadv, Args: []Arg{AFD, APtr, AInt, AInt}},
		unix.SYS_PWRITEV:  {Handler: Pwritev, Args: []Arg{AFD, APtr, AInt, AInt}},
		unix.SYS_PREADV2:  {Handler: Preadv2, Args: []Arg{AFD, APtr, AInt, AInt, AInt, AHex}},
		unix.SYS_PWRITEV2: {Handler: Pwritev2, Args: []Arg{AFD, APtr, AInt, AInt, AInt, AHex}},
	})
}

// readableFile and writableFile fetch fd checked for the access.
func readableFile(t *kernel.Task, fd uintptr) (*vfs.File, error) {
	f, err := getFile(t, fd)
	if err != nil {
		return nil, err
	}
	if !f.Readable() {
		f.DecRef()
		return nil, unix.EBADF
	}
	if st, err := f.Stat(t); err == nil && st.IsDir() {
		f.DecRef()
		return nil, unix.EISDIR
	}
	return f, nil
}

func writableFile(t *kernel.Task, fd uintptr) (*vfs.File, error) {
	f, err := getFile(t, fd)
	if err != nil {
		return nil, err
	}
	if !f.Writable() {
		f.DecRef()
		return nil, unix.EBADF
	}
	return f, nil
}

// Pread64 implements pread64(2).
func Pread64(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	f, err := readableFile(t, a[0])
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	off := int64(a[3])
	if off < 0 {
		return 0, unix.EINVAL
	}
	count := min(a[2], maxRWCount)
	buf := make([]byte, min(count, ioChunk))
	n, err := f.PRead(t, buf, off)
	if n > 0 {
		inotify.Accessed(t, f)
		return uintptr(n), t.CopyOut(a[1], buf[:n])
	}
	return 0, err
}

// Pwrite64 implements pwrite64(2).
func Pwrite64(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	f, err := writableFile(t, a[0])
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	off := int64(a[3])
	if off < 0 {
		return 0, unix.EINVAL
	}
	count := min(a[2], maxRWCount)
	var done uintptr
	defer func() {
		if done > 0 {
			inotify.Modified(t, f)
		}
	}()
	buf := make([]byte, min(count, ioChunk))
	for done < count {
		chunk := buf[:min(count-done, ioChunk)]
		if err := t.CopyIn(a[1]+done, chunk); err != nil {
			if done > 0 {
				break
			}
			return 0, err
		}
		n, err := f.PWrite(t, chunk, off+int64(done))
		done += uintptr(n)
		if err != nil || n < len(chunk) {
			if done > 0 {
				break
			}
			return 0, err
		}
	}
	return done, nil
}

// preadv reads into iovecs at off, or at the file offset when off is -1.
// rwf are preadv2's flags (0 for the others), checked once there is
// something to read, as Linux does.
func preadv(t *kernel.Task, fd, iovAddr, iovCnt uintptr, off int64, rwf uintptr) (uintptr, error) {
	f, err := readableFile(t, fd)
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	if off < -1 {
		return 0, unix.EINVAL
	}
	iovs, total, err := copyInIovecs(t, iovAddr, iovCnt)
	if err != nil || total == 0 {
		return 0, err
	}
	if _, err := checkRWF(rwf); err != nil {
		return 0, err
	}
	buf := make([]byte, min(total, ioChunk))
	var n int
	if off == -1 {
		n, err = f.Read(t, buf)
	} else {
		n, err = f.PRead(t, buf, off)
	}
	if n <= 0 {
		return 0, err
	}
	inotify.Accessed(t, f)
	data := buf[:n]
	for _, v := range iovs {
		if len(data) == 0 {
			break
		}
		k := min(uintptr(len(data)), v.len)
		if err := t.CopyOut(v.base, data[:k]); err != nil {
			return 0, err
		}
		data = data[k:]
	}
	return uintptr(n), nil
}

// pwritev writes iovecs at off, or at the file offset when off is -1. The
// iovecs are gathered so that one write keeps its atomicity (PIPE_BUF)
// where the file gives one.
func pwritev(t *kernel.Task, fd, iovAddr, iovCnt uintptr, off int64, rwf uintptr) (uintptr, error) {
	f, err := writableFile(t, fd)
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	if off < -1 {
		return 0, unix.EINVAL
	}
	iovs, total, err := copyInIovecs(t, iovAddr, iovCnt)
	if err != nil || total == 0 {
		return 0, err
	}
	appendMode, err := checkRWF(rwf)
	if err != nil {
		return 0, err
	}
	var done uintptr
	defer func() {
		if done > 0 {
			inotify.Modified(t, f)
		}
	}()
	buf := make([]byte, 0, min(total, ioChunk))
	flush := func() (bool, error) {
		if len(buf) == 0 {
			return true, nil
		}
		var n int
		var err error
		if off == -1 {
			n, err = f.WriteAppend(t, buf, appendMode)
		} else {
			n, err = f.PWriteAppend(t, buf, off+int64(done), appendMode)
		}
		done += uintptr(n)
		full := n == len(buf)
		buf = buf[:0]
		return full && err == nil, err
	}
	for _, v := range iovs {
		for at := uintptr(0); at < v.len; {
			room := uintptr(cap(buf) - len(buf))
			if room == 0 {
				if ok, err := flush(); !ok {
					if done > 0 {
						return done, nil
					}
					return 0, err
				}
				continue
			}
			k := min(room, v.len-at)
			start := len(buf)
			buf = buf[:start+int(k)]
			if err := t.CopyIn(v.base+at, buf[start:]); err != nil {
				// A regular file takes what was copied before the fault; a
				// pipe or terminal drops the partly copied buffer, as Linux
				// does.
				buf = buf[:start]
				if st, serr := f.Stat(t); serr == nil && st.IsRegular() {
					flush()
				}
				if done > 0 {
					return done, nil
				}
				return 0, err
			}
			at += k
		}
	}
	if _, err := flush(); err != nil && done == 0 {
		return 0, err
	}
	return done, nil
}

// Readv implements readv(2).
func Readv(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	return preadv(t, a[0], a[1], a[2], -1, 0)
}

// Writev implements writev(2).
func Writev(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	return pwritev(t, a[0], a[1], a[2], -1, 0)
}

// RWF_* flags (linux/fs.h).
const (
	rwfHipri    = 0x01
	rwfDsync    = 0x02
	rwfSync     = 0x04
	rwfNowait   = 0x08
	rwfAppend   = 0x10
	rwfNoappend = 0x20
)

// rwfKnown are the RWF_* flags this kernel takes; the others (RWF_ATOMIC and
// RWF_DONTCACHE among them, which moat's files do not support) are
// EOPNOTSUPP, as Linux gives for them on files without the support.
const rwfKnown = rwfHipri | rwfDsync | rwfSync | rwfNowait | rwfAppend | rwfNoappend

// checkRWF checks preadv2/pwritev2 flags and says how a write appends.
// The others are hints here.
func checkRWF(rwf uintptr) (vfs.Append, error) {
	switch {
	case rwf&^rwfKnown != 0:
		return 0, unix.EOPNOTSUPP
	case rwf&(rwfAppend|rwfNoappend) == rwfAppend|rwfNoappend:
		return 0, unix.EINVAL
	case rwf&rwfAppend != 0:
		return vfs.AppendAlways, nil
	case rwf&rwfNoappend != 0:
		return vfs.AppendNever, nil
	}
	return vfs.AppendAsFlags, nil
}

// Preadv implements preadv(2).
func Preadv(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	if int64(a[3]) < 0 {
		return 0, unix.EINVAL
	}
	return preadv(t, a[0], a[1], a[2], int64(a[3]), 0)
}

// Pwritev implements pwritev(2).
func Pwritev(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	if int64(a[3]) < 0 {
		return 0, unix.EINVAL
	}
	return pwritev(t, a[0], a[1], a[2], int64(a[3]), 0)
}

// Preadv2 implements preadv2(2): fd, iov, iovcnt, pos_l, pos_h, flags; on
// 64-bit pos_l holds the whole offset, and -1 uses the file offset.
func Preadv2(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	return preadv(t, a[0], a[1], a[2], int64(a[3]), a[5])
}

// Pwritev2 implements pwritev2(2).
func Pwritev2(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	return pwritev(t, a[0], a[1], a[2], int64(a[3]), a[5])
}
