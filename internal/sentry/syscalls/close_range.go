package syscalls

import (
	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/kernel"
)

// close_range(2) flags.
const (
	closeRangeUnshare = 1 << 1
	closeRangeCloexec = 1 << 2
)

func init() {
	register(map[uintptr]Syscall{
		unix.SYS_CLOSE_RANGE: {Handler: CloseRange, Status: Partial,
			Note: "CLOSE_RANGE_UNSHARE does not unshare a table shared with other tasks", Args: []Arg{AFD, AFD, AHex}},
	})
}

// CloseRange implements close_range(2).
func CloseRange(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	first, last, flags := uint32(a[0]), uint32(a[1]), uint32(a[2])
	if flags&^(closeRangeUnshare|closeRangeCloexec) != 0 || first > last {
		return 0, unix.EINVAL
	}
	t.FDTable().RemoveRange(first, last, flags&closeRangeCloexec != 0)
	return 0, nil
}
