package vfs

import (
	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/auth"
)

// Access bits (MAY_* in Linux).
const (
	MayExec  = 1
	MayWrite = 2
	MayRead  = 4
)

// Capabilities the permission checks use (capabilities(7)).
const (
	CapChown         = 0
	CapDACOverride   = 1
	CapDACReadSearch = 2
	CapFowner        = 3
	CapFsetid        = 4
	CapSysAdmin      = 21
	CapMknod         = 27
)

// Permission checks access want (MayRead|MayWrite|MayExec) to a file with
// the given stat for creds, as Linux's generic_permission does.
func Permission(c *auth.Credentials, st *Stat, want int) error {
	mode := st.Mode
	var bits uint32
	switch {
	case c.FilesystemUID == st.UID:
		bits = mode >> 6
	case c.InGroupFS(st.GID):
		bits = mode >> 3
	default:
		bits = mode
	}
	if uint32(want)&^bits&7 == 0 {
		return nil
	}
	isDir := st.IsDir()
	// CAP_DAC_OVERRIDE: anything but executing a file no one may execute.
	if c.HasCap(CapDACOverride) {
		if want&MayExec == 0 || isDir || mode&0o111 != 0 {
			return nil
		}
	}
	// CAP_DAC_READ_SEARCH: reading anything, searching directories.
	if c.HasCap(CapDACReadSearch) && want&MayWrite == 0 && (want == MayRead || isDir) {
		return nil
	}
	return unix.EACCES
}

// IsOwner reports whether creds own a file with this stat, or may act as
// its owner (CAP_FOWNER).
func IsOwner(c *auth.Credentials, st *Stat) bool {
	return c.FilesystemUID == st.UID || c.HasCap(CapFowner)
}
