package syscalls

import (
	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/fs/pipe"
	"github.com/moat-sandbox/moat/internal/sentry/kernel"
	"github.com/moat-sandbox/moat/internal/sentry/vfs"
)

// The calls that move data between files without the application's
// memory. The Sentry moves it through its own buffers; what the
// application sees (counts, offsets, errnos, blocking) is Linux's.

func init() {
	register(map[uintptr]Syscall{
		unix.SYS_SENDFILE: {Handler: Sendfile, Status: Partial, Note: "an offset on inherited stdio that is a regular file gives ESPIPE",
			Args: []Arg{AFD, AFD, APtr, AUint}},
		unix.SYS_SPLICE: {Handler: Splice, Status: Partial, Note: "SPLICE_F_NONBLOCK does not apply to inherited stdio pipes",
			Args: []Arg{AFD, APtr, AFD, APtr, AUint, AHex}},
		unix.SYS_TEE:             {Handler: Tee, Status: Partial, Note: "inherited stdio pipes give EINVAL", Args: []Arg{AFD, AFD, AUint, AHex}},
		unix.SYS_COPY_FILE_RANGE: {Handler: CopyFileRange, Args: []Arg{AFD, APtr, AFD, APtr, AUint, AHex}},
	})
}

// spliceFlags are the SPLICE_F_* flags splice and tee accept. MOVE and
// MORE are hints; GIFT means something only to vmsplice.
const spliceFlags = unix.SPLICE_F_MOVE | unix.SPLICE_F_NONBLOCK | unix.SPLICE_F_MORE | unix.SPLICE_F_GIFT

// positional reports whether f reads and writes at offsets (FMODE_PREAD).
func positional(f *vfs.File) bool {
	_, ok := f.Impl().(vfs.PositionalFile)
	return ok
}

func isDir(t *kernel.Task, f *vfs.File) bool {
	st, err := f.Stat(t)
	return err == nil && st.IsDir()
}

// copyInOffset reads an loff_t argument, nil when addr is NULL.
func copyInOffset(t *kernel.Task, addr uintptr) (*int64, error) {
	if addr == 0 {
		return nil, nil
	}
	v, err := copyInUint64(t, addr)
	if err != nil {
		return nil, err
	}
	off := int64(v)
	return &off, nil
}

// reader reads f at *pos, moving *pos, or at f's offset when pos is nil.
func reader(t *kernel.Task, f *vfs.File, pos *int64) func([]byte) (int, error) {
	return func(b []byte) (int, error) {
		if pos == nil {
			return f.Read(t, b)
		}
		n, err := f.PRead(t, b, *pos)
		if n > 0 {
			*pos += int64(n)
		}
		return n, err
	}
}

// writer writes f at *pos, moving *pos, or at f's offset when pos is nil.
func writer(t *kernel.Task, f *vfs.File, pos *int64) func([]byte) (int, error) {
	return func(b []byte) (int, error) {
		if pos == nil {
			return f.Write(t, b)
		}
		n, err := f.PWrite(t, b, *pos)
		if n > 0 {
			*pos += int64(n)
		}
		return n, err
	}
}

// copyDirect copies up to count bytes from in at *inPos to out at *outPos
// (each nil for the file's offset) through a Sentry buffer, until the
// input ends or the output takes less than it was given. When in uses its
// offset and can seek, that offset moves by what out took, as Linux moves
// it; a stream input loses what out did not take.
func copyDirect(t *kernel.Task, in *vfs.File, inPos *int64, out *vfs.File, outPos *int64, count int64) (int64, error) {
	if inPos == nil && positional(in) {
		cur, err := in.Seek(t, 0, unix.SEEK_CUR)
		if err != nil {
			return 0, err
		}
		pos := cur
		n, err := copyDirect(t, in, &pos, out, outPos, count)
		if n > 0 {
			in.Seek(t, cur+n, unix.SEEK_SET)
		}
		return n, err
	}
	read, write := reader(t, in, inPos), writer(t, out, outPos)
	buf := make([]byte, min(count, ioChunk))
	var done int64
	for done < count {
		chunk := buf[:min(count-done, int64(len(buf)))]
		n, err := read(chunk)
		if n <= 0 {
			if done == 0 {
				return 0, err
			}
			break
		}
		w, err := write(chunk[:n])
		done += int64(max(w, 0))
		if err != nil {
			if done == 0 {
				return 0, err
			}
			break
		}
		if w < n {
			if inPos != nil {
				*inPos -= int64(n - w) // not consumed
			}
			break
		}
	}
	return done, nil
}

