package syscalls

import (
	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/kernel"
	"github.com/moat-sandbox/moat/internal/sentry/linux"
)

func init() {
	register(map[uintptr]Syscall{
		unix.SYS_CLONE:    {Handler: Clone, Status: Partial, Note: "no namespaces (CLONE_NEW*: EINVAL), no CLONE_PIDFD", Args: []Arg{AHex, APtr, APtr, APtr, AHex}},
		unix.SYS_CLONE3:   {Handler: Clone3, Status: Partial, Note: "no namespaces, set_tid or cgroups", Args: []Arg{APtr, AUint}},
		unix.SYS_FORK:     {Handler: Fork},
		unix.SYS_VFORK:    {Handler: Vfork},
		unix.SYS_EXECVE:   {Handler: Execve, Args: []Arg{APath, APtr, APtr}},
		unix.SYS_EXECVEAT: {Handler: Execveat, Args: []Arg{AFD, APath, APtr, APtr, AAtFlags}},
		unix.SYS_WAIT4:    {Handler: Wait4, Status: Partial, Note: "rusage has times and max RSS only", Args: []Arg{AInt, APtr, AHex, APtr}},
		unix.SYS_WAITID:   {Handler: Waitid, Status: Partial, Note: "rusage has times and max RSS only", Args: []Arg{AInt, AInt, APtr, AHex, APtr}},
		unix.SYS_SETPGID:  {Handler: Setpgid, Args: []Arg{AInt, AInt}},
		unix.SYS_GETPGID:  {Handler: Getpgid, Args: []Arg{AInt}},
		unix.SYS_GETPGRP:  {Handler: Getpgrp},
		unix.SYS_SETSID:   {Handler: Setsid},
		unix.SYS_GETSID:   {Handler: Getsid, Args: []Arg{AInt}},
	})
}

// Clone implements clone(2). The x86-64 argument order is flags, stack,
// parent_tid, child_tid, tls.
func Clone(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	flags := uint64(a[0])
	if flags&unix.CLONE_PIDFD != 0 {
		return 0, unix.EINVAL
	}
	tid, err := t.Clone(kernel.CloneArgs{
		Flags: flags &^ 0xff, ExitSignal: linux.Signal(flags & 0xff),
		Stack: a[1], ParentTID: a[2], ChildTID: a[3], TLS: a[4],
	})
	return uintptr(tid), err
}

// Clone3 implements clone3(2) (struct clone_args, at least 64 bytes).
func Clone3(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	const sizeVer0 = 64
	size := a[1]
	if size < sizeVer0 || size > 4096 {
		return 0, unix.EINVAL
	}
	b := make([]byte, size)
	if err := t.CopyIn(a[0], b); err != nil {
		return 0, err
	}
	for _, x := range b[min(size, 88):] {
		if x != 0 {
			return 0, unix.E2BIG
		}
	}
	flags := le.Uint64(b[0:])
	pidfd, childTID, parentTID := uintptr(le.Uint64(b[8:])), uintptr(le.Uint64(b[16:])), uintptr(le.Uint64(b[24:]))
	exitSignal, stack, stackSize, tls := le.Uint64(b[32:]), uintptr(le.Uint64(b[40:])), uintptr(le.Uint64(b[48:])), uintptr(le.Uint64(b[56:]))
	if size >= 88 && (le.Uint64(b[64:]) != 0 || le.Uint64(b[72:]) != 0 || le.Uint64(b[80:]) != 0) {
		return 0, unix.EINVAL // set_tid and cgroup are not supported
	}
	if exitSignal > 64 || flags&unix.CLONE_PIDFD != 0 || flags&0xff != 0 {
		return 0, unix.EINVAL
	}
	if (stack == 0) != (stackSize == 0) {
		return 0, unix.EINVAL
	}
	sp := uintptr(0)
	if stack != 0 {
		sp = stack + stackSize // the stack grows down from its end
	}
	_ = pidfd
	tid, err := t.Clone(kernel.CloneArgs{
		Flags: flags, ExitSignal: linux.Signal(exitSignal), Stack: sp,
		ParentTID: parentTID, ChildTID: childTID, TLS: tls,
	})
	return uintptr(tid), err
}

