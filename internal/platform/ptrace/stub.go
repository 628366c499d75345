package ptrace

import (
	"encoding/binary"
	"fmt"
	"sync"

	"golang.org/x/sys/unix"
)

// The stub is a tiny static ELF that moat writes at run time. It has two
// pages at stubBase: code (R+X, ELF headers included) and scratch (R+W, for
// the few structures an injected call needs in memory, such as recvmsg's
// msghdr). The application never maps at or above stubBase; everything the
// application runs lives below it.
const (
	stubBase    = 0x7ff000000000
	stubCode    = stubBase
	stubScratch = stubBase + 0x1000
	stubEnd     = stubBase + 0x2000

	codeOffset = 0x100 // machine code starts here, after the headers
)

// Entry points in the stub's code page.
const (
	// siteSyscall is "syscall; int3": an injected call stops at siteSyscall+3.
	siteSyscall = stubCode + codeOffset
	// sitePark is "loop: mov eax, SYS_pause; syscall; jmp loop". A stub thread
	// that nobody traces waits here.
	sitePark = stubCode + codeOffset + 3
	// siteClone is "syscall; test rax, rax; jz park; int3": the child of an
	// injected clone parks, the parent stops at siteClone+8.
	siteClone = stubCode + codeOffset + 0xc
	// siteCAS is "lock cmpxchg [rdi], esi; int3": a 32-bit compare-and-swap
	// of application memory (eax: expected, esi: new; eax: old value).
	siteCAS = stubCode + codeOffset + 0x14
	// siteFaultFrame is "int3": the stub's SIGSEGV and SIGBUS handler. The
	// Sentry lets the host kernel deliver a fault signal here only to read
	// the frame it builds (the CPU's trap number and error code, which
	// ptrace does not report), then puts the thread back as it was.
	siteFaultFrame = stubCode + codeOffset + 0x19
)

var stubMachineCode = []byte{
	// 0x00 siteSyscall
	0x0f, 0x05, // syscall
	0xcc, // int3
	// 0x03 sitePark
	0xb8, 0x22, 0x00, 0x00, 0x00, // mov eax, 34 (pause)
	0x0f, 0x05, // syscall
	0xeb, 0xf7, // jmp sitePark
	// 0x0c siteClone
	0x0f, 0x05, // syscall
	0x48, 0x85, 0xc0, // test rax, rax
	0x74, 0xf0, // jz sitePark
	0xcc, // int3
	// 0x14 siteCAS
	0xf0, 0x0f, 0xb1, 0x37, // lock cmpxchg [rdi], esi
	0xcc, // int3
	// 0x19 siteFaultFrame
	0xcc, // int3
}

// stubELF returns the stub's executable image.
func stubELF() []byte {
	const (
		ehsize  = 64
		phsize  = 56
		phnum   = 3
		ptLoad  = 1
		ptStack = 0x6474e551 // PT_GNU_STACK
		pfX     = 1
		pfW     = 2
		pfR     = 4
	)
	img := make([]byte, codeOffset+len(stubMachineCode))
	le := binary.LittleEndian
	copy(img, []byte{0x7f, 'E', 'L', 'F', 2 /* 64-bit */, 1 /* LE */, 1 /* version */})
	le.PutUint16(img[16:], 2)    // ET_EXEC
	le.PutUint16(img[18:], 0x3e) // EM_X86_64
	le.PutUint32(img[20:], 1)
	le.PutUint64(img[24:], sitePark) // e_entry: a stray resume just parks
	le.PutUint64(img[32:], ehsize)   // e_phoff
	le.PutUint16(img[52:], ehsize)
	le.PutUint16(img[54:], phsize)
	le.PutUint16(img[56:], phnum)
	ph := func(i int, typ, flags uint32, off, vaddr, filesz, memsz, align uint64) {
		b := img[ehsize+i*phsize:]
		le.PutUint32(b[0:], typ)
		le.PutUint32(b[4:], flags)
		le.PutUint64(b[8:], off)
		le.PutUint64(b[16:], vaddr)
		le.PutUint64(b[24:], vaddr)
		le.PutUint64(b[32:], filesz)
		le.PutUint64(b[40:], memsz)
		le.PutUint64(b[48:], align)
	}
	ph(0, ptLoad, pfR|pfX, 0, stubCode, uint64(len(img)), uint64(len(img)), 0x1000)
	ph(1, ptLoad, pfR|pfW, 0, stubScratch, 0, 0x1000, 0x1000)
	// PT_GNU_STACK without X: the kernel never sets READ_IMPLIES_EXEC.
	ph(2, ptStack, pfR|pfW, 0, 0, 0, 0, 16)
	copy(img[codeOffset:], stubMachineCode)
	return img
}

var (
	stubOnce sync.Once
	stubFD   int
	stubErr  error
)

// stubExecutable returns a sealed memfd holding the stub, created once per
// Sentry. It is close-on-exec; the stub is started through /proc/self/fd/N.
func stubExecutable() (int, error) {
	stubOnce.Do(func() {
		fd, err := unix.MemfdCreate("moat-stub", unix.MFD_CLOEXEC|unix.MFD_ALLOW_SEALING|unix.MFD_EXEC)
		if err == unix.EINVAL {
			// Kernels before 6.3 know no MFD_EXEC; their memfds are executable.
			fd, err = unix.MemfdCreate("moat-stub", unix.MFD_CLOEXEC|unix.MFD_ALLOW_SEALING)
		}
		if err != nil {
			stubErr = fmt.Errorf("memfd_create for the stub: %w", err)
			return
		}
		img := stubELF()
		if n, err := unix.Write(fd, img); err != nil || n != len(img) {
			unix.Close(fd)
			stubErr = fmt.Errorf("writing the stub: %v", err)
			return
		}
		seals := unix.F_SEAL_SEAL | unix.F_SEAL_SHRINK | unix.F_SEAL_GROW | unix.F_SEAL_WRITE
		if _, err := unix.FcntlInt(uintptr(fd), unix.F_ADD_SEALS, seals); err != nil {
			unix.Close(fd)
			stubErr = fmt.Errorf("sealing the stub: %w", err)
			return
		}
		stubFD = fd
	})
	return stubFD, stubErr
}
