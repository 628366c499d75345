package mm

import (
	"bytes"

	"golang.org/x/sys/unix"
)

// Copies between the Sentry and application memory. Application memory can
// change under the Sentry at any time (other threads run natively), so every
// value is copied in once and used from the Sentry's copy; any failure is
// EFAULT, never a crash.

// inRange reports whether [addr, addr+n) lies below the application limit.
func (m *MM) inRange(addr uintptr, n int) bool {
	end := addr + uintptr(n)
	return end >= addr && end <= m.limit
}

// CopyIn fills dst from application memory at addr.
func (m *MM) CopyIn(addr uintptr, dst []byte) error {
	if len(dst) == 0 {
		return nil
	}
	if !m.inRange(addr, len(dst)) {
		return unix.EFAULT
	}
	if _, err := m.mem.ReadMemory(addr, dst); err != nil {
		return unix.EFAULT
	}
	return nil
}

// CopyInPartial copies as much of dst as is readable and returns the count.
func (m *MM) CopyInPartial(addr uintptr, dst []byte) (int, error) {
	if !m.inRange(addr, 0) {
		return 0, unix.EFAULT
	}
	if !m.inRange(addr, len(dst)) {
		dst = dst[:m.limit-addr]
	}
	n, err := m.mem.ReadMemory(addr, dst)
	if err != nil {
		return n, unix.EFAULT
	}
	return n, nil
}

// CopyOut writes src to application memory at addr, respecting the
// application's page protections.
func (m *MM) CopyOut(addr uintptr, src []byte) error {
	if len(src) == 0 {
		return nil
	}
	if !m.inRange(addr, len(src)) {
		return unix.EFAULT
	}
	if _, err := m.mem.WriteMemory(addr, src); err != nil {
		return unix.EFAULT
	}
	return nil
}

// CopyOutPartial writes as much of src as is writable and returns the count.
func (m *MM) CopyOutPartial(addr uintptr, src []byte) (int, error) {
	if !m.inRange(addr, 0) {
		return 0, unix.EFAULT
	}
	if !m.inRange(addr, len(src)) {
		src = src[:m.limit-addr]
	}
	n, err := m.mem.WriteMemory(addr, src)
	if err != nil {
		return n, unix.EFAULT
	}
	return n, nil
}

// CopyInString reads a NUL-terminated string of at most max bytes (NUL
// excluded): ENAMETOOLONG if longer, EFAULT if unreadable.
func (m *MM) CopyInString(addr uintptr, max int) (string, error) {
	var out []byte
	var chunk [256]byte
	for len(out) <= max {
		// Never read across a page boundary in one go: the next page may be
		// unmapped although the string ends before it.
		n := PageSize - int(addr%PageSize)
		if n > len(chunk) {
			n = len(chunk)
		}
		if !m.inRange(addr, n) {
			return "", unix.EFAULT
		}
		if _, err := m.mem.ReadMemory(addr, chunk[:n]); err != nil {
			return "", unix.EFAULT
		}
		if i := bytes.IndexByte(chunk[:n], 0); i >= 0 {
			out = append(out, chunk[:i]...)
			if len(out) > max {
				break
			}
			return string(out), nil
		}
		out = append(out, chunk[:n]...)
		addr += uintptr(n)
	}
	return "", unix.ENAMETOOLONG
}

// CopyInPointers reads 8-byte pointers at addr (argv, envp) up to the
// first zero, at most max of them (E2BIG beyond).
func (m *MM) CopyInPointers(addr uintptr, max int) ([]uintptr, error) {
	var out []uintptr
	var b [8]byte
	for {
		if len(out) > max {
			return nil, unix.E2BIG
		}
		if err := m.CopyIn(addr, b[:]); err != nil {
			return nil, err
		}
		p := uintptr(le64(b[:]))
		if p == 0 {
			return out, nil
		}
		out = append(out, p)
		addr += 8
	}
}

func le64(b []byte) uint64 {
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
}

// Mapped reports the VMA at addr, for fault handling and /proc.
func (m *MM) Mapped(addr uintptr) (VMA, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.vmas.lookup(addr)
	if !ok {
		return VMA{}, false
	}
	return *v, true
}
