package mm

import (
	"sync"

	"golang.org/x/sys/unix"
)

// Injector runs memory system calls in the host process behind an address
// space. The calling task's platform thread is one.
type Injector interface {
	Syscall(nr uintptr, args ...uintptr) (uintptr, error)
	MapFile(addr, length uintptr, prot, flags int, fd int, offset int64) error
}

// Memory reads and writes the host process's memory (platform.Process).
type Memory interface {
	ReadMemory(addr uintptr, dst []byte) (int, error)
	WriteMemory(addr uintptr, src []byte) (int, error)
}

// Range is a half-open address range.
type Range struct {
	Start, End uintptr
}

const (
	// MinAddr is the lowest address an application may map, the host's
	// default vm.mmap_min_addr.
	MinAddr = 0x10000
	// hostTaskSize is the top of the x86-64 user address space; munmap
	// accepts ranges up to it.
	hostTaskSize = 1<<47 - PageSize
)

// MM is one application address space. Its methods that change mappings
// take the injector of the calling task; they hold mu across the injection,
// so the host mappings always match the VMAs.
type MM struct {
	mem   Memory
	limit uintptr // first address the application may not use

	mu   sync.Mutex
	vmas vmaSet
	// mmapTop is where top-down address searches start (below the stack).
	mmapTop uintptr
	// The program break: [brkStart, brk) is the heap, mapped up to
	// pageUp(brk).
	brkStart, brk uintptr
	// Limits, read when mappings grow. Zero means unlimited.
	limitAS   func() uint64
	limitData func() uint64
}

// New returns an empty address space over mem; the application may map
// below limit except within reserved, which hold the platform's mappings.
func New(mem Memory, limit uintptr, reserved []Range, names []string) *MM {
	m := &MM{mem: mem, limit: limit, mmapTop: limit}
	for i, r := range reserved {
		name := ""
		if i < len(names) {
			name = names[i]
		}
		m.vmas.insert(VMA{Start: r.Start, End: r.End, Prot: unix.PROT_READ, Name: name, Reserved: true})
	}
	return m
}

// SetLimits supplies RLIMIT_AS and RLIMIT_DATA (in bytes; 0 or
// RLIM_INFINITY for none).
func (m *MM) SetLimits(as, data func() uint64) {
	m.limitAS, m.limitData = as, data
}

// Limit is the first address the application may not use.
func (m *MM) Limit() uintptr { return m.limit }

// SetMmapTop sets where top-down searches for free space start.
func (m *MM) SetMmapTop(top uintptr) {
	m.mu.Lock()
	m.mmapTop = top
	m.mu.Unlock()
}

// SetBrk sets the start of the heap (page aligned).
func (m *MM) SetBrk(start uintptr) {
	m.mu.Lock()
	m.brkStart, m.brk = start, start
	m.mu.Unlock()
}

// VMAs returns a copy of the mappings, in address order.
func (m *MM) VMAs() []VMA {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]VMA(nil), m.vmas.v...)
}

// mappedBytes is the size of the application's own mappings.
func (m *MM) mappedBytes() uintptr {
	var n uintptr
	for i := range m.vmas.v {
		if !m.vmas.v[i].Reserved {
			n += m.vmas.v[i].Len()
		}
	}
	return n
}

// isData reports whether v counts against RLIMIT_DATA: private, writable,
// not a stack (Linux's is_data_mapping).
func isData(v *VMA) bool {
	return !v.Reserved && !v.Shared && v.Prot&unix.PROT_WRITE != 0 && v.Name != "[stack]"
}

// dataBytes is the size of the data mappings, leaving out [skipStart,
// skipEnd) (a range about to be replaced).
func (m *MM) dataBytes(skipStart, skipEnd uintptr) uintptr {
	var n uintptr
	for i := range m.vmas.v {
		v := &m.vmas.v[i]
		if !isData(v) {
			continue
		}
		n += v.Len()
		if lo, hi := max(v.Start, skipStart), min(v.End, skipEnd); lo < hi {
			n -= hi - lo
		}
	}
	return n
}

