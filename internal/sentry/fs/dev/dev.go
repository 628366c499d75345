// Package dev is the sandbox's /dev: a tmpfs holding the character devices
// every program expects (null, zero, full, random, urandom, tty) and the
// usual links into /proc/self/fd.
package dev

import (
	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/fs/hostfd"
	"github.com/moat-sandbox/moat/internal/sentry/fs/tmpfs"
	"github.com/moat-sandbox/moat/internal/sentry/vfs"
)

// Device numbers (Documentation/admin-guide/devices.txt).
var (
	devNull    = unix.Mkdev(1, 3)
	devZero    = unix.Mkdev(1, 5)
	devFull    = unix.Mkdev(1, 7)
	devRandom  = unix.Mkdev(1, 8)
	devURandom = unix.Mkdev(1, 9)
	devTTY     = unix.Mkdev(5, 0)
)

// Options configure /dev.
type Options struct {
	// TTY is a host fd of the caller's controlling terminal, or -1: opening
	// /dev/tty gives a dup of it, or ENXIO without one.
	TTY int
}

// New builds /dev. The caller mounts it (and a tmpfs on /dev/shm).
func New(opts Options) (*tmpfs.FS, *tmpfs.Inode) {
	fs, root := tmpfs.New("devtmpfs", 0o755, 0, 0)
	fs.NewSpecial = func(ctx vfs.Context, in *tmpfs.Inode, flags int) (vfs.FileImpl, error) {
		st, _ := in.Stat(nil)
		if st.Type() != unix.S_IFCHR {
			return nil, unix.ENXIO
		}
		switch st.Rdev {
		case devNull:
			return &device{in: in, read: readEOF, write: writeAll}, nil
		case devZero:
			return &device{in: in, read: readZeros, write: writeAll, anon: true}, nil
		case devFull:
			return &device{in: in, read: readZeros, write: writeFull}, nil
		case devRandom, devURandom:
			return &device{in: in, read: readRandom, write: writeAll}, nil
		case devTTY:
			if opts.TTY < 0 {
				return nil, unix.ENXIO
			}
			f, err := hostfd.Import(opts.TTY)
			if err != nil {
				return nil, unix.ENXIO
			}
			impl := f.Impl()
			return impl, nil
		}
		return nil, unix.ENXIO
	}
	mk := func(name string, rdev uint64) {
		root.Create(nil, name, vfs.CreateOpts{Mode: unix.S_IFCHR | 0o666, Dev: rdev})
	}
	mk("null", devNull)
	mk("zero", devZero)
	mk("full", devFull)
	mk("random", devRandom)
	mk("urandom", devURandom)
	mk("tty", devTTY)
	for name, target := range map[string]string{
		"fd": "/proc/self/fd", "stdin": "/proc/self/fd/0", "stdout": "/proc/self/fd/1",
		"stderr": "/proc/self/fd/2", "ptmx": "pts/ptmx",
	} {
		root.Symlink(nil, name, target, vfs.CreateOpts{})
	}
	root.Mkdir(nil, "shm", vfs.CreateOpts{Mode: 0o1777})
	root.Mkdir(nil, "pts", vfs.CreateOpts{Mode: 0o755})
	return fs, root
}

// device is an open character device.
type device struct {
	in    *tmpfs.Inode
	read  func(dst []byte) (int, error)
	write func(src []byte) (int, error)
	// anon: mapping the device maps anonymous memory (/dev/zero).
	anon bool
}

func (d *device) Stat(ctx vfs.Context) (vfs.Stat, error) { return d.in.Stat(ctx) }
func (d *device) Release()                               {}

// PRead implements vfs.PositionalFile; devices ignore the offset.
func (d *device) PRead(t vfs.Task, dst []byte, off int64) (int, error) { return d.read(dst) }

// PWrite implements vfs.PositionalFile.
func (d *device) PWrite(t vfs.Task, src []byte, off int64) (int, error) { return d.write(src) }

// Seek implements vfs.Seeker: like Linux's null_lseek (and noop_llseek of
// the random devices, whose reads leave the position alone), the position
// stays 0 whatever is asked.
func (d *device) Seek(t vfs.Task, offset int64, whence int) (int64, error) { return 0, nil }

// MapsAnonymous reports that mmap of this device gives anonymous memory.
func (d *device) MapsAnonymous() bool { return d.anon }

func readEOF(dst []byte) (int, error) { return 0, nil }

func readZeros(dst []byte) (int, error) {
	clear(dst)
	return len(dst), nil
}

func readRandom(dst []byte) (int, error) {
	n, err := unix.Getrandom(dst, 0)
	if n < 0 {
		n = 0
	}
	return n, err
}

func writeAll(src []byte) (int, error)  { return len(src), nil }
func writeFull(src []byte) (int, error) { return 0, unix.ENOSPC }
