package kernel

import (
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// CPU clock kinds, as clock_getcpuclockid(3) encodes them.
const (
	CPUClockProf  = 0 // user + system
	CPUClockVirt  = 1 // user
	CPUClockSched = 2 // scheduler run time
)

// ReadCPUClock reads the CPU time of a host process (perThread false) or
// thread. A process clock is the host's own; a thread clock the host gives
// only to its own thread group, so it is read from /proc: schedstat
// (nanoseconds) or stat (clock ticks).
func ReadCPUClock(pid, tid, kind int, perThread bool) (time.Duration, error) {
	if !perThread {
		var ts unix.Timespec
		if err := unix.ClockGettime((^int32(pid))<<3|int32(kind), &ts); err != nil {
			return 0, unix.EINVAL
		}
		return time.Duration(ts.Nano()), nil
	}
	base := "/proc/" + strconv.Itoa(pid) + "/task/" + strconv.Itoa(tid)
	if kind == CPUClockSched {
		b, err := os.ReadFile(base + "/schedstat")
		if err != nil {
			return 0, unix.EINVAL
		}
		f := strings.Fields(string(b))
		if len(f) < 1 {
			return 0, unix.EINVAL
		}
		ns, _ := strconv.ParseInt(f[0], 10, 64)
		return time.Duration(ns), nil
	}
	utime, stime, err := hostStatTimes(base + "/stat")
	if err != nil {
		return 0, err
	}
	if kind == CPUClockProf {
		return utime + stime, nil
	}
	return utime, nil
}

// hostStatTimes reads utime and stime from a host /proc stat file.
func hostStatTimes(path string) (utime, stime time.Duration, err error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, 0, unix.EINVAL
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0, 0, unix.EINVAL
	}
	const tick = time.Second / 100 // USER_HZ
	u, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(u) * tick, time.Duration(st) * tick, nil
}

// CPUTime returns the group's CPU time of the given kind.
func (tg *ThreadGroup) CPUTime(kind int) time.Duration {
	tg.mu.Lock()
	proc := tg.proc
	tg.mu.Unlock()
	if proc == nil {
		return 0
	}
	d, _ := ReadCPUClock(proc.HostPID(), 0, kind, false)
	return d
}

// Usage is CPU time split as getrusage reports it.
type Usage struct {
	User, System time.Duration
	MaxRSS       int64 // KiB
}

// Usage returns the group's CPU use so far.
func (tg *ThreadGroup) Usage() Usage {
	tg.mu.Lock()
	proc := tg.proc
	tg.mu.Unlock()
	if proc == nil {
		return Usage{}
	}
	return hostUsage(proc.HostPID())
}

func hostUsage(pid int) Usage {
	var u Usage
	u.User, u.System, _ = hostStatTimes("/proc/" + strconv.Itoa(pid) + "/stat")
	if b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
				kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
				u.MaxRSS = kb
			}
		}
	}
	return u
}

// ThreadUsage returns the task's own CPU use.
func (t *Task) ThreadUsage() Usage {
	pid, tid := t.HostIDs()
	var u Usage
	u.User, u.System, _ = hostStatTimes("/proc/" + strconv.Itoa(pid) + "/task/" + strconv.Itoa(tid) + "/stat")
	return u
}

// ChildrenUsage is the CPU use of the group's waited-for children.
func (tg *ThreadGroup) ChildrenUsage() Usage {
	tg.k.mu.Lock()
	defer tg.k.mu.Unlock()
	return tg.tree.childUsage
}
