package proc

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// Facts about a process that only the host knows: how much of its memory
// is resident, how much CPU time it used, when it started, where it may
// run. The application's pages and threads are native, so the host
// process behind it (the stub) has the true figures.

// hostPath is the host /proc directory of a stub process or thread.
func hostPath(pid, tid int) string {
	if tid != 0 {
		return fmt.Sprintf("%d/task/%d", pid, tid)
	}
	return strconv.Itoa(pid)
}

// hostStat is /proc/PID/stat of a host process, split after the command.
type hostStat []string

// readHostStat reads the host's stat of pid (or of its thread tid).
func (p *procFS) readHostStat(pid, tid int) hostStat {
	if pid <= 0 {
		return nil
	}
	b, err := p.host.ReadFile(hostPath(pid, tid) + "/stat")
	if err != nil {
		return nil
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return nil
	}
	return strings.Fields(s[i+1:])
}

// field is field n of stat as proc(5) numbers them (1 is the PID), "0"
// when the host did not say.
func (s hostStat) field(n int) string {
	if i := n - 3; i >= 0 && i < len(s) {
		return s[i]
	}
	return "0"
}

// hostStatus is /proc/PID/status of a host process, by key.
type hostStatus map[string]string

func (p *procFS) readHostStatus(pid, tid int) hostStatus {
	st := hostStatus{}
	if pid <= 0 {
		return st
	}
	b, err := p.host.ReadFile(hostPath(pid, tid) + "/status")
	if err != nil {
		return st
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok {
			st[k] = v
		}
	}
	return st
}

// readHostStatm reads the host's statm of pid: size, resident, shared,
// text, lib, data, dt (pages).
func (p *procFS) readHostStatm(pid int) []uint64 {
	out := make([]uint64, 7)
	if pid <= 0 {
		return out
	}
	b, err := p.host.ReadFile(hostPath(pid, 0) + "/statm")
	if err != nil {
		return out
	}
	for i, f := range strings.Fields(string(b)) {
		if i < len(out) {
			out[i], _ = strconv.ParseUint(f, 10, 64)
		}
	}
	return out
}

// hostSmap is one mapping of the host's /proc/PID/smaps.
type hostSmap struct {
	start, end uint64
	keys       []string
	vals       map[string]string
}

// readHostSmaps reads the host's smaps of pid.
func (p *procFS) readHostSmaps(pid int, name string) []hostSmap {
	if pid <= 0 {
		return nil
	}
	b, err := p.host.ReadFile(hostPath(pid, 0) + "/" + name)
	if err != nil {
		return nil
	}
	var out []hostSmap
	for _, line := range strings.Split(string(b), "\n") {
		if line == "" {
			continue
		}
		if k, v, ok := strings.Cut(line, ":"); ok && !strings.Contains(k, " ") && !strings.Contains(k, "-") {
			if len(out) == 0 {
				continue
			}
			m := &out[len(out)-1]
			m.keys = append(m.keys, k)
			m.vals[k] = strings.TrimSpace(v)
			continue
		}
		// A mapping's header: "start-end perms offset dev inode name".
		r, _, _ := strings.Cut(line, " ")
		lo, hi, ok := strings.Cut(r, "-")
		if !ok {
			continue
		}
		s, err1 := strconv.ParseUint(lo, 16, 64)
		e, err2 := strconv.ParseUint(hi, 16, 64)
		if err1 != nil || err2 != nil {
			continue
		}
		out = append(out, hostSmap{start: s, end: e, vals: map[string]string{}})
	}
	return out
}

// kB parses a "N kB" value.
func kB(v string) (uint64, bool) {
	num, ok := strings.CutSuffix(v, " kB")
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseUint(strings.TrimSpace(num), 10, 64)
	return n, err == nil
}

// hostMapping is the file behind one mapping of the host's /proc/PID/maps.
type hostMapping struct {
	start, end uint64
	dev, ino   uint64
}

// readHostMaps reads the file identities of the host process's mappings,
// in address order.
func (p *procFS) readHostMaps(pid int) []hostMapping {
	if pid <= 0 {
		return nil
	}
	b, err := p.host.ReadFile(hostPath(pid, 0) + "/maps")
	if err != nil {
		return nil
	}
	var out []hostMapping
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 5 {
			continue
		}
		lo, hi, _ := strings.Cut(f[0], "-")
		maj, min, _ := strings.Cut(f[3], ":")
		var m hostMapping
		var errs [5]error
		m.start, errs[0] = strconv.ParseUint(lo, 16, 64)
		m.end, errs[1] = strconv.ParseUint(hi, 16, 64)
		ma, e2 := strconv.ParseUint(maj, 16, 32)
		mi, e3 := strconv.ParseUint(min, 16, 32)
		errs[2], errs[3] = e2, e3
		m.ino, errs[4] = strconv.ParseUint(f[4], 10, 64)
		if errs != [5]error{} {
			continue
		}
		m.dev = unix.Mkdev(uint32(ma), uint32(mi))
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].start < out[j].start })
	return out
}

// fileAt returns the dev and inode of the host mapping containing addr.
func fileAt(maps []hostMapping, addr uint64) (dev, ino uint64) {
	i := sort.Search(len(maps), func(i int) bool { return maps[i].end > addr })
	if i < len(maps) && maps[i].start <= addr {
		return maps[i].dev, maps[i].ino
	}
	return 0, 0
}