func over(limit func() uint64, n uintptr) bool {
	if limit == nil {
		return false
	}
	l := limit()
	return l != 0 && l != unix.RLIM_INFINITY && uint64(n) > l
}

// MMapOpts are the arguments of an mmap after the syscall layer has checked
// the offset and resolved the fd.
type MMapOpts struct {
	Addr   uintptr
	Length uintptr
	Prot   int
	Flags  int
	File   Mappable // nil: anonymous
	Offset int64
	// Name labels an anonymous mapping ("[stack]").
	Name string
}

// Flags passed through to the host's mmap; all others are the Sentry's to
// interpret (MAP_FIXED is always added).
const hostMapFlags = unix.MAP_NORESERVE | unix.MAP_POPULATE | unix.MAP_HUGETLB |
	unix.MAP_HUGE_MASK<<unix.MAP_HUGE_SHIFT | unix.MAP_LOCKED | unix.MAP_NONBLOCK

// MMap implements mmap(2) for the address space.
func (m *MM) MMap(inj Injector, o MMapOpts) (uintptr, error) {
	if o.Length == 0 {
		return 0, unix.EINVAL
	}
	length, ok := pageUp(o.Length)
	if !ok || length > m.limit-MinAddr {
		return 0, unix.ENOMEM
	}
	typ := o.Flags & (unix.MAP_SHARED | unix.MAP_PRIVATE)
	if typ == 0 {
		return 0, unix.EINVAL
	}
	if typ == unix.MAP_SHARED|unix.MAP_PRIVATE { // MAP_SHARED_VALIDATE
		if o.File == nil {
			return 0, unix.EINVAL // only files validate their flags
		}
		const known = unix.MAP_SHARED | unix.MAP_PRIVATE | unix.MAP_FIXED | unix.MAP_ANONYMOUS |
			unix.MAP_32BIT | unix.MAP_GROWSDOWN | unix.MAP_DENYWRITE | unix.MAP_EXECUTABLE |
			unix.MAP_LOCKED | unix.MAP_NORESERVE | unix.MAP_POPULATE | unix.MAP_NONBLOCK |
			unix.MAP_STACK | unix.MAP_HUGETLB | unix.MAP_FIXED_NOREPLACE |
			unix.MAP_HUGE_MASK<<unix.MAP_HUGE_SHIFT
		if o.Flags&^known != 0 || o.Flags&unix.MAP_SYNC != 0 {
			return 0, unix.EOPNOTSUPP
		}
		typ = unix.MAP_SHARED
	}
	m.mu.Lock()
	defer m.mu.Unlock()

	fixed := o.Flags&(unix.MAP_FIXED|unix.MAP_FIXED_NOREPLACE) != 0
	var addr uintptr
	if fixed {
		addr = o.Addr
		if addr%PageSize != 0 {
			return 0, unix.EINVAL
		}
		if addr < MinAddr {
			return 0, unix.EPERM
		}
		if addr > m.limit || length > m.limit-addr || m.vmas.overlapsReserved(addr, addr+length) {
			return 0, unix.ENOMEM
		}
		if o.Flags&unix.MAP_FIXED_NOREPLACE != 0 && m.vmas.overlaps(addr, addr+length) {
			return 0, unix.EEXIST
		}
	} else {
		var found bool
		addr, found = m.findSpace(o.Addr, length, o.Flags&unix.MAP_32BIT != 0)
		if !found {
			return 0, unix.ENOMEM
		}
	}
	// A MAP_FIXED mapping replaces what it covers; only growth counts.
	if o.Prot&unix.PROT_WRITE != 0 && typ == unix.MAP_PRIVATE && o.Name != "[stack]" &&
		over(m.limitData, m.dataBytes(addr, addr+length)+length) {
		return 0, unix.ENOMEM
	}
	if over(m.limitAS, m.mappedBytes()-m.vmas.mappedIn(addr, addr+length)+length) {
		return 0, unix.ENOMEM
	}

	prot := o.Prot & (unix.PROT_READ | unix.PROT_WRITE | unix.PROT_EXEC)
	flags := typ | unix.MAP_FIXED | o.Flags&hostMapFlags
	if o.File == nil {
		flags |= unix.MAP_ANONYMOUS
		if _, err := inj.Syscall(unix.SYS_MMAP, addr, length, uintptr(prot), uintptr(flags), ^uintptr(0), 0); err != nil {
			return 0, err
		}
	} else if err := inj.MapFile(addr, length, prot, flags, o.File.HostFD(), o.Offset); err != nil {
		return 0, err
	}
	v := VMA{
		Start: addr, End: addr + length, Prot: prot, Shared: typ == unix.MAP_SHARED,
		File: o.File, Offset: o.Offset, Name: o.Name,
	}
	if v.Shared {
		v.ShareID = shareID(o.File)
		if o.File == nil {
			v.Offset = 0
		}
	}
	m.vmas.remove(addr, addr+length)
	m.vmas.insert(v)
	return addr, nil
}

