// Package mm is the Sentry's bookkeeping of each application address space.
// The Sentry decides every mapping: it picks addresses, checks arguments the
// way Linux does, and only then has the platform inject the mapping (always
// MAP_FIXED at the chosen address) into the host process. Page faults and
// copy-on-write then happen natively on the host's pages.
package mm

import (
	"sort"

	"golang.org/x/sys/unix"
)

// PageSize is the x86-64 page size.
const PageSize = 4096

func pageDown(a uintptr) uintptr { return a &^ (PageSize - 1) }

// pageUp rounds a up to a page; ok is false on overflow.
func pageUp(a uintptr) (uintptr, bool) {
	r := (a + PageSize - 1) &^ (PageSize - 1)
	return r, r >= a
}

// VMA is one mapping: a range with uniform protections and backing.
type VMA struct {
	Start, End uintptr
	Prot       int  // PROT_READ|PROT_WRITE|PROT_EXEC
	Shared     bool // MAP_SHARED
	// File is the mapped file, or nil for anonymous memory. Offset is the
	// file offset of Start.
	File   Mappable
	Offset int64
	// Name is what /proc/PID/maps shows for anonymous and special mappings:
	// "[heap]", "[stack]", "[vdso]", "[vvar]".
	Name string
	// Reserved mappings are the platform's (the host vDSO and vvar): the
	// application may read and run them but never map over or unmap them.
	Reserved bool

	DontFork   bool // MADV_DONTFORK
	WipeOnFork bool // MADV_WIPEONFORK

	// ShareID names the memory object behind a shared mapping (anonymous
	// shared memory, or a file) across address spaces; Offset is then
	// Start's offset in it. Shared futexes are keyed by the two.
	ShareID uint64
}

// Len is the VMA's length in bytes.
func (v *VMA) Len() uintptr { return v.End - v.Start }

// Mappable is a file that can back a mapping.
type Mappable interface {
	// HostFD is a host fd the platform can map; it stays open as long as
	// the Mappable is referenced.
	HostFD() int
	// MappingName is the path /proc/PID/maps shows.
	MappingName() string
}

// CountedMappable is a Mappable that counts the VMAs referring to it
// (System V shared memory's shm_nattch). The address space calls
// MapOpened once for each VMA that comes to refer to it (a new mapping, a
// split, a fork's copy) and MapClosed once for each that goes (an unmap, a
// replacement, the address space's release at exec or exit), as Linux calls
// vm_ops->open and close. Such VMAs never merge.
type CountedMappable interface {
	Mappable
	MapOpened()
	MapClosed()
}

func opened(v *VMA) {
	if c, ok := v.File.(CountedMappable); ok {
		c.MapOpened()
	}
}

func closed(v *VMA) {
	if c, ok := v.File.(CountedMappable); ok {
		c.MapClosed()
	}
}

func counted(v *VMA) bool {
	_, ok := v.File.(CountedMappable)
	return ok
}

// canMerge reports whether b can extend a (a.End == b.Start).
func canMerge(a, b *VMA) bool {
	if counted(a) || counted(b) {
		return false
	}
	if a.End != b.Start || a.Prot != b.Prot || a.Shared != b.Shared || a.Name != b.Name ||
		a.Reserved || b.Reserved || a.DontFork != b.DontFork || a.WipeOnFork != b.WipeOnFork ||
		a.File != b.File || a.ShareID != b.ShareID {
		return false
	}
	return a.File == nil && a.ShareID == 0 || a.Offset+int64(a.Len()) == b.Offset
}

// vmaSet is the address space's mappings, sorted by Start, never
// overlapping.
type vmaSet struct {
	v []VMA
}

// find returns the index of the first VMA with End > addr.
func (s *vmaSet) find(addr uintptr) int {
	return sort.Search(len(s.v), func(i int) bool { return s.v[i].End > addr })
}

// lookup returns the VMA containing addr.
func (s *vmaSet) lookup(addr uintptr) (*VMA, bool) {
	i := s.find(addr)
	if i < len(s.v) && s.v[i].Start <= addr {
		return &s.v[i], true
	}
	return nil, false
}

// overlaps reports whether any VMA intersects [start, end).
func (s *vmaSet) overlaps(start, end uintptr) bool {
	i := s.find(start)
	return i < len(s.v) && s.v[i].Start < end
}

// overlapsReserved reports whether a reserved VMA intersects [start, end).
func (s *vmaSet) overlapsReserved(start, end uintptr) bool {
	for i := s.find(start); i < len(s.v) && s.v[i].Start < end; i++ {
		if s.v[i].Reserved {
			return true
		}
	}
	return false
}

