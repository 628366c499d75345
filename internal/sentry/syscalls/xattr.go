package syscalls

import (
	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/kernel"
)

func init() {
	const note = "no filesystem stores extended attributes yet: reads find none (ENODATA, empty lists), writes give ENOTSUP"
	for nr, s := range map[uintptr]Syscall{
		unix.SYS_GETXATTR:     {Handler: pathGetxattr(true), Args: []Arg{APath, APath, APtr, AUint}},
		unix.SYS_LGETXATTR:    {Handler: pathGetxattr(false), Args: []Arg{APath, APath, APtr, AUint}},
		unix.SYS_FGETXATTR:    {Handler: Fgetxattr, Args: []Arg{AFD, APath, APtr, AUint}},
		unix.SYS_LISTXATTR:    {Handler: pathListxattr(true), Args: []Arg{APath, APtr, AUint}},
		unix.SYS_LLISTXATTR:   {Handler: pathListxattr(false), Args: []Arg{APath, APtr, AUint}},
		unix.SYS_FLISTXATTR:   {Handler: Flistxattr, Args: []Arg{AFD, APtr, AUint}},
		unix.SYS_SETXATTR:     {Handler: pathSetxattr(true), Args: []Arg{APath, APath, APtr, AUint, AHex}},
		unix.SYS_LSETXATTR:    {Handler: pathSetxattr(false), Args: []Arg{APath, APath, APtr, AUint, AHex}},
		unix.SYS_FSETXATTR:    {Handler: Fsetxattr, Args: []Arg{AFD, APath, APtr, AUint, AHex}},
		unix.SYS_REMOVEXATTR:  {Handler: pathRemovexattr(true), Args: []Arg{APath, APath}},
		unix.SYS_LREMOVEXATTR: {Handler: pathRemovexattr(false), Args: []Arg{APath, APath}},
		unix.SYS_FREMOVEXATTR: {Handler: Fremovexattr, Args: []Arg{AFD, APath}},
	} {
		s.Status, s.Note = Partial, note
		register(map[uintptr]Syscall{nr: s})
	}
}

// xattrName checks an attribute name: 1 to 255 bytes with a known prefix.
func xattrName(t *kernel.Task, addr uintptr) error {
	name, err := t.CopyInString(addr, 255)
	if err == unix.ENAMETOOLONG {
		return unix.ERANGE
	}
	if err != nil {
		return err
	}
	if name == "" {
		return unix.ERANGE
	}
	for _, p := range []string{"user.", "trusted.", "security.", "system."} {
		if len(name) > len(p) && name[:len(p)] == p {
			return nil
		}
	}
	return unix.EOPNOTSUPP
}

func pathExists(t *kernel.Task, addr uintptr, follow bool) error {
	path, err := copyInPath(t, addr, false)
	if err != nil {
		return err
	}
	_, err = resolve(t, unix.AT_FDCWD, path, follow)
	return err
}

func pathGetxattr(follow bool) Handler {
	return func(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
		if err := pathExists(t, a[0], follow); err != nil {
			return 0, err
		}
		if err := xattrName(t, a[1]); err != nil {
			return 0, err
		}
		return 0, unix.ENODATA
	}
}

// Fgetxattr implements fgetxattr(2).
func Fgetxattr(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	return 0, fdXattr(t, a[0], a[1], unix.ENODATA)
}

func pathListxattr(follow bool) Handler {
	return func(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
		return 0, pathExists(t, a[0], follow)
	}
}

// Flistxattr implements flistxattr(2).
func Flistxattr(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	f, err := getFile(t, a[0])
	if err != nil {
		return 0, err
	}
	f.DecRef()
	return 0, nil
}

func pathSetxattr(follow bool) Handler {
	return func(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
		if err := pathExists(t, a[0], follow); err != nil {
			return 0, err
		}
		if a[4]&^(unix.XATTR_CREATE|unix.XATTR_REPLACE) != 0 {
			return 0, unix.EINVAL
		}
		if err := xattrName(t, a[1]); err != nil {
			return 0, err
		}
		return 0, unix.EOPNOTSUPP
	}
}

// Fsetxattr implements fsetxattr(2).
func Fsetxattr(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	f, err := getFile(t, a[0])
	if err != nil {
		return 0, err
	}
	f.DecRef()
	if a[4]&^(unix.XATTR_CREATE|unix.XATTR_REPLACE) != 0 {
		return 0, unix.EINVAL
	}
	if err := xattrName(t, a[1]); err != nil {
		return 0, err
	}
	return 0, unix.EOPNOTSUPP
}

func pathRemovexattr(follow bool) Handler {
	return func(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
		if err := pathExists(t, a[0], follow); err != nil {
			return 0, err
		}
		if err := xattrName(t, a[1]); err != nil {
			return 0, err
		}
		return 0, unix.ENODATA
	}
}

// Fremovexattr implements fremovexattr(2).
func Fremovexattr(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	return 0, fdXattr(t, a[0], a[1], unix.ENODATA)
}

// fdXattr checks fd and the attribute name, then fails with result: no
// filesystem has attributes.
func fdXattr(t *kernel.Task, fd, nameAddr uintptr, result error) error {
	f, err := getFile(t, fd)
	if err != nil {
		return err
	}
	f.DecRef()
	if err := xattrName(t, nameAddr); err != nil {
		return err
	}
	return result
}
