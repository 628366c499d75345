package kernel

import (
	"sync"

	"github.com/moat-sandbox/moat/internal/sentry/vfs"
)

// FSContext is a task's root, working directory and umask, shared by
// CLONE_FS.
type FSContext struct {
	mu    sync.Mutex
	root  vfs.VirtualDentry
	cwd   vfs.VirtualDentry
	umask uint32
}

// NewFSContext returns a context rooted and working at root.
func NewFSContext(root vfs.VirtualDentry, umask uint32) *FSContext {
	return &FSContext{root: root, cwd: root, umask: umask}
}

// Root and Cwd return the root and working directory.
func (c *FSContext) Root() vfs.VirtualDentry {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.root
}

func (c *FSContext) Cwd() vfs.VirtualDentry {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cwd
}

// SetCwd changes the working directory; SetRoot the root (chroot).
func (c *FSContext) SetCwd(vd vfs.VirtualDentry) {
	c.mu.Lock()
	c.cwd = vd
	c.mu.Unlock()
}

func (c *FSContext) SetRoot(vd vfs.VirtualDentry) {
	c.mu.Lock()
	c.root = vd
	c.mu.Unlock()
}

// Umask returns the umask; SwapUmask sets it and returns the old one.
func (c *FSContext) Umask() uint32 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.umask
}

func (c *FSContext) SwapUmask(m uint32) uint32 {
	c.mu.Lock()
	defer c.mu.Unlock()
	old := c.umask
	c.umask = m & 0o777
	return old
}

// Fork returns an independent copy (clone without CLONE_FS).
func (c *FSContext) Fork() *FSContext {
	c.mu.Lock()
	defer c.mu.Unlock()
	return &FSContext{root: c.root, cwd: c.cwd, umask: c.umask}
}
