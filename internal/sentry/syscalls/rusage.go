package syscalls

import (
	"time"

	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/kernel"
)

// Resource usage: getrusage(2) and times(2). CPU times are the host's
// accounting of the stub processes, so they count application code and
// not the Sentry's work on the application's behalf.

func init() {
	register(map[uintptr]Syscall{
		unix.SYS_GETRUSAGE: {Handler: Getrusage, Status: Partial, Args: []Arg{AInt, APtr},
			Note: "ru_utime, ru_stime and ru_maxrss only; the other fields are zero"},
		unix.SYS_TIMES: {Handler: Times, Args: []Arg{APtr}},
	})
}

// sizeofRusage is sizeof(struct rusage): two timevals and fourteen longs.
const sizeofRusage = 144

// userHZ is USER_HZ, the unit of clock_t.
const userHZ = 100

// Getrusage implements getrusage(2).
func Getrusage(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	who, addr := int32(a[0]), a[1]
	tg := t.ThreadGroup()
	var u kernel.Usage
	switch who {
	case unix.RUSAGE_SELF:
		u = tg.Usage()
	case unix.RUSAGE_THREAD:
		u = t.ThreadUsage()
		u.MaxRSS = tg.Usage().MaxRSS // the address space's, as Linux
	case unix.RUSAGE_CHILDREN:
		u = tg.ChildrenUsage()
	default:
		return 0, unix.EINVAL
	}
	b := marshalRusage(u)
	return 0, t.CopyOut(addr, b[:])
}

// marshalRusage lays u out as a struct rusage: ru_utime, ru_stime,
// ru_maxrss; the other fields are zero.
func marshalRusage(u kernel.Usage) [sizeofRusage]byte {
	var b [sizeofRusage]byte
	utime, stime := durationToTimeval(u.User), durationToTimeval(u.System)
	le.PutUint64(b[0:], uint64(utime.Sec))
	le.PutUint64(b[8:], uint64(utime.Usec))
	le.PutUint64(b[16:], uint64(stime.Sec))
	le.PutUint64(b[24:], uint64(stime.Usec))
	le.PutUint64(b[32:], uint64(u.MaxRSS))
	return b
}

// Times implements times(2). The result counts clock ticks since the
// sandbox's kernel started.
func Times(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	if addr := a[0]; addr != 0 {
		tg := t.ThreadGroup()
		self, children := tg.Usage(), tg.ChildrenUsage()
		var b [32]byte // struct tms: four clock_t
		le.PutUint64(b[0:], clockTicks(self.User))
		le.PutUint64(b[8:], clockTicks(self.System))
		le.PutUint64(b[16:], clockTicks(children.User))
		le.PutUint64(b[24:], clockTicks(children.System))
		if err := t.CopyOut(addr, b[:]); err != nil {
			return 0, err
		}
	}
	return uintptr(clockTicks(time.Since(t.Kernel().BootTime()))), nil
}

// clockTicks converts d to clock_t.
func clockTicks(d time.Duration) uint64 {
	if d < 0 {
		return 0
	}
	return uint64(d / (time.Second / userHZ))
}