// Fork implements fork(2).
func Fork(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	tid, err := t.Clone(kernel.CloneArgs{ExitSignal: linux.SIGCHLD})
	return uintptr(tid), err
}

// Vfork implements vfork(2): the child shares the address space and the
// parent waits until it execs or exits.
func Vfork(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	tid, err := t.Clone(kernel.CloneArgs{Flags: unix.CLONE_VM | unix.CLONE_VFORK, ExitSignal: linux.SIGCHLD})
	return uintptr(tid), err
}

// maxArgStrlen and the vector limit as execve(2) has them.
const (
	maxArgStrlen = 32 * 4096
	maxArgCount  = 0x7fffffff / 8
)

// copyInStrings reads a NULL-terminated vector of strings (argv, envp).
func copyInStrings(t *kernel.Task, addr uintptr) ([]string, error) {
	if addr == 0 {
		return nil, nil
	}
	ptrs, err := t.MM().CopyInPointers(addr, maxArgCount)
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(ptrs))
	total := 0
	for _, p := range ptrs {
		s, err := t.CopyInString(p, maxArgStrlen-1)
		if err == unix.ENAMETOOLONG {
			return nil, unix.E2BIG
		}
		if err != nil {
			return nil, err
		}
		total += len(s) + 1
		if total > 2<<20 {
			return nil, unix.E2BIG
		}
		out = append(out, s)
	}
	return out, nil
}

func execveat(t *kernel.Task, dirfd int32, pathAddr, argvAddr, envAddr uintptr, flags int) (uintptr, error) {
	if flags&^(unix.AT_EMPTY_PATH|unix.AT_SYMLINK_NOFOLLOW) != 0 {
		return 0, unix.EINVAL
	}
	path, err := copyInPath(t, pathAddr, flags&unix.AT_EMPTY_PATH != 0)
	if err != nil {
		return 0, err
	}
	argv, err := copyInStrings(t, argvAddr)
	if err != nil {
		return 0, err
	}
	envv, err := copyInStrings(t, envAddr)
	if err != nil {
		return 0, err
	}
	if dirfd != unix.AT_FDCWD && (path == "" || path[0] != '/') {
		// Relative to a directory fd: resolve it to an absolute path in
		// the sandbox's tree, which the exec then walks again.
		vd, err := dirfdDentry(t, dirfd)
		if err != nil {
			return 0, err
		}
		base := vd.PathFrom(t.FS().Root())
		if path == "" {
			path = base
		} else {
			path = base + "/" + path
		}
	}
	if flags&unix.AT_SYMLINK_NOFOLLOW != 0 {
		vd, err := resolve(t, unix.AT_FDCWD, path, false)
		if err != nil {
			return 0, err
		}
		if st, err := vd.Inode().Stat(t); err == nil && st.IsSymlink() {
			return 0, unix.ELOOP
		}
	}
	return 0, t.Execve(path, argv, envv)
}

// Execve implements execve(2).
func Execve(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	return execveat(t, unix.AT_FDCWD, a[0], a[1], a[2], 0)
}

// Execveat implements execveat(2).
func Execveat(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	return execveat(t, int32(a[0]), a[1], a[2], a[3], int(a[4]))
}

// wait(2) option bits.
const (
	wNoHang    = 0x1
	wUntraced  = 0x2
	wStopped   = 0x2
	wExited    = 0x4
	wContinued = 0x8
	wNoWait    = 0x01000000
	wNoThread  = 0x20000000
	wAll       = 0x40000000
	wClone     = 0x80000000
)

// Wait4 implements wait4(2).
func Wait4(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	pid, statusAddr, options, rusage := int32(a[0]), a[1], uint32(a[2]), a[3]
	if options&^(wNoHang|wUntraced|wContinued|wNoThread|wAll|wClone) != 0 {
		return 0, unix.EINVAL
	}
	if pid == -1<<31 {
		return 0, unix.ESRCH
	}
	res, err := t.Wait(kernel.WaitOpts{
		PID: pid, Exited: true, Stopped: options&wUntraced != 0, Cont: options&wContinued != 0,
		NoHang: options&wNoHang != 0, All: options&wAll != 0, Clone: options&wClone != 0,
	})
	if err != nil {
		return 0, waitErr(err)
	}
	if res == nil {
		return 0, nil
	}
	if statusAddr != 0 {
		if err := copyOutInt32(t, statusAddr, int32(res.Wait)); err != nil {
			return 0, err
		}
	}
	if rusage != 0 {
		b := marshalRusage(res.Usage)
		if err := t.CopyOut(rusage, b[:]); err != nil {
			return 0, err
		}
	}
	return uintptr(res.PID), nil
}

