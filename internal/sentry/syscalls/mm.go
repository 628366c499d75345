package syscalls

import (
	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/kernel"
	smm "github.com/moat-sandbox/moat/internal/sentry/mm"
	"github.com/moat-sandbox/moat/internal/sentry/vfs"
)

func init() {
	register(map[uintptr]Syscall{
		unix.SYS_BRK:      {Handler: Brk, Args: []Arg{APtr}, Ret: RHex},
		unix.SYS_MMAP:     {Handler: Mmap, Args: []Arg{APtr, AUint, AProt, AMapFlags, AFD, AHex}, Ret: RHex},
		unix.SYS_MUNMAP:   {Handler: Munmap, Args: []Arg{APtr, AUint}},
		unix.SYS_MPROTECT: {Handler: Mprotect, Args: []Arg{APtr, AUint, AProt}},
		unix.SYS_MREMAP:   {Handler: Mremap, Args: []Arg{APtr, AUint, AUint, AHex, APtr}, Ret: RHex},
		unix.SYS_MADVISE:  {Handler: Madvise, Args: []Arg{APtr, AUint, AInt}},
		unix.SYS_MSYNC:    {Handler: Msync, Args: []Arg{APtr, AUint, AHex}},
	})
}

// Brk implements brk(2).
func Brk(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	return t.MM().Brk(t.Injector(), a[0]), nil
}

// Mmap implements mmap(2).
func Mmap(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	addr, length, prot, flags, fd, off := a[0], a[1], int(a[2]), int(a[3]), a[4], a[5]
	if off%smm.PageSize != 0 {
		return 0, unix.EINVAL
	}
	opts := smm.MMapOpts{Addr: addr, Length: length, Prot: prot, Flags: flags, Offset: int64(off)}
	if flags&unix.MAP_ANONYMOUS == 0 {
		f, err := getOpenFile(t, fd)
		if err != nil {
			return 0, err
		}
		defer f.DecRef()
		if a, ok := f.Impl().(interface{ MapsAnonymous() bool }); ok && a.MapsAnonymous() {
			// /dev/zero: private or shared anonymous memory.
			opts.Flags |= unix.MAP_ANONYMOUS
			opts.Offset = 0
			return t.MM().MMap(t.Injector(), opts)
		}
		mappable, ok := f.Impl().(smm.Mappable)
		if !ok {
			return 0, unix.ENODEV
		}
		if !f.Readable() {
			return 0, unix.EACCES
		}
		if flags&(unix.MAP_SHARED|unix.MAP_PRIVATE) == unix.MAP_SHARED && prot&unix.PROT_WRITE != 0 && !f.Writable() {
			return 0, unix.EACCES
		}
		if int64(off) < 0 {
			return 0, unix.EOVERFLOW
		}
		opts.File = namedMappable{mappable, mappingName(t, f)}
	} else {
		opts.Offset = 0
	}
	return t.MM().MMap(t.Injector(), opts)
}

// Munmap implements munmap(2).
func Munmap(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	return 0, t.MM().Munmap(t.Injector(), a[0], a[1])
}

// Mprotect implements mprotect(2).
func Mprotect(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	return 0, t.MM().Mprotect(t.Injector(), a[0], a[1], int(a[2]))
}

// Mremap implements mremap(2).
func Mremap(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	return t.MM().Mremap(t.Injector(), a[0], a[1], a[2], int(a[3]), a[4])
}

// Madvise implements madvise(2).
func Madvise(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	return 0, t.MM().Madvise(t.Injector(), a[0], a[1], int(a[2]))
}

// Msync implements msync(2).
func Msync(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	addr, length, flags := a[0], a[1], int(a[2])
	if addr%smm.PageSize != 0 || flags&^(unix.MS_ASYNC|unix.MS_SYNC|unix.MS_INVALIDATE) != 0 ||
		flags&unix.MS_ASYNC != 0 && flags&unix.MS_SYNC != 0 {
		return 0, unix.EINVAL
	}
	end := (addr + length + smm.PageSize - 1) &^ (smm.PageSize - 1)
	if end < addr {
		return 0, unix.ENOMEM
	}
	for at := addr; at < end; {
		v, ok := t.MM().Mapped(at)
		if !ok {
			return 0, unix.ENOMEM
		}
		at = v.End
	}
	if end == addr {
		return 0, nil
	}
	_, err := t.Injector().Syscall(unix.SYS_MSYNC, addr, end-addr, uintptr(flags))
	return 0, err
}

// namedMappable names a file mapping by the path it was opened at, as
// /proc/PID/maps shows it.
type namedMappable struct {
	smm.Mappable
	name string
}

func (n namedMappable) MappingName() string { return n.name }

func mappingName(t *kernel.Task, f *vfs.File) string {
	if vd := f.VirtualDentry(); vd.Ok() {
		return vd.PathFrom(t.FS().Root())
	}
	return f.Impl().(smm.Mappable).MappingName()
}
