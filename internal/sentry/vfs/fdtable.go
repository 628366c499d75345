package vfs

import (
	"sort"
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

type fdEntry struct {
	file    *File
	cloexec bool
}

// FDTable is a process's file descriptor table, shared by CLONE_FILES.
type FDTable struct {
	mu  sync.Mutex
	fds map[int32]fdEntry
	// users counts the tasks sharing the table (CLONE_FILES).
	users atomic.Int32
}

// Close hooks, set once at start-up by whoever keeps per-file state
// outside the VFS (the record locks of fcntl and flock).
var (
	// OnFDClose runs whenever an fd of table t referring to f is closed:
	// close, dup2 over it, close_range, close-on-exec, exit.
	OnFDClose func(t *FDTable, f *File)
	// OnFileRelease runs when the last reference to f goes.
	OnFileRelease func(f *File)
)

// closeFile drops the reference a closed fd of t held on f. It releases
// f as File.DecRef does, telling the hooks first.
func (t *FDTable) closeFile(f *File) {
	if OnFDClose != nil {
		OnFDClose(t, f)
	}
	f.DecRef()
}

// NewFDTable returns an empty table with one user.
func NewFDTable() *FDTable {
	t := &FDTable{fds: map[int32]fdEntry{}}
	t.users.Store(1)
	return t
}

// IncRef adds a user (a task sharing the table through CLONE_FILES).
func (t *FDTable) IncRef() { t.users.Add(1) }

// Get returns the file at fd with a reference the caller must drop, and
// whether fd is close-on-exec.
func (t *FDTable) Get(fd int32) (*File, bool, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	e, ok := t.fds[fd]
	if !ok {
		return nil, false, unix.EBADF
	}
	e.file.IncRef()
	return e.file, e.cloexec, nil
}

// NewFD installs f at the lowest free fd at or above min, below limit
// (RLIMIT_NOFILE), taking a reference: EMFILE when none is free.
func (t *FDTable) NewFD(f *File, min int32, cloexec bool, limit uint64) (int32, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	fd := min
	for {
		if uint64(fd) >= limit || fd < 0 {
			return -1, unix.EMFILE
		}
		if _, used := t.fds[fd]; !used {
			break
		}
		fd++
	}
	f.IncRef()
	t.fds[fd] = fdEntry{f, cloexec}
	return fd, nil
}

// SetFD installs f at fd, closing what was there (dup2, dup3).
func (t *FDTable) SetFD(fd int32, f *File, cloexec bool, limit uint64) error {
	if fd < 0 || uint64(fd) >= limit {
		return unix.EBADF
	}
	f.IncRef()
	t.mu.Lock()
	old, had := t.fds[fd]
	t.fds[fd] = fdEntry{f, cloexec}
	t.mu.Unlock()
	if had {
		t.closeFile(old.file)
	}
	return nil
}

// Remove closes fd.
func (t *FDTable) Remove(fd int32) error {
	t.mu.Lock()
	e, ok := t.fds[fd]
	delete(t.fds, fd)
	t.mu.Unlock()
	if !ok {
		return unix.EBADF
	}
	t.closeFile(e.file)
	return nil
}

// SetCloexec changes fd's close-on-exec flag.
func (t *FDTable) SetCloexec(fd int32, cloexec bool) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	e, ok := t.fds[fd]
	if !ok {
		return unix.EBADF
	}
	e.cloexec = cloexec
	t.fds[fd] = e
	return nil
}

// FDs lists the open fds in order.
func (t *FDTable) FDs() []int32 {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]int32, 0, len(t.fds))
	for fd := range t.fds {
		out = append(out, fd)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// RemoveRange closes the fds in [first, last], or only marks them
// close-on-exec (close_range with CLOSE_RANGE_CLOEXEC).
func (t *FDTable) RemoveRange(first, last uint32, cloexecOnly bool) {
	var closing []*File
	t.mu.Lock()
	for fd, e := range t.fds {
		if uint32(fd) < first || uint32(fd) > last {
			continue
		}
		if cloexecOnly {
			e.cloexec = true
			t.fds[fd] = e
		} else {
			closing = append(closing, e.file)
			delete(t.fds, fd)
		}
	}
	t.mu.Unlock()
	for _, f := range closing {
		t.closeFile(f)
	}
}

// CloseOnExec closes every close-on-exec fd.
func (t *FDTable) CloseOnExec() {
	var closing []*File
	t.mu.Lock()
	for fd, e := range t.fds {
		if e.cloexec {
			closing = append(closing, e.file)
			delete(t.fds, fd)
		}
	}
	t.mu.Unlock()
	for _, f := range closing {
		t.closeFile(f)
	}
}

// Fork returns a copy sharing every file description (fork without
// CLONE_FILES).
func (t *FDTable) Fork() *FDTable {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := NewFDTable()
	for fd, e := range t.fds {
		e.file.IncRef()
		n.fds[fd] = e
	}
	return n
}

// Release drops a user; the last one closes every fd.
func (t *FDTable) Release() {
	if t.users.Add(-1) == 0 {
		t.RemoveRange(0, ^uint32(0), false)
	}
}

// Shared reports whether another task uses the table.
func (t *FDTable) Shared() bool { return t.users.Load() > 1 }
