package loader

import (
	"crypto/rand"
	"encoding/binary"
	"io"

	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/mm"
)

// Image is an executable file the loader can read and map.
type Image interface {
	io.ReaderAt
	mm.Mappable
}

// Args describe one execve.
type Args struct {
	Image Image
	// Filename is the path as execve was given it (AT_EXECFN).
	Filename   string
	Argv, Envv []string
	UID, EUID  uint32
	GID, EGID  uint32
	Secure     bool
	// VDSO is the address of the host vDSO in the address space, or 0.
	VDSO uintptr
	// StackLimit is RLIMIT_STACK's soft limit.
	StackLimit uint64
	// OpenInterpreter opens the ELF interpreter a dynamic executable names
	// (PT_INTERP), or is nil when none can be opened.
	OpenInterpreter func(path string) (Image, error)
}

// Program is a loaded program, ready to run.
type Program struct {
	Entry, Stack uintptr
	// Where argv and envp strings lie, for /proc/PID/cmdline and environ.
	ArgvStart, ArgvEnd uintptr
	EnvStart, EnvEnd   uintptr
	Auxv               []AuxEntry
	// Interpreter is the PT_INTERP path, or "".
	Interpreter string
	// Images are the mapped files (executable, interpreter), kept open by
	// the caller as long as they are mapped.
	Images []Image
}

const (
	// Stack sizes: RLIMIT_STACK clamped to these, reserved whole up front.
	minStack = 128 << 10
	maxStack = 1 << 30
	// mmapGap is the least space kept free below the stack's reservation.
	mmapGap = 128 << 20
)

// random returns a page-aligned random offset below 1<<bits pages.
func random(bits uint) uintptr {
	var b [8]byte
	rand.Read(b[:])
	return uintptr(binary.LittleEndian.Uint64(b[:])&(1<<bits-1)) * mm.PageSize
}

// Load maps a.Image into m, which must be empty but for reserved mappings,
// and sets up the initial stack. ENOEXEC means the file is not an x86-64 ELF
// executable.
func Load(inj mm.Injector, m *mm.MM, a Args) (*Program, error) {
	info, err := readELF(a.Image)
	if err != nil {
		return nil, err
	}
	prog := &Program{Interpreter: info.interp, Images: []Image{a.Image}}

	// Layout: the stack just below the top, randomised over 16 GiB; mmap
	// space below it; an ET_DYN executable at two thirds of the space.
	limit := m.Limit()
	stackSize := uintptr(a.StackLimit)
	if a.StackLimit > maxStack {
		stackSize = maxStack
	}
	if stackSize < minStack {
		stackSize = minStack
	}
	stackSize = stackSize &^ (mm.PageSize - 1)
	stackTop := limit - mm.PageSize - random(22)
	m.SetMmapTop(stackTop - stackSize - max(stackSize, mmapGap) - random(28))

	var bias uintptr
	lo, hi := info.span()
	if hi-lo > uint64(limit) {
		return nil, unix.ENOMEM
	}
	if info.typ == etDyn {
		bias = (limit/3*2)&^(mm.PageSize-1) + random(28) - uintptr(lo)
	}
	if err := mapImage(inj, m, a.Image, info, bias); err != nil {
		return nil, err
	}
	entry := uintptr(info.entry) + bias
	m.SetBrk(uintptr(hi) + bias + random(13))

	var interpBase uintptr
	if info.interp != "" {
		if a.OpenInterpreter == nil {
			return nil, unix.ENOENT
		}
		img, err := a.OpenInterpreter(info.interp)
		if err != nil {
			return nil, err
		}
		prog.Images = append(prog.Images, img)
		iinfo, err := readELF(img)
		if err != nil {
			return nil, unix.ELIBBAD
		}
		if iinfo.interp != "" {
			return nil, unix.ELIBBAD
		}
		ilo, ihi := iinfo.span()
		var ibias uintptr
		if iinfo.typ == etDyn {
			base, err := m.FindSpace(uintptr(ihi - ilo))
			if err != nil {
				return nil, err
			}
			ibias = base - uintptr(ilo)
		}
		if err := mapImage(inj, m, img, iinfo, ibias); err != nil {
			return nil, err
		}
		interpBase = uintptr(ilo) + ibias
		entry = uintptr(iinfo.entry) + ibias
	}

	stackProt := unix.PROT_READ | unix.PROT_WRITE
	if info.execStack {
		stackProt |= unix.PROT_EXEC
	}
	stackBottom, err := m.MMap(inj, mm.MMapOpts{
		Addr: stackTop - stackSize, Length: stackSize, Prot: stackProt,
		Flags: unix.MAP_PRIVATE | unix.MAP_ANONYMOUS | unix.MAP_FIXED | unix.MAP_NORESERVE,
		Name:  "[stack]",
	})
	if err != nil {
		return nil, err
	}

	aux := []AuxEntry{
		{AT_SYSINFO_EHDR, uint64(a.VDSO)},
		{AT_MINSIGSTKSZ, hostAux(AT_MINSIGSTKSZ, 2048)},
		{AT_HWCAP, hostAux(AT_HWCAP, 0)},
		{AT_PAGESZ, mm.PageSize},
		{AT_CLKTCK, 100},
		{AT_PHDR, info.phdrAddr() + uint64(bias)},
		{AT_PHENT, phdrSize},
		{AT_PHNUM, uint64(len(info.phdrs))},
		{AT_BASE, uint64(interpBase)},
		{AT_FLAGS, 0},
		{AT_ENTRY, info.entry + uint64(bias)},
		{AT_UID, uint64(a.UID)},
		{AT_EUID, uint64(a.EUID)},
		{AT_GID, uint64(a.GID)},
		{AT_EGID, uint64(a.EGID)},
		{AT_SECURE, b2u(a.Secure)},
		{AT_RANDOM, 0}, // filled in by buildStack
		{AT_HWCAP2, hostAux(AT_HWCAP2, 0)},
		{AT_EXECFN, 0},   // filled in by buildStack
		{AT_PLATFORM, 0}, // filled in by buildStack
	}
	if a.VDSO == 0 {
		aux = aux[1:]
	}
	if err := buildStack(m, prog, stackBottom, stackTop, a, aux); err != nil {
		return nil, err
	}
	prog.Entry = entry
	return prog, nil
}