// Sendfile implements sendfile(2).
func Sendfile(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	outFD, inFD, offAddr, count := a[0], a[1], a[2], a[3]
	pos, err := copyInOffset(t, offAddr)
	if err != nil {
		return 0, err
	}
	n, err := sendfile(t, outFD, inFD, pos, count)
	if pos != nil {
		// Linux writes the offset back even when the call failed.
		if err := copyOutUint64(t, offAddr, uint64(*pos)); err != nil {
			return 0, err
		}
	}
	return n, err
}

func sendfile(t *kernel.Task, outFD, inFD uintptr, pos *int64, count uintptr) (uintptr, error) {
	in, err := getFile(t, inFD)
	if err != nil {
		return 0, err
	}
	defer in.DecRef()
	if !in.Readable() {
		return 0, unix.EBADF
	}
	if pos != nil {
		if !in.Seekable() {
			return 0, unix.ESPIPE
		}
		if *pos < 0 {
			return 0, unix.EINVAL
		}
	}
	if int64(count) < 0 {
		return 0, unix.EINVAL
	}
	count = min(count, maxRWCount)
	out, err := getFile(t, outFD)
	if err != nil {
		return 0, err
	}
	defer out.DecRef()
	if !out.Writable() {
		return 0, unix.EBADF
	}
	if op := pipeOf(out); op != nil || hostPipe(t, out) {
		// Into a pipe: one fill of its free room, as splice(2).
		if count == 0 {
			return 0, nil
		}
		if pipeOf(in) != nil || hostPipe(t, in) || isDir(t, in) {
			return 0, unix.EINVAL
		}
		p := pos
		if p == nil && positional(in) {
			cur, err := in.Seek(t, 0, unix.SEEK_CUR)
			if err != nil {
				return 0, err
			}
			p = &cur
		}
		var begin int64
		if p != nil {
			begin = *p
		}
		var n int
		if op != nil {
			n, err = op.SpliceIn(t, int(count), out.NonBlocking(), reader(t, in, p))
		} else {
			n, err = spliceHost(t, in, p, out, nil, int(count))
		}
		if p != nil {
			*p = begin + int64(n) // what went out, not what was read
			if pos == nil && n > 0 {
				in.Seek(t, *p, unix.SEEK_SET)
			}
		}
		return uintptr(n), err
	}
	if out.Flags()&unix.O_APPEND != 0 {
		return 0, unix.EINVAL
	}
	// The input must be seekable: sendfile will not drop a stream's data.
	if !in.Seekable() {
		return 0, unix.EINVAL
	}
	if count == 0 {
		return 0, nil
	}
	if isDir(t, in) {
		return 0, unix.EINVAL
	}
	n, err := copyDirect(t, in, pos, out, nil, int64(count))
	return uintptr(n), err
}

