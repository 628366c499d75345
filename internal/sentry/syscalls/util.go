package syscalls

import (
	"encoding/binary"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/kernel"
	"github.com/moat-sandbox/moat/internal/sentry/vfs"
)

var le = binary.LittleEndian

// maxRWCount is MAX_RW_COUNT: Linux never moves more in one read or write.
const maxRWCount = 0x7ffff000

// ioChunk bounds the Sentry buffer one read or write goes through.
const ioChunk = 1 << 20

// getFile returns the file at fd with a reference the caller drops.
func getFile(t *kernel.Task, fd uintptr) (*vfs.File, error) {
	f, _, err := t.FDTable().Get(int32(fd))
	return f, err
}

// nofile is the task's RLIMIT_NOFILE.
func nofile(t *kernel.Task) uint64 {
	return t.ThreadGroup().Limits().Cur(unix.RLIMIT_NOFILE)
}

// copyInUint64 and copyOutUint64 move one 8-byte value.
func copyInUint64(t *kernel.Task, addr uintptr) (uint64, error) {
	var b [8]byte
	if err := t.CopyIn(addr, b[:]); err != nil {
		return 0, err
	}
	return le.Uint64(b[:]), nil
}

func copyOutUint64(t *kernel.Task, addr uintptr, v uint64) error {
	var b [8]byte
	le.PutUint64(b[:], v)
	return t.CopyOut(addr, b[:])
}

func copyInInt32(t *kernel.Task, addr uintptr) (int32, error) {
	var b [4]byte
	if err := t.CopyIn(addr, b[:]); err != nil {
		return 0, err
	}
	return int32(le.Uint32(b[:])), nil
}

func copyOutInt32(t *kernel.Task, addr uintptr, v int32) error {
	var b [4]byte
	le.PutUint32(b[:], uint32(v))
	return t.CopyOut(addr, b[:])
}

// copyInTimespec reads a struct timespec, checking it as nanosleep does.
func copyInTimespec(t *kernel.Task, addr uintptr) (unix.Timespec, error) {
	var b [16]byte
	if err := t.CopyIn(addr, b[:]); err != nil {
		return unix.Timespec{}, err
	}
	ts := unix.Timespec{Sec: int64(le.Uint64(b[0:])), Nsec: int64(le.Uint64(b[8:]))}
	if ts.Sec < 0 || ts.Nsec < 0 || ts.Nsec >= 1e9 {
		return ts, unix.EINVAL
	}
	return ts, nil
}

func copyOutTimespec(t *kernel.Task, addr uintptr, ts unix.Timespec) error {
	var b [16]byte
	le.PutUint64(b[0:], uint64(ts.Sec))
	le.PutUint64(b[8:], uint64(ts.Nsec))
	return t.CopyOut(addr, b[:])
}

func durationToTimespec(d time.Duration) unix.Timespec {
	if d < 0 {
		d = 0
	}
	return unix.NsecToTimespec(int64(d))
}

func timespecToDuration(ts unix.Timespec) time.Duration {
	const maxSec = int64(1<<63-1) / 1e9
	if ts.Sec >= maxSec {
		return time.Duration(1<<63 - 1)
	}
	return time.Duration(ts.Sec)*time.Second + time.Duration(ts.Nsec)
}

// copyInTimeval reads a struct timeval (setitimer, select).
func copyInTimeval(t *kernel.Task, addr uintptr) (unix.Timeval, error) {
	var b [16]byte
	if err := t.CopyIn(addr, b[:]); err != nil {
		return unix.Timeval{}, err
	}
	return unix.Timeval{Sec: int64(le.Uint64(b[0:])), Usec: int64(le.Uint64(b[8:]))}, nil
}

func copyOutTimeval(t *kernel.Task, addr uintptr, tv unix.Timeval) error {
	var b [16]byte
	le.PutUint64(b[0:], uint64(tv.Sec))
	le.PutUint64(b[8:], uint64(tv.Usec))
	return t.CopyOut(addr, b[:])
}

func durationToTimeval(d time.Duration) unix.Timeval {
	if d < 0 {
		d = 0
	}
	return unix.NsecToTimeval(int64(d))
}

// unsafePointer passes a Sentry variable to a raw host call.
func unsafePointer[T any](p *T) unsafe.Pointer { return unsafe.Pointer(p) }

var (
	nrCPUOnce sync.Once
	nrCPUIDs  int
)

// hostNrCPUIDs is the host's nr_cpu_ids: one more than the highest possible
// CPU number (/sys/devices/system/cpu/possible).
func hostNrCPUIDs() int {
	nrCPUOnce.Do(func() {
		nrCPUIDs = runtime.NumCPU()
		b, err := os.ReadFile("/sys/devices/system/cpu/possible")
		if err != nil {
			return
		}
		s := strings.TrimSpace(string(b))
		if i := strings.LastIndexAny(s, "-,"); i >= 0 {
			s = s[i+1:]
		}
		if n, err := strconv.Atoi(s); err == nil {
			nrCPUIDs = n + 1
		}
	})
	return nrCPUIDs
}
