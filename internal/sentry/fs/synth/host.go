package synth

import (
	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/vfs"
)

// HostDir is a directory of the host (its /proc or /sys) that the Sentry
// reads machine facts from: CPU model, memory size, kernel version. It is
// opened once, when the sandbox is built, and read through its fd, so it
// keeps working whatever happens to the Sentry's own view of the host
// tree. The zero value has no directory: every read fails with ENOENT.
type HostDir struct {
	fd int // an O_PATH fd of the directory, when ok
	ok bool
}

// OpenHostDir opens the host directory path.
func OpenHostDir(path string) (HostDir, error) {
	fd, err := unix.Open(path, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return HostDir{}, err
	}
	return HostDir{fd: fd, ok: true}, nil
}

func (h HostDir) dirfd() (int, error) {
	if !h.ok {
		return -1, unix.ENOENT
	}
	return h.fd, nil
}

// Close closes the directory.
func (h HostDir) Close() {
	if fd, err := h.dirfd(); err == nil {
		unix.Close(fd)
	}
}

// ReadFile returns the contents of the host file name, a path relative
// to the directory.
func (h HostDir) ReadFile(name string) ([]byte, error) {
	dirfd, err := h.dirfd()
	if err != nil {
		return nil, err
	}
	fd, err := openat(dirfd, name, unix.O_RDONLY|unix.O_CLOEXEC|unix.O_NOFOLLOW)
	if err != nil {
		return nil, err
	}
	defer unix.Close(fd)
	buf := make([]byte, 0, 4096)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := unix.Read(fd, buf[len(buf):cap(buf)])
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, err
		}
		if n == 0 {
			return buf, nil
		}
		buf = buf[:len(buf)+n]
	}
}

// Readlink reads the host symlink name.
func (h HostDir) Readlink(name string) (string, error) {
	dirfd, err := h.dirfd()
	if err != nil {
		return "", err
	}
	buf := make([]byte, 4096)
	for {
		n, err := unix.Readlinkat(dirfd, name, buf)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return "", err
		}
		return string(buf[:n]), nil
	}
}

// ReadDir lists the names in the host directory name.
func (h HostDir) ReadDir(name string) ([]string, error) {
	dirfd, err := h.dirfd()
	if err != nil {
		return nil, err
	}
	fd, err := openat(dirfd, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC)
	if err != nil {
		return nil, err
	}
	defer unix.Close(fd)
	var names []string
	buf := make([]byte, 8192)
	for {
		n, err := unix.Getdents(fd, buf)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, err
		}
		if n <= 0 {
			return names, nil
		}
		_, _, names = unix.ParseDirent(buf[:n], -1, names)
	}
}

func openat(dirfd int, name string, flags int) (int, error) {
	for {
		fd, err := unix.Openat(dirfd, name, flags, 0)
		if err != unix.EINTR {
			return fd, err
		}
	}
}

// HostFile renders the host file name as it is at each open.
func (h HostDir) HostFile(name string) Render {
	return func(vfs.Context) ([]byte, error) { return h.ReadFile(name) }
}
