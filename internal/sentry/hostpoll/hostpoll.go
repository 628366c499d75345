// Package hostpoll turns readiness of host fds the Sentry holds (the
// caller's stdio, host sockets) into notifications on the files' wait
// queues, so that poll, select and epoll treat them like any Sentry file.
// One host epoll, edge-triggered, watches them all from one goroutine.
package hostpoll

import (
	"sync"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/waiter"
)

// watched is every event the host reports; the queues filter.
const watched = unix.EPOLLIN | unix.EPOLLOUT | unix.EPOLLPRI | unix.EPOLLRDHUP |
	unix.EPOLLERR | unix.EPOLLHUP | unix.EPOLLET

type poller struct {
	epfd int
	mu   sync.Mutex
	fds  map[int32]*waiter.Queue
}

var (
	once   sync.Once
	global *poller
	setErr error
)

func get() (*poller, error) {
	once.Do(func() {
		fd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
		if err != nil {
			setErr = err
			return
		}
		global = &poller{epfd: fd, fds: map[int32]*waiter.Queue{}}
		go global.run()
	})
	return global, setErr
}

// Add watches host fd fd, notifying q. A file the host cannot poll (a
// regular file) gives EPERM: it is always ready.
func Add(fd int, q *waiter.Queue) error {
	p, err := get()
	if err != nil {
		return err
	}
	p.mu.Lock()
	p.fds[int32(fd)] = q
	p.mu.Unlock()
	ev := unix.EpollEvent{Events: watched, Fd: int32(fd)}
	if err := unix.EpollCtl(p.epfd, unix.EPOLL_CTL_ADD, fd, &ev); err != nil {
		p.mu.Lock()
		delete(p.fds, int32(fd))
		p.mu.Unlock()
		return err
	}
	return nil
}

// Remove stops watching fd; call it before closing fd.
func Remove(fd int) {
	p, err := get()
	if err != nil {
		return
	}
	unix.EpollCtl(p.epfd, unix.EPOLL_CTL_DEL, fd, nil)
	p.mu.Lock()
	delete(p.fds, int32(fd))
	p.mu.Unlock()
}

func (p *poller) run() {
	events := make([]unix.EpollEvent, 128)
	for {
		n, _, e := syscall.Syscall6(syscall.SYS_EPOLL_WAIT, uintptr(p.epfd),
			uintptr(unsafe.Pointer(&events[0])), uintptr(len(events)), ^uintptr(0), 0, 0)
		if e != 0 {
			continue
		}
		for _, ev := range events[:n] {
			p.mu.Lock()
			q := p.fds[ev.Fd]
			p.mu.Unlock()
			if q != nil {
				q.Notify(waiter.EventMask(ev.Events))
			}
		}
	}
}

// Readiness reports which events of mask hold for host fd fd now.
func Readiness(fd int, mask waiter.EventMask) waiter.EventMask {
	pfd := [1]unix.PollFd{{Fd: int32(fd), Events: int16(mask | waiter.EventRdHup)}}
	for {
		n, err := unix.Poll(pfd[:], 0)
		if err == unix.EINTR {
			continue
		}
		if err != nil || n == 0 {
			return 0
		}
		return waiter.EventMask(uint16(pfd[0].Revents)) & (mask | waiter.AlwaysReported)
	}
}
