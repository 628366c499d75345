package sandbox

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/auth"
	"github.com/moat-sandbox/moat/internal/sentry/fs/dev"
	"github.com/moat-sandbox/moat/internal/sentry/fs/hostfs"
	"github.com/moat-sandbox/moat/internal/sentry/fs/overlay"
	"github.com/moat-sandbox/moat/internal/sentry/fs/pipe"
	"github.com/moat-sandbox/moat/internal/sentry/fs/tmpfs"
	"github.com/moat-sandbox/moat/internal/sentry/vfs"
)

// Volume binds a host directory into the sandbox.
type Volume struct {
	Host, Container string
	ReadOnly        bool
}

// ParseVolume parses --volume=HOST:CONTAINER[:ro|:rw].
func ParseVolume(s string) (Volume, error) {
	parts := strings.Split(s, ":")
	v := Volume{}
	switch {
	case len(parts) == 2:
	case len(parts) == 3 && (parts[2] == "ro" || parts[2] == "rw"):
		v.ReadOnly = parts[2] == "ro"
	default:
		return v, fmt.Errorf("--volume %q: want HOST:CONTAINER[:ro]", s)
	}
	v.Host, v.Container = parts[0], parts[1]
	if v.Host == "" || !strings.HasPrefix(v.Container, "/") {
		return v, fmt.Errorf("--volume %q: the container path must be absolute", s)
	}
	return v, nil
}

// rootCreds acts for the sandbox while it builds its tree.
var rootCreds = auth.New(0, 0, nil)

type bootCtx struct{}

func (bootCtx) Creds() *auth.Credentials { return rootCreds }

// buildMounts assembles the sandbox's tree: the root directory read-only
// under an in-memory writable layer, /tmp, /dev and /dev/shm, volumes.
// The host root is opened here, by moat itself; the application reaches it
// only through the Sentry.
func buildMounts(rootfs string, volumes []Volume, ttyFD int) (*vfs.MountNamespace, error) {
	rootFD, err := unix.Open(rootfs, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("--rootfs %s: %w", rootfs, err)
	}
	lowerFS, lowerRoot, err := hostfs.New(rootFD, true)
	if err != nil {
		unix.Close(rootFD)
		return nil, fmt.Errorf("--rootfs %s: %w", rootfs, err)
	}
	ctx := bootCtx{}
	ovFS, ovRoot, err := overlay.New(lowerFS, lowerRoot, ctx)
	if err != nil {
		return nil, err
	}
	ns := vfs.NewMountNamespace(ovFS, vfs.NewRoot(ovRoot), 0, "overlay", "rw,lowerdir="+rootfs)

	tmpFS, tmpRoot := tmpfs.New("tmpfs", 0o1777, 0, 0)
	pipe.AttachFIFOs(tmpFS)
	if err := mountAt(ns, "/tmp", tmpFS, tmpRoot, vfs.MountNoSuid|vfs.MountNoDev, "tmpfs", "rw,nosuid,nodev"); err != nil {
		return nil, err
	}
	devFS, devRoot := dev.New(dev.Options{TTY: ttyFD})
	pipe.AttachFIFOs(devFS)
	if err := mountAt(ns, "/dev", devFS, devRoot, vfs.MountNoSuid, "devtmpfs", "rw,nosuid,mode=755"); err != nil {
		return nil, err
	}
	shmFS, shmRoot := tmpfs.New("tmpfs", 0o1777, 0, 0)
	pipe.AttachFIFOs(shmFS)
	if err := mountAt(ns, "/dev/shm", shmFS, shmRoot, vfs.MountNoSuid|vfs.MountNoDev, "shm", "rw,nosuid,nodev"); err != nil {
		return nil, err
	}
	if err := mountProcSys(ns); err != nil {
		return nil, err
	}
	for _, v := range volumes {
		fd, err := unix.Open(v.Host, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
		if err != nil {
			return nil, fmt.Errorf("--volume %s: %w", v.Host, err)
		}
		fs, root, err := hostfs.New(fd, v.ReadOnly)
		if err != nil {
			return nil, fmt.Errorf("--volume %s: %w", v.Host, err)
		}
		flags, opts := 0, "rw"
		if v.ReadOnly {
			flags, opts = vfs.MountReadOnly, "ro"
		}
		if err := mountAt(ns, v.Container, fs, root, flags|vfs.MountNoDev, v.Host, opts); err != nil {
			return nil, fmt.Errorf("--volume %s: %w", v.Container, err)
		}
	}
	return ns, nil
}

// mountAt mounts fs on path, making the directory in the writable layer
// if the root lacks it.
func mountAt(ns *vfs.MountNamespace, path string, fs vfs.Filesystem, root vfs.Inode, flags int, source, options string) error {
	vd, err := mkdirAll(ns, path)
	if err != nil {
		return fmt.Errorf("mount point %s: %w", path, err)
	}
	ns.Mount(vd, fs, vfs.NewRoot(root), flags, source, options)
	return nil
}

// mkdirAll walks path from the root, creating missing directories.
func mkdirAll(ns *vfs.MountNamespace, path string) (vfs.VirtualDentry, error) {
	ctx := bootCtx{}
	cur := ns.Root()
	for _, name := range strings.Split(filepath.Clean(path), "/") {
		if name == "" {
			continue
		}
		next, err := ns.Walk(ctx, name, vfs.WalkOpts{Root: ns.Root(), Start: cur, FollowFinal: true})
		if err == unix.ENOENT {
			wd, ok := cur.Inode().(vfs.WritableDir)
			if !ok {
				return cur, unix.EROFS
			}
			if _, err := wd.Mkdir(ctx, name, vfs.CreateOpts{Mode: 0o755}); err != nil {
				return cur, err
			}
			next, err = ns.Walk(ctx, name, vfs.WalkOpts{Root: ns.Root(), Start: cur, FollowFinal: true})
		}
		if err != nil {
			return cur, err
		}
		cur = next
	}
	return cur, nil
}

// controllingTTY returns a host fd of the caller's terminal, or -1.
func controllingTTY() int {
	for fd := 0; fd < 3; fd++ {
		if _, err := unix.IoctlGetTermios(fd, unix.TCGETS); err == nil {
			return fd
		}
	}
	return -1
}

// startDir is where the application starts: the caller's directory when the
// sandbox shows it (the host root), else "/".
func startDir(ns *vfs.MountNamespace, rootfs string) vfs.VirtualDentry {
	wd, err := os.Getwd()
	if err != nil {
		return ns.Root()
	}
	absRoot, _ := filepath.Abs(rootfs)
	rel, err := filepath.Rel(absRoot, wd)
	if err != nil || rel == ".." || strings.HasPrefix(rel, "../") {
		return ns.Root()
	}
	vd, err := ns.Walk(bootCtx{}, "/"+rel, vfs.WalkOpts{Root: ns.Root(), Start: ns.Root(), FollowFinal: true})
	if err != nil {
		return ns.Root()
	}
	return vd
}