func b2u(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

// mapImage maps the PT_LOAD segments of an ELF file at bias, as Linux's
// ELF loader does: file pages private, the tail of the last file page
// zeroed, anonymous pages for the rest of the bss.
func mapImage(inj mm.Injector, m *mm.MM, img Image, info *elfInfo, bias uintptr) error {
	lo, hi := info.span()
	if !m.Free(uintptr(lo)+bias, uintptr(hi)+bias) {
		return unix.ENOMEM
	}
	for _, ph := range info.phdrs {
		if ph.Type != ptLoad || ph.Memsz == 0 {
			continue
		}
		prot := protOf(ph.Flags)
		start := uintptr(ph.Vaddr)&^(mm.PageSize-1) + bias
		fileEnd := uintptr(ph.Vaddr+ph.Filesz) + bias
		memEnd := (uintptr(ph.Vaddr+ph.Memsz)+mm.PageSize-1)&^(mm.PageSize-1) + bias
		anonStart := start
		if ph.Filesz > 0 {
			mapEnd := (fileEnd + mm.PageSize - 1) &^ (mm.PageSize - 1)
			zeroTail := ph.Memsz > ph.Filesz && fileEnd%mm.PageSize != 0
			mapProt := prot
			if zeroTail {
				mapProt |= unix.PROT_WRITE
			}
			_, err := m.MMap(inj, mm.MMapOpts{
				Addr: start, Length: mapEnd - start, Prot: mapProt,
				Flags: unix.MAP_PRIVATE | unix.MAP_FIXED, File: img, Offset: int64(ph.Off &^ 4095),
			})
			if err != nil {
				return err
			}
			if zeroTail {
				if err := m.CopyOut(fileEnd, make([]byte, mapEnd-fileEnd)); err != nil {
					return err
				}
				if mapProt != prot {
					if err := m.Mprotect(inj, start, mapEnd-start, prot); err != nil {
						return err
					}
				}
			}
			anonStart = mapEnd
		}
		if memEnd > anonStart {
			_, err := m.MMap(inj, mm.MMapOpts{
				Addr: anonStart, Length: memEnd - anonStart, Prot: prot,
				Flags: unix.MAP_PRIVATE | unix.MAP_ANONYMOUS | unix.MAP_FIXED,
			})
			if err != nil {
				return err
			}
		}
	}
	return nil
}