// Splice implements splice(2).
func Splice(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	inFD, offInAddr, outFD, offOutAddr, count, flags := a[0], a[1], a[2], a[3], a[4], uint32(a[5])
	if count == 0 {
		return 0, nil
	}
	if flags&^spliceFlags != 0 {
		return 0, unix.EINVAL
	}
	in, err := getFile(t, inFD)
	if err != nil {
		return 0, err
	}
	defer in.DecRef()
	out, err := getFile(t, outFD)
	if err != nil {
		return 0, err
	}
	defer out.DecRef()
	ip, op := pipeOf(in), pipeOf(out)
	hin, hout := ip == nil && hostPipe(t, in), op == nil && hostPipe(t, out)
	if (ip != nil || hin) && offInAddr != 0 || (op != nil || hout) && offOutAddr != 0 {
		return 0, unix.ESPIPE
	}
	offOut, err := copyInOffset(t, offOutAddr)
	if err != nil {
		return 0, err
	}
	offIn, err := copyInOffset(t, offInAddr)
	if err != nil {
		return 0, err
	}
	if !in.Readable() || !out.Writable() {
		return 0, unix.EBADF
	}
	count = min(count, maxRWCount)
	nonblock := flags&unix.SPLICE_F_NONBLOCK != 0
	var n int
	switch {
	case ip != nil && op != nil:
		if ip == op {
			return 0, unix.EINVAL
		}
		n, err = pipe.Splice(t, ip, op, int(count), nonblock || in.NonBlocking() || out.NonBlocking())
	case ip != nil:
		if offOut != nil && !positional(out) {
			return 0, unix.EINVAL
		}
		if out.Flags()&unix.O_APPEND != 0 || offOut != nil && *offOut < 0 {
			return 0, unix.EINVAL
		}
		n, err = ip.SpliceOut(t, int(count), nonblock || in.NonBlocking(), writer(t, out, offOut))
	case op != nil:
		if offIn != nil && (!positional(in) || *offIn < 0) {
			return 0, unix.EINVAL
		}
		if isDir(t, in) {
			return 0, unix.EINVAL
		}
		n, err = op.SpliceIn(t, int(count), nonblock || out.NonBlocking(), reader(t, in, offIn))
	case hin || hout:
		// A host pipe (stdio the sandbox was given) on either side: one
		// read's worth goes through a Sentry buffer.
		if !hin && (isDir(t, in) || offIn != nil && (!positional(in) || *offIn < 0)) ||
			!hout && (out.Flags()&unix.O_APPEND != 0 || offOut != nil && (!positional(out) || *offOut < 0)) {
			return 0, unix.EINVAL
		}
		n, err = spliceHost(t, in, offIn, out, offOut, int(count))
	default:
		return 0, unix.EINVAL
	}
	if err != nil {
		return 0, err
	}
	if offOut != nil {
		if err := copyOutUint64(t, offOutAddr, uint64(*offOut)); err != nil {
			return 0, err
		}
	}
	if offIn != nil {
		if err := copyOutUint64(t, offInAddr, uint64(*offIn)); err != nil {
			return 0, err
		}
	}
	return uintptr(n), nil
}

// hostPipe reports whether f is a host pipe the sandbox was given: the
// caller's stdio, when it is a pipe.
func hostPipe(t *kernel.Task, f *vfs.File) bool {
	if _, ok := f.Impl().(interface{ HostFD() int }); !ok || f.VirtualDentry().Ok() {
		return false
	}
	st, err := f.Stat(t)
	return err == nil && st.Type() == unix.S_IFIFO
}

// spliceHost moves what one read of in gives (at most a pipe's worth)
// to out, writing all of it.
func spliceHost(t *kernel.Task, in *vfs.File, offIn *int64, out *vfs.File, offOut *int64, count int) (int, error) {
	buf := make([]byte, min(count, pipe.DefaultSize))
	n, err := reader(t, in, offIn)(buf)
	if n <= 0 {
		return 0, err
	}
	write := writer(t, out, offOut)
	done := 0
	for done < n {
		w, err := write(buf[done:n])
		done += max(w, 0)
		if err != nil {
			if done == 0 {
				return 0, err
			}
			break
		}
		if w == 0 {
			break
		}
	}
	return done, nil
}