// findSpace picks an address for a mapping of length bytes: the hint if that
// range is free, else the highest free range below mmapTop, else the lowest
// free range anywhere. MAP_32BIT searches the second gigabyte, as Linux does.
func (m *MM) findSpace(hint, length uintptr, low32 bool) (uintptr, bool) {
	top := m.limit
	if low32 {
		// MAP_32BIT mappings, hinted or not, end within the first 2 GiB.
		top = min(top, 0x80000000)
	}
	if hint != 0 {
		hint = pageDown(hint)
		if hint < MinAddr {
			hint = MinAddr
		}
		if hint <= top && length <= top-hint && !m.vmas.overlaps(hint, hint+length) {
			return hint, true
		}
	}
	if low32 {
		return m.vmas.gapBottomUp(length, 0x40000000, top)
	}
	if a, ok := m.vmas.gapTopDown(length, MinAddr, m.mmapTop); ok {
		return a, true
	}
	return m.vmas.gapBottomUp(length, MinAddr, m.limit)
}

// Munmap implements munmap(2).
func (m *MM) Munmap(inj Injector, addr, length uintptr) error {
	if addr%PageSize != 0 || length == 0 {
		return unix.EINVAL
	}
	length, ok := pageUp(length)
	if !ok || addr > hostTaskSize || length > hostTaskSize-addr {
		return unix.EINVAL
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.unmapLocked(inj, addr, addr+length)
}

// unmapLocked removes [start, end), clipped to the application's range and
// skipping reserved mappings.
func (m *MM) unmapLocked(inj Injector, start, end uintptr) error {
	if end > m.limit {
		end = m.limit
	}
	for start < end {
		// The next piece runs up to the next reserved mapping.
		pieceEnd, next := end, end
		for i := m.vmas.find(start); i < len(m.vmas.v) && m.vmas.v[i].Start < end; i++ {
			if m.vmas.v[i].Reserved {
				pieceEnd, next = m.vmas.v[i].Start, m.vmas.v[i].End
				break
			}
		}
		if pieceEnd > start && m.vmas.overlaps(start, pieceEnd) {
			if _, err := inj.Syscall(unix.SYS_MUNMAP, start, pieceEnd-start); err != nil {
				return err
			}
			m.vmas.remove(start, pieceEnd)
		}
		start = next // past the reserved mapping
	}
	return nil
}

// Mprotect implements mprotect(2).
func (m *MM) Mprotect(inj Injector, addr, length uintptr, prot int) error {
	if addr%PageSize != 0 || prot&^validProt != 0 {
		return unix.EINVAL
	}
	if prot&(unix.PROT_GROWSDOWN|unix.PROT_GROWSUP) != 0 {
		// moat never creates growing mappings (stacks are reserved whole).
		return unix.EINVAL
	}
	length, ok := pageUp(length)
	if !ok {
		return unix.ENOMEM
	}
	if length == 0 {
		return nil
	}
	end := addr + length
	if end < addr || end > m.limit {
		return unix.ENOMEM
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.vmas.covered(addr, end) {
		return unix.ENOMEM
	}
	if m.vmas.overlapsReserved(addr, end) {
		return unix.EACCES
	}
	prot &= unix.PROT_READ | unix.PROT_WRITE | unix.PROT_EXEC
	for i := m.vmas.find(addr); i < len(m.vmas.v) && m.vmas.v[i].Start < end; i++ {
		v := &m.vmas.v[i]
		if v.Shared && v.File != nil && prot&unix.PROT_WRITE != 0 {
			if w, ok := v.File.(interface{ Writable() bool }); ok && !w.Writable() {
				return unix.EACCES
			}
		}
	}
	if prot&unix.PROT_WRITE != 0 {
		// Private mappings becoming writable become data (RLIMIT_DATA).
		var grow uintptr
		for i := m.vmas.find(addr); i < len(m.vmas.v) && m.vmas.v[i].Start < end; i++ {
			v := &m.vmas.v[i]
			if !v.Shared && v.Prot&unix.PROT_WRITE == 0 && v.Name != "[stack]" {
				grow += min(v.End, end) - max(v.Start, addr)
			}
		}
		if grow > 0 && over(m.limitData, m.dataBytes(0, 0)+grow) {
			return unix.ENOMEM
		}
	}
	if _, err := inj.Syscall(unix.SYS_MPROTECT, addr, length, uintptr(prot)); err != nil {
		return err
	}
	lo, hi := m.vmas.isolate(addr, end)
	for i := lo; i < hi; i++ {
		m.vmas.v[i].Prot = prot
	}
	m.vmas.mergeRange(lo, hi)
	return nil
}

// Mremap implements mremap(2). Moves always go to an address the Sentry
// chose (MREMAP_FIXED on the host), so the host never places a mapping.
func (m *MM) Mremap(inj Injector, oldAddr, oldLen, newLen uintptr, flags int, newAddr uintptr) (uintptr, error) {
	const known = unix.MREMAP_MAYMOVE | unix.MREMAP_FIXED | unix.MREMAP_DONTUNMAP
	if flags&^known != 0 || oldAddr%PageSize != 0 {
		return 0, unix.EINVAL
	}
	if flags&unix.MREMAP_FIXED != 0 && flags&unix.MREMAP_MAYMOVE == 0 {
		return 0, unix.EINVAL
	}
	if flags&unix.MREMAP_DONTUNMAP != 0 && (flags&unix.MREMAP_MAYMOVE == 0 || oldLen != newLen) {
		return 0, unix.EINVAL
	}
	oldLen, ok1 := pageUp(oldLen)
	newLen, ok2 := pageUp(newLen)
	if newLen == 0 || !ok1 || !ok2 {
		return 0, unix.EINVAL
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.vmas.lookup(oldAddr)
	if !ok || v.Reserved {
		return 0, unix.EFAULT
	}
	if oldLen == 0 {
		// Duplicating a shared mapping with old_size 0 is not supported.
		return 0, unix.EINVAL
	}
	if oldAddr+oldLen < oldAddr || oldAddr+oldLen > v.End {
		return 0, unix.EFAULT
	}
	proto := *v

	if flags&unix.MREMAP_FIXED != 0 {
		if newAddr%PageSize != 0 {
			return 0, unix.EINVAL
		}
		if newAddr < MinAddr || newAddr > m.limit || newLen > m.limit-newAddr ||
			m.vmas.overlapsReserved(newAddr, newAddr+newLen) {
			return 0, unix.EINVAL
		}
		if newAddr < oldAddr+oldLen && oldAddr < newAddr+newLen {
			return 0, unix.EINVAL
		}
		return m.moveLocked(inj, proto, oldAddr, oldLen, newLen, newAddr, flags)
	}
	if flags&unix.MREMAP_DONTUNMAP != 0 {
		// DONTUNMAP always moves; new_address is a hint, but an aligned one.
		if newAddr%PageSize != 0 {
			return 0, unix.EINVAL
		}
		dst, found := m.findSpace(newAddr, newLen, false)
		if !found {
			return 0, unix.ENOMEM
		}
		return m.moveLocked(inj, proto, oldAddr, oldLen, newLen, dst, flags)
	}
	if newLen <= oldLen {
		if newLen < oldLen {
			if err := m.unmapLocked(inj, oldAddr+newLen, oldAddr+oldLen); err != nil {
				return 0, err
			}
		}
		return oldAddr, nil
	}
	// Grow in place when the range after the old one is free.
	end := oldAddr + newLen
	if end > oldAddr && end <= m.limit && oldAddr+oldLen == v.End && !m.vmas.overlaps(v.End, end) {
		if over(m.limitAS, m.mappedBytes()+newLen-oldLen) ||
			isData(&proto) && over(m.limitData, m.dataBytes(0, 0)+newLen-oldLen) {
			return 0, unix.ENOMEM
		}
		if _, err := inj.Syscall(unix.SYS_MREMAP, oldAddr, oldLen, newLen, 0); err != nil {
			return 0, err
		}
		grown := proto
		grown.Start, grown.End = oldAddr+oldLen, end
		if grown.File != nil || grown.ShareID != 0 {
			grown.Offset = proto.Offset + int64(grown.Start-proto.Start)
		}
		m.vmas.insert(grown)
		return oldAddr, nil
	}
	if flags&unix.MREMAP_MAYMOVE == 0 {
		return 0, unix.ENOMEM
	}
	dst, found := m.findSpace(0, newLen, false)
	if !found {
		return 0, unix.ENOMEM
	}
	return m.moveLocked(inj, proto, oldAddr, oldLen, newLen, dst, flags)
}

// moveLocked moves [oldAddr, oldAddr+oldLen) of the VMA proto to newAddr.
func (m *MM) moveLocked(inj Injector, proto VMA, oldAddr, oldLen, newLen, newAddr uintptr, flags int) (uintptr, error) {
	total := m.mappedBytes() - m.vmas.mappedIn(newAddr, newAddr+newLen) + newLen
	if flags&unix.MREMAP_DONTUNMAP == 0 {
		total -= oldLen
	}
	if over(m.limitAS, total) {
		return 0, unix.ENOMEM
	}
	if isData(&proto) && newLen > oldLen && flags&unix.MREMAP_DONTUNMAP == 0 &&
		over(m.limitData, m.dataBytes(newAddr, newAddr+newLen)+newLen-oldLen) {
		return 0, unix.ENOMEM
	}
	hostFlags := unix.MREMAP_MAYMOVE | unix.MREMAP_FIXED | flags&unix.MREMAP_DONTUNMAP
	got, err := inj.Syscall(unix.SYS_MREMAP, oldAddr, oldLen, newLen, uintptr(hostFlags), newAddr)
	if err != nil {
		return 0, err
	}
	if got != newAddr {
		return 0, unix.EFAULT
	}
	m.vmas.remove(newAddr, newAddr+newLen)
	if flags&unix.MREMAP_DONTUNMAP == 0 {
		m.vmas.remove(oldAddr, oldAddr+oldLen)
	}
	moved := proto
	moved.Start, moved.End = newAddr, newAddr+newLen
	if moved.File != nil || moved.ShareID != 0 {
		moved.Offset = proto.Offset + int64(oldAddr-proto.Start)
	}
	m.vmas.insert(moved)
	return newAddr, nil
}

// Brk implements brk(2): it returns the new break, or the old one when the
// request cannot be met.
func (m *MM) Brk(inj Injector, addr uintptr) uintptr {
	m.mu.Lock()
	defer m.mu.Unlock()
	if addr < m.brkStart {
		return m.brk
	}
	oldEnd, _ := pageUp(m.brk)
	newEnd, ok := pageUp(addr)
	if !ok || newEnd > m.limit {
		return m.brk
	}
	// RLIMIT_DATA bounds the break itself, even within the last heap page.
	if addr > m.brk && over(m.limitData, addr-m.brkStart) {
		return m.brk
	}
	switch {
	case newEnd < oldEnd:
		if err := m.unmapLocked(inj, newEnd, oldEnd); err != nil {
			return m.brk
		}
	case newEnd > oldEnd:
		if over(m.limitAS, m.mappedBytes()+newEnd-oldEnd) ||
			over(m.limitData, m.dataBytes(0, 0)+newEnd-oldEnd) {
			return m.brk
		}
		// Linux keeps a page free between the heap and the next mapping.
		if newEnd+PageSize < newEnd || m.vmas.overlaps(oldEnd, newEnd+PageSize) {
			return m.brk
		}
		prot := unix.PROT_READ | unix.PROT_WRITE
		if _, err := inj.Syscall(unix.SYS_MMAP, oldEnd, newEnd-oldEnd, uintptr(prot),
			unix.MAP_PRIVATE|unix.MAP_ANONYMOUS|unix.MAP_FIXED, ^uintptr(0), 0); err != nil {
			return m.brk
		}
		m.vmas.insert(VMA{Start: oldEnd, End: newEnd, Prot: prot, Name: "[heap]"})
	}
	m.brk = addr
	return addr
}

// madvise behaviours (x/sys names some of them).
const (
	madvNormal         = 0
	madvRandom         = 1
	madvSequential     = 2
	madvWillneed       = 3
	madvDontneed       = 4
	madvFree           = 8
	madvRemove         = 9
	madvDontfork       = 10
	madvDofork         = 11
	madvMergeable      = 12
	madvUnmergeable    = 13
	madvHugepage       = 14
	madvNohugepage     = 15
	madvDontdump       = 16
	madvDodump         = 17
	madvWipeonfork     = 18
	madvKeeponfork     = 19
	madvCold           = 20
	madvPageout        = 21
	madvPopulateRead   = 22
	madvPopulateWrite  = 23
	madvDontneedLocked = 24
	madvCollapse       = 25
	madvHwpoison       = 100
	madvSoftOffline    = 101
)

// Madvise implements madvise(2).
func (m *MM) Madvise(inj Injector, addr, length uintptr, advice int) error {
	if addr%PageSize != 0 {
		return unix.EINVAL
	}
	host := false // whether the host must see the advice
	switch advice {
	case madvNormal, madvRandom, madvSequential, madvMergeable, madvUnmergeable,
		madvDontdump, madvDodump, madvCollapse:
	case madvWillneed, madvDontneed, madvFree, madvRemove, madvDontfork, madvDofork,
		madvHugepage, madvNohugepage, madvWipeonfork, madvKeeponfork, madvCold, madvPageout,
		madvPopulateRead, madvPopulateWrite, madvDontneedLocked:
		host = true
	case madvHwpoison, madvSoftOffline:
		return unix.EPERM
	default:
		return unix.EINVAL
	}
	length, ok := pageUp(length)
	if !ok {
		return unix.EINVAL
	}
	if length == 0 {
		return nil
	}
	end := addr + length
	if end < addr {
		return unix.EINVAL
	}
	if end > m.limit {
		return unix.ENOMEM
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	holes := !m.vmas.covered(addr, end)
	if m.vmas.overlapsReserved(addr, end) {
		return unix.EINVAL
	}
	if host {
		// Apply to each mapped run, so that the host sees no hole.
		for i := m.vmas.find(addr); i < len(m.vmas.v) && m.vmas.v[i].Start < end; {
			s := max(m.vmas.v[i].Start, addr)
			j := i
			for j+1 < len(m.vmas.v) && m.vmas.v[j+1].Start == m.vmas.v[j].End && m.vmas.v[j+1].Start < end {
				j++
			}
			e := min(m.vmas.v[j].End, end)
			if _, err := inj.Syscall(unix.SYS_MADVISE, s, e-s, uintptr(advice)); err != nil {
				return err
			}
			i = j + 1
		}
	}
	switch advice {
	case madvDontfork, madvDofork, madvWipeonfork, madvKeeponfork:
		lo, hi := m.vmas.isolate(addr, end)
		for i := lo; i < hi; i++ {
			switch advice {
			case madvDontfork:
				m.vmas.v[i].DontFork = true
			case madvDofork:
				m.vmas.v[i].DontFork = false
			case madvWipeonfork:
				m.vmas.v[i].WipeOnFork = true
			case madvKeeponfork:
				m.vmas.v[i].WipeOnFork = false
			}
		}
		m.vmas.mergeRange(lo, hi)
	}
	if holes {
		return unix.ENOMEM
	}
	return nil
}

// Free reports whether [start, end) is free and usable by the application.
func (m *MM) Free(start, end uintptr) bool {
	if start < MinAddr || end < start || end > m.limit {
		return false
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return !m.vmas.overlaps(start, end)
}

// FindSpace returns a free range of length bytes, searching down from the
// mmap top as mmap does.
func (m *MM) FindSpace(length uintptr) (uintptr, error) {
	length, ok := pageUp(length)
	if !ok {
		return 0, unix.ENOMEM
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	a, found := m.findSpace(0, length, false)
	if !found {
		return 0, unix.ENOMEM
	}
	return a, nil
}

// Fork returns a copy of the address space for a forked host process,
// whose memory the host already copied (copy-on-write) except for
// MADV_DONTFORK ranges, which the copy leaves out as the host did.
func (m *MM) Fork(mem Memory) *MM {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := &MM{mem: mem, limit: m.limit, mmapTop: m.mmapTop, brkStart: m.brkStart, brk: m.brk,
		limitAS: m.limitAS, limitData: m.limitData}
	for _, v := range m.vmas.v {
		if v.DontFork {
			continue
		}
		c.vmas.v = append(c.vmas.v, v)
		opened(&v)
	}
	return c
}

// Release drops the address space's mappings from the Sentry's books when
// its host process is gone (exit, or the old image at exec): mappings that
// count their users (System V shared memory) are told. The host process
// must not be used through m afterwards; Release is idempotent.
func (m *MM) Release() {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := range m.vmas.v {
		closed(&m.vmas.v[i])
	}
	m.vmas.v = nil
}

// Detach implements shmdt(2) for the address space, as Linux does it:
// size reports whether a Mappable is an attachment and the size it was
// attached with. The first attachment VMA at or above addr whose offset is
// its distance from addr is unmapped, then every later VMA of that same
// attachment, at the same distance rule, that ends within the size from
// addr. It returns the attachment, or EINVAL when there was none.
func (m *MM) Detach(inj Injector, addr uintptr, size func(Mappable) (uintptr, bool)) (Mappable, error) {
	if addr%PageSize != 0 {
		return nil, unix.EINVAL
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	at := func(v *VMA) bool {
		return v.File != nil && v.Start >= addr && v.Offset == int64(v.Start-addr)
	}
	var file Mappable
	var n uintptr
	var ranges []Range
	i := m.vmas.find(addr)
	for ; i < len(m.vmas.v); i++ {
		v := &m.vmas.v[i]
		if !at(v) {
			continue
		}
		if sz, ok := size(v.File); ok {
			file, n = v.File, sz
			ranges = append(ranges, Range{v.Start, v.End})
			i++
			break
		}
	}
	if file == nil {
		return nil, unix.EINVAL
	}
	n, _ = pageUp(n)
	for ; i < len(m.vmas.v) && m.vmas.v[i].End-addr <= n; i++ {
		if v := &m.vmas.v[i]; v.File == file && at(v) {
			ranges = append(ranges, Range{v.Start, v.End})
		}
	}
	for _, r := range ranges {
		if _, err := inj.Syscall(unix.SYS_MUNMAP, r.Start, r.End-r.Start); err != nil {
			return nil, err
		}
		m.vmas.remove(r.Start, r.End)
	}
	return file, nil
}

var (
	shareMu     sync.Mutex
	nextShareID uint64
	fileShareID = map[[2]uint64]uint64{}
)

// shareID names the memory behind a new shared mapping: a fresh ID for
// anonymous memory, the file's (device, inode) for a file.
func shareID(f Mappable) uint64 {
	shareMu.Lock()
	defer shareMu.Unlock()
	if f != nil {
		var st unix.Stat_t
		if unix.Fstat(f.HostFD(), &st) == nil {
			k := [2]uint64{st.Dev, st.Ino}
			if id, ok := fileShareID[k]; ok {
				return id
			}
			nextShareID++
			fileShareID[k] = nextShareID
			return nextShareID
		}
	}
	nextShareID++
	return nextShareID
}

// SharedKey names the shared memory at addr for futexes: the object and
// the offset in it; ok is false for private memory.
func (m *MM) SharedKey(addr uintptr) (id uint64, off int64, ok bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, found := m.vmas.lookup(addr)
	if !found || v.ShareID == 0 {
		return 0, 0, false
	}
	return v.ShareID, v.Offset + int64(addr-v.Start), true
}
