package vfs

import (
	"sync/atomic"

	"golang.org/x/sys/unix"
)

var nextAnonMinor atomic.Uint32

func init() { nextAnonMinor.Store(0x40) }

// NewAnonDev returns a device number for a filesystem with no device (major
// 0), as Linux gives tmpfs and proc.
func NewAnonDev() uint64 {
	return unix.Mkdev(0, nextAnonMinor.Add(1))
}
