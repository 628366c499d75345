// Package loader starts a program in a fresh address space: it maps an ELF
// executable (and its interpreter, if it names one), reserves the stack, and
// lays out argv, envp and the auxiliary vector as Linux's execve does.
package loader

import (
	"encoding/binary"
	"io"

	"golang.org/x/sys/unix"
)

// ELF constants (elf(5)).
const (
	etExec     = 2
	etDyn      = 3
	emX86_64   = 62
	ptLoad     = 1
	ptInterp   = 3
	ptPhdr     = 6
	ptGNUStack = 0x6474e551
	pfX        = 1
	pfW        = 2
	pfR        = 4

	ehdrSize = 64
	phdrSize = 56
	// maxPhdrBytes is Linux's limit on the program header table (64 KiB).
	maxPhdrBytes = 65536
)

type progHeader struct {
	Type   uint32
	Flags  uint32
	Off    uint64
	Vaddr  uint64
	Filesz uint64
	Memsz  uint64
	Align  uint64
}

// elfInfo is what the loader needs of an ELF file.
type elfInfo struct {
	typ       uint16
	entry     uint64
	phoff     uint64
	phdrs     []progHeader
	interp    string
	execStack bool
}

// readELF parses and checks the headers of an x86-64 ELF file. Anything that
// is not one gives ENOEXEC, as execve(2) does.
func readELF(r io.ReaderAt) (*elfInfo, error) {
	var eh [ehdrSize]byte
	if n, err := r.ReadAt(eh[:], 0); n < len(eh) {
		if err != nil && err != io.EOF {
			return nil, unix.EIO
		}
		return nil, unix.ENOEXEC
	}
	if string(eh[:4]) != "\x7fELF" || eh[4] != 2 /* 64-bit */ || eh[5] != 1 /* LE */ || eh[6] != 1 {
		return nil, unix.ENOEXEC
	}
	le := binary.LittleEndian
	info := &elfInfo{typ: le.Uint16(eh[16:])}
	if info.typ != etExec && info.typ != etDyn {
		return nil, unix.ENOEXEC
	}
	if le.Uint16(eh[18:]) != emX86_64 {
		return nil, unix.ENOEXEC
	}
	info.entry = le.Uint64(eh[24:])
	info.phoff = le.Uint64(eh[32:])
	phentsize := le.Uint16(eh[54:])
	phnum := int(le.Uint16(eh[56:]))
	if phentsize != phdrSize || phnum < 1 || phnum*phdrSize > maxPhdrBytes {
		return nil, unix.ENOEXEC
	}
	buf := make([]byte, phnum*phdrSize)
	if n, _ := r.ReadAt(buf, int64(info.phoff)); n < len(buf) || int64(info.phoff) < 0 {
		return nil, unix.ENOEXEC
	}
	loads := 0
	for i := 0; i < phnum; i++ {
		b := buf[i*phdrSize:]
		ph := progHeader{
			Type: le.Uint32(b[0:]), Flags: le.Uint32(b[4:]), Off: le.Uint64(b[8:]),
			Vaddr: le.Uint64(b[16:]), Filesz: le.Uint64(b[32:]), Memsz: le.Uint64(b[40:]),
			Align: le.Uint64(b[48:]),
		}
		info.phdrs = append(info.phdrs, ph)
		switch ph.Type {
		case ptLoad:
			loads++
			if ph.Filesz > ph.Memsz || ph.Vaddr+ph.Memsz < ph.Vaddr || ph.Off+ph.Filesz < ph.Off ||
				ph.Vaddr%4096 != ph.Off%4096 {
				return nil, unix.ENOEXEC
			}
		case ptInterp:
			if info.interp != "" || ph.Filesz < 2 || ph.Filesz > unix.PathMax {
				return nil, unix.ENOEXEC
			}
			p := make([]byte, ph.Filesz)
			if n, _ := r.ReadAt(p, int64(ph.Off)); n < len(p) || p[len(p)-1] != 0 {
				return nil, unix.ENOEXEC
			}
			info.interp = string(p[:len(p)-1])
			for _, c := range p[:len(p)-1] {
				if c == 0 {
					return nil, unix.ENOEXEC
				}
			}
		case ptGNUStack:
			info.execStack = ph.Flags&pfX != 0
		}
	}
	if loads == 0 {
		return nil, unix.ENOEXEC
	}
	return info, nil
}

// span returns the page-aligned range the PT_LOAD segments cover.
func (e *elfInfo) span() (lo, hi uint64) {
	lo = ^uint64(0)
	for _, ph := range e.phdrs {
		if ph.Type != ptLoad {
			continue
		}
		if s := ph.Vaddr &^ 4095; s < lo {
			lo = s
		}
		if end := (ph.Vaddr + ph.Memsz + 4095) &^ 4095; end > hi {
			hi = end
		}
	}
	return lo, hi
}

// phdrAddr is the unbiased address of the program headers in memory.
func (e *elfInfo) phdrAddr() uint64 {
	for _, ph := range e.phdrs {
		if ph.Type == ptPhdr {
			return ph.Vaddr
		}
	}
	for _, ph := range e.phdrs {
		if ph.Type == ptLoad && e.phoff >= ph.Off && e.phoff < ph.Off+ph.Filesz {
			return e.phoff - ph.Off + ph.Vaddr
		}
	}
	return 0
}

func protOf(flags uint32) int {
	p := 0
	if flags&pfR != 0 {
		p |= unix.PROT_READ
	}
	if flags&pfW != 0 {
		p |= unix.PROT_WRITE
	}
	if flags&pfX != 0 {
		p |= unix.PROT_EXEC
	}
	return p
}