// mappedIn is the number of bytes of non-reserved VMAs within [start, end).
func (s *vmaSet) mappedIn(start, end uintptr) uintptr {
	var n uintptr
	for i := s.find(start); i < len(s.v) && s.v[i].Start < end; i++ {
		if !s.v[i].Reserved {
			n += min(s.v[i].End, end) - max(s.v[i].Start, start)
		}
	}
	return n
}

// covered reports whether [start, end) is mapped without holes.
func (s *vmaSet) covered(start, end uintptr) bool {
	at := start
	for i := s.find(start); i < len(s.v) && at < end; i++ {
		if s.v[i].Start > at {
			return false
		}
		at = s.v[i].End
	}
	return at >= end
}

// split makes addr a VMA boundary if it lies inside one.
func (s *vmaSet) split(addr uintptr) {
	i := s.find(addr)
	if i >= len(s.v) || s.v[i].Start >= addr {
		return
	}
	left := s.v[i]
	right := s.v[i]
	left.End = addr
	right.Start = addr
	if right.File != nil || right.ShareID != 0 {
		right.Offset += int64(addr - left.Start)
	}
	s.v = append(s.v, VMA{})
	copy(s.v[i+2:], s.v[i+1:])
	s.v[i] = left
	s.v[i+1] = right
	opened(&right)
}

// isolate splits at start and end and returns the index range [lo, hi) of
// the VMAs inside [start, end).
func (s *vmaSet) isolate(start, end uintptr) (int, int) {
	s.split(start)
	s.split(end)
	lo := s.find(start)
	hi := lo
	for hi < len(s.v) && s.v[hi].Start < end {
		hi++
	}
	return lo, hi
}

// remove deletes [start, end) from the set, splitting VMAs at its edges.
func (s *vmaSet) remove(start, end uintptr) {
	lo, hi := s.isolate(start, end)
	for i := lo; i < hi; i++ {
		closed(&s.v[i])
	}
	s.v = append(s.v[:lo], s.v[hi:]...)
}

// insert adds v, which must not overlap anything, merging with neighbours.
func (s *vmaSet) insert(v VMA) {
	i := s.find(v.Start)
	s.v = append(s.v, VMA{})
	copy(s.v[i+1:], s.v[i:])
	s.v[i] = v
	opened(&v)
	s.mergeAround(i)
}

// mergeAround merges the VMA at i with its neighbours where possible.
func (s *vmaSet) mergeAround(i int) {
	if i+1 < len(s.v) && canMerge(&s.v[i], &s.v[i+1]) {
		s.v[i].End = s.v[i+1].End
		s.v = append(s.v[:i+1], s.v[i+2:]...)
	}
	if i > 0 && canMerge(&s.v[i-1], &s.v[i]) {
		s.v[i-1].End = s.v[i].End
		s.v = append(s.v[:i], s.v[i+1:]...)
	}
}

// mergeRange merges across the VMAs [lo-1, hi] after a change to [lo, hi).
func (s *vmaSet) mergeRange(lo, hi int) {
	if hi > len(s.v)-1 {
		hi = len(s.v) - 1
	}
	for i := hi; i >= lo && i >= 0; i-- {
		s.mergeAround(i)
	}
}

// gapTopDown finds the highest free range of length bytes within
// [low, high).
func (s *vmaSet) gapTopDown(length, low, high uintptr) (uintptr, bool) {
	if high < low || high-low < length {
		return 0, false
	}
	// VMAs [0, i) end at or below high; VMA i may straddle high.
	i := s.find(high)
	top := high
	if i < len(s.v) && s.v[i].Start < top {
		top = s.v[i].Start
	}
	for j := i - 1; ; j-- {
		bottom := low
		if j >= 0 && s.v[j].End > low {
			bottom = s.v[j].End
		}
		if top > bottom && top-bottom >= length {
			return top - length, true
		}
		if j < 0 || s.v[j].Start <= low {
			return 0, false
		}
		top = s.v[j].Start
	}
}

// gapBottomUp finds the lowest free range of length bytes within [low, high).
func (s *vmaSet) gapBottomUp(length, low, high uintptr) (uintptr, bool) {
	at := low
	for i := s.find(low); ; i++ {
		limit := high
		if i < len(s.v) && s.v[i].Start < limit {
			limit = s.v[i].Start
		}
		if limit >= at && limit-at >= length {
			return at, true
		}
		if i >= len(s.v) || s.v[i].End >= high {
			return 0, false
		}
		if s.v[i].End > at {
			at = s.v[i].End
		}
	}
}

// protSem is PROT_SEM, which x/sys does not name.
const protSem = 0x8

// validProt are the protection bits mprotect accepts on x86-64.
const validProt = unix.PROT_READ | unix.PROT_WRITE | unix.PROT_EXEC | protSem |
	unix.PROT_GROWSDOWN | unix.PROT_GROWSUP
