package ptrace

import (
	"sync"

	"golang.org/x/sys/unix"
)

// Each application thread and the Sentry thread that traces it are pinned to
// the same CPU. Measured on the 2-vCPU development VM: a PTRACE_SYSEMU round
// trip costs about 15 µs with the pair on one CPU and 90–130 µs when the host
// scheduler is left to place them, because every stop then wakes the other
// side on the other CPU. Threads are spread over the allowed CPUs, least
// loaded first.
type cpuPool struct {
	mu    sync.Mutex
	cpus  []int
	users map[int]int
}

func newCPUPool() *cpuPool {
	p := &cpuPool{users: map[int]int{}}
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err == nil {
		for c := 0; c < len(set)*64; c++ {
			if set.IsSet(c) {
				p.cpus = append(p.cpus, c)
			}
		}
	}
	return p
}

// pin binds the calling OS thread and host thread tid to the least used CPU
// and returns it, or -1 when pinning is off or failed.
func (p *cpuPool) pin(tid int) int {
	if p == nil || len(p.cpus) == 0 {
		return -1
	}
	p.mu.Lock()
	best := p.cpus[0]
	for _, c := range p.cpus {
		if p.users[c] < p.users[best] {
			best = c
		}
	}
	p.users[best]++
	p.mu.Unlock()
	var set unix.CPUSet
	set.Set(best)
	if unix.SchedSetaffinity(0, &set) != nil || unix.SchedSetaffinity(tid, &set) != nil {
		p.unpin(best)
		return -1
	}
	return best
}

func (p *cpuPool) unpin(cpu int) {
	if p == nil || cpu < 0 {
		return
	}
	p.mu.Lock()
	p.users[cpu]--
	p.mu.Unlock()
}