// waitErr turns an interrupted wait into a restart.
func waitErr(err error) error {
	if err == unix.ECHILD || err == unix.EINVAL {
		return err
	}
	return linux.ERESTARTSYS
}

// waitid(2) id types.
const (
	pAll   = 0
	pPID   = 1
	pPGID  = 2
	pPIDFD = 3
)

// Waitid implements waitid(2).
func Waitid(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	idtype, id, infop, options, rusage := int(a[0]), int32(a[1]), a[2], uint32(a[3]), a[4]
	if options&^(wNoHang|wStopped|wExited|wContinued|wNoWait|wNoThread|wAll|wClone) != 0 ||
		options&(wStopped|wExited|wContinued) == 0 {
		return 0, unix.EINVAL
	}
	o := kernel.WaitOpts{
		Exited: options&wExited != 0, Stopped: options&wStopped != 0, Cont: options&wContinued != 0,
		NoHang: options&wNoHang != 0, NoWait: options&wNoWait != 0, All: options&wAll != 0, Clone: options&wClone != 0,
	}
	switch idtype {
	case pAll:
		o.PID = -1
	case pPID:
		if id <= 0 {
			return 0, unix.EINVAL
		}
		o.PID = id
	case pPGID:
		if id < 0 {
			return 0, unix.EINVAL
		}
		o.PID = -id
		if id == 0 {
			o.PID = 0
		}
	case pPIDFD:
		f, err := getFile(t, uintptr(id))
		if err != nil {
			return 0, err
		}
		pf, ok := f.Impl().(*pidFile)
		f.DecRef()
		if !ok {
			return 0, unix.EBADF // an open fd that is not a pidfd, as Linux
		}
		o.PID = pf.tg.TGID()
	default:
		return 0, unix.EINVAL
	}
	res, err := t.Wait(o)
	if err != nil {
		return 0, waitErr(err)
	}
	if infop != 0 {
		info := linux.SignalInfo{}
		if res != nil {
			info.Signo = int32(linux.SIGCHLD)
			info.Code = res.Code
			info.SetPID(res.PID)
			info.SetUID(res.UID)
			info.SetStatus(res.Status)
		}
		b := make([]byte, linux.SizeofSignalInfo)
		info.Marshal(b)
		if err := t.CopyOut(infop, b); err != nil {
			return 0, err
		}
	}
	if rusage != 0 {
		var u kernel.Usage
		if res != nil {
			u = res.Usage
		}
		b := marshalRusage(u)
		if err := t.CopyOut(rusage, b[:]); err != nil {
			return 0, err
		}
	}
	return 0, nil
}

// Setpgid implements setpgid(2).
func Setpgid(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	return 0, t.Setpgid(int32(a[0]), int32(a[1]))
}

// targetGroup finds the process pid names (0: the caller).
func targetGroup(t *kernel.Task, pid int32) (*kernel.ThreadGroup, error) {
	if pid == 0 {
		return t.ThreadGroup(), nil
	}
	if pid < 0 {
		return nil, unix.EINVAL
	}
	tg := t.Kernel().GroupByTGID(pid)
	if tg == nil {
		return nil, unix.ESRCH
	}
	return tg, nil
}

// Getpgid implements getpgid(2).
func Getpgid(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	tg, err := targetGroup(t, int32(a[0]))
	if err != nil {
		return 0, err
	}
	return uintptr(tg.PGID()), nil
}

// Getpgrp implements getpgrp(2).
func Getpgrp(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	return uintptr(t.ThreadGroup().PGID()), nil
}

// Setsid implements setsid(2).
func Setsid(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	sid, err := t.Setsid()
	return uintptr(sid), err
}

// Getsid implements getsid(2).
func Getsid(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	tg, err := targetGroup(t, int32(a[0]))
	if err != nil {
		return 0, err
	}
	return uintptr(tg.SID()), nil
}