// Tee implements tee(2).
func Tee(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	inFD, outFD, count, flags := a[0], a[1], a[2], uint32(a[3])
	if flags&^spliceFlags != 0 {
		return 0, unix.EINVAL
	}
	if count == 0 {
		return 0, nil
	}
	in, err := getFile(t, inFD)
	if err != nil {
		return 0, err
	}
	defer in.DecRef()
	out, err := getFile(t, outFD)
	if err != nil {
		return 0, err
	}
	defer out.DecRef()
	if !in.Readable() || !out.Writable() {
		return 0, unix.EBADF
	}
	ip, op := pipeOf(in), pipeOf(out)
	if ip == nil || op == nil || ip == op {
		return 0, unix.EINVAL
	}
	nonblock := flags&unix.SPLICE_F_NONBLOCK != 0 || in.NonBlocking() || out.NonBlocking()
	n, err := pipe.Tee(t, ip, op, int(min(count, maxRWCount)), nonblock)
	return uintptr(n), err
}

// CopyFileRange implements copy_file_range(2): between regular files of
// one filesystem.
func CopyFileRange(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	inFD, offInAddr, outFD, offOutAddr, count, flags := a[0], a[1], a[2], a[3], a[4], uint32(a[5])
	in, err := getFile(t, inFD)
	if err != nil {
		return 0, err
	}
	defer in.DecRef()
	out, err := getFile(t, outFD)
	if err != nil {
		return 0, err
	}
	defer out.DecRef()
	offIn, err := copyInOffset(t, offInAddr)
	if err != nil {
		return 0, err
	}
	offOut, err := copyInOffset(t, offOutAddr)
	if err != nil {
		return 0, err
	}
	if flags != 0 {
		return 0, unix.EINVAL
	}
	inSt, err := in.Stat(t)
	if err != nil {
		return 0, err
	}
	outSt, err := out.Stat(t)
	if err != nil {
		return 0, err
	}
	if inSt.IsDir() || outSt.IsDir() {
		return 0, unix.EISDIR
	}
	if !inSt.IsRegular() || !outSt.IsRegular() || !positional(in) || !positional(out) {
		return 0, unix.EINVAL
	}
	if !in.Readable() || !out.Writable() || out.Flags()&unix.O_APPEND != 0 {
		return 0, unix.EBADF
	}
	ivd, ovd := in.VirtualDentry(), out.VirtualDentry()
	if !ivd.Ok() || !ovd.Ok() || ivd.Mount.FS != ovd.Mount.FS {
		return 0, unix.EXDEV
	}
	var posIn, posOut int64
	if offIn != nil {
		posIn = *offIn
	} else if posIn, err = in.Seek(t, 0, unix.SEEK_CUR); err != nil {
		return 0, err
	}
	if offOut != nil {
		posOut = *offOut
	} else if posOut, err = out.Seek(t, 0, unix.SEEK_CUR); err != nil {
		return 0, err
	}
	// The offsets must not wrap (compared as unsigned, as Linux does).
	if uint64(posIn)+uint64(count) < uint64(posIn) || uint64(posOut)+uint64(count) < uint64(posOut) {
		return 0, unix.EOVERFLOW
	}
	n := int64(0)
	if posIn >= 0 && posIn < inSt.Size {
		n = min(int64(min(count, maxRWCount)), inSt.Size-posIn)
	}
	if ivd.Inode() == ovd.Inode() && posOut+n > posIn && posOut < posIn+n {
		return 0, unix.EINVAL // overlapping ranges of one file
	}
	if posIn < 0 || posOut < 0 {
		return 0, unix.EINVAL
	}
	if n == 0 {
		return 0, nil
	}
	done, err := copyDirect(t, in, &posIn, out, &posOut, n)
	if done <= 0 {
		return 0, err
	}
	if offIn != nil {
		if err := copyOutUint64(t, offInAddr, uint64(posIn)); err != nil {
			return 0, err
		}
	} else {
		in.Seek(t, posIn, unix.SEEK_SET)
	}
	if offOut != nil {
		if err := copyOutUint64(t, offOutAddr, uint64(posOut)); err != nil {
			return 0, err
		}
	} else {
		out.Seek(t, posOut, unix.SEEK_SET)
	}
	return uintptr(done), nil
}
