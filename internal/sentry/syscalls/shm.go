package syscalls

import (
	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/ipc/shm"
	"github.com/moat-sandbox/moat/internal/sentry/kernel"
	smm "github.com/moat-sandbox/moat/internal/sentry/mm"
)

func init() {
	register(map[uintptr]Syscall{
		unix.SYS_SHMGET: {Handler: Shmget, Status: Partial, Note: "SHM_HUGETLB gives ENOMEM, as on Linux with no huge pages reserved",
			Args: []Arg{AHex, AUint, AOctal}},
		unix.SYS_SHMAT: {Handler: Shmat, Args: []Arg{AInt, APtr, AOctal}, Ret: RHex},
		unix.SYS_SHMDT: {Handler: Shmdt, Args: []Arg{APtr}},
		unix.SYS_SHMCTL: {Handler: Shmctl, Status: Partial,
			Note: "SHM_LOCK records the flag but locks no page; SHM_INFO's shm_rss counts the pages the host memfds hold",
			Args: []Arg{AInt, AInt, APtr}},
	})
}

// shmget and shmat flags, shmctl commands.
const (
	shmRdonly = 0o10000
	shmRnd    = 0o20000
	shmRemap  = 0o40000
	shmExec   = 0o100000

	ipcRmid        = 0
	ipcSet         = 1
	ipcStat        = 2
	ipcInfo        = 3
	shmLock        = 11
	shmUnlock      = 12
	shmStat        = 13
	shmInfo        = 14
	shmStatAny     = 15
	sizeofShmidDS  = 112
	sizeofShminfo  = 72
	sizeofShmInfoT = 48
)

// Shmget implements shmget(2).
func Shmget(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	key, size, flags := int32(a[0]), uint64(a[1]), int(int32(a[2]))
	id, err := t.Kernel().SHM().Get(t.Creds(), t.TGID(), key, size, flags)
	return uintptr(id), err
}

// Shmat implements shmat(2).
func Shmat(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	id, addr, flags := int32(a[0]), a[1], int(int32(a[2]))
	if id < 0 {
		return 0, unix.EINVAL
	}
	if addr != 0 {
		if addr%shm.SHMLBA != 0 {
			if flags&shmRnd == 0 {
				return 0, unix.EINVAL
			}
			addr &^= shm.SHMLBA - 1
			if addr == 0 && flags&shmRemap != 0 {
				return 0, unix.EINVAL
			}
		}
	} else if flags&shmRemap != 0 {
		return 0, unix.EINVAL
	}
	prot, access := unix.PROT_READ, uint32(shm.AttachRead)
	if flags&shmRdonly == 0 {
		prot |= unix.PROT_WRITE
		access |= shm.AttachWrite
	}
	if flags&shmExec != 0 {
		prot |= unix.PROT_EXEC
		access |= shm.AttachExec
	}
	seg, err := t.Kernel().SHM().BeginAttach(t.Creds(), id, access)
	if err != nil {
		return 0, err
	}
	size := uintptr(seg.Size())
	att := seg.NewAttachment(flags&shmRdonly != 0)
	opts := smm.MMapOpts{Length: size, Prot: prot, Flags: unix.MAP_SHARED, File: att}
	if addr != 0 {
		if addr+size < addr {
			seg.EndAttach(t.TGID(), false)
			return 0, unix.EINVAL
		}
		opts.Addr = addr
		if flags&shmRemap != 0 {
			opts.Flags |= unix.MAP_FIXED
		} else {
			opts.Flags |= unix.MAP_FIXED_NOREPLACE
		}
	}
	got, err := t.MM().MMap(t.Injector(), opts)
	if err == unix.EEXIST {
		err = unix.EINVAL // an address in use without SHM_REMAP
	}
	seg.EndAttach(t.TGID(), err == nil)
	if err != nil {
		return 0, err
	}
	return got, nil
}

// Shmdt implements shmdt(2).
func Shmdt(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	f, err := t.MM().Detach(t.Injector(), a[0], func(m smm.Mappable) (uintptr, bool) {
		n, ok := shm.AttachSize(m)
		return uintptr(n), ok
	})
	if err != nil {
		return 0, err
	}
	f.(*shm.Attachment).Segment().Detached(t.TGID())
	return 0, nil
}

// Shmctl implements shmctl(2).
func Shmctl(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	id, cmd, buf := int32(a[0]), int32(a[1]), a[2]
	if cmd < 0 || id < 0 {
		return 0, unix.EINVAL
	}
	r := t.Kernel().SHM()
	c := t.Creds()
	switch cmd {
	case ipcInfo:
		var b [sizeofShminfo]byte
		le.PutUint64(b[0:], shm.SHMMAX)
		le.PutUint64(b[8:], shm.SHMMIN)
		le.PutUint64(b[16:], shm.SHMMNI)
		le.PutUint64(b[24:], shm.SHMSEG)
		le.PutUint64(b[32:], shm.SHMALL)
		if err := t.CopyOut(buf, b[:]); err != nil {
			return 0, unix.EFAULT
		}
		return uintptr(r.MaxIndex()), nil
	case shmInfo:
		info := r.Info()
		var b [sizeofShmInfoT]byte
		le.PutUint32(b[0:], uint32(info.UsedIDs))
		le.PutUint64(b[8:], info.Tot)
		le.PutUint64(b[16:], info.RSS)
		le.PutUint64(b[24:], info.Swp)
		le.PutUint64(b[32:], info.SwapAttempts)
		le.PutUint64(b[40:], info.Successes)
		if err := t.CopyOut(buf, b[:]); err != nil {
			return 0, unix.EFAULT
		}
		return uintptr(r.MaxIndex()), nil
	case ipcStat, shmStat, shmStatAny:
		st, sid, err := r.Stat(c, id, cmd != ipcStat, cmd == shmStatAny)
		if err != nil {
			return 0, err
		}
		var b [sizeofShmidDS]byte
		le.PutUint32(b[0:], uint32(st.Key))
		le.PutUint32(b[4:], st.UID)
		le.PutUint32(b[8:], st.GID)
		le.PutUint32(b[12:], st.CUID)
		le.PutUint32(b[16:], st.CGID)
		le.PutUint32(b[20:], st.Mode)
		le.PutUint16(b[24:], st.Seq)
		le.PutUint64(b[48:], st.Size)
		le.PutUint64(b[56:], uint64(st.ATime))
		le.PutUint64(b[64:], uint64(st.DTime))
		le.PutUint64(b[72:], uint64(st.CTime))
		le.PutUint32(b[80:], uint32(st.CPID))
		le.PutUint32(b[84:], uint32(st.LPID))
		le.PutUint64(b[88:], st.NAttch)
		if err := t.CopyOut(buf, b[:]); err != nil {
			return 0, unix.EFAULT
		}
		if cmd == ipcStat {
			return 0, nil
		}
		return uintptr(sid), nil
	case ipcSet:
		var b [sizeofShmidDS]byte
		if err := t.CopyIn(buf, b[:]); err != nil {
			return 0, unix.EFAULT
		}
		return 0, r.Set(c, id, le.Uint32(b[4:]), le.Uint32(b[8:]), le.Uint32(b[20:]))
	case ipcRmid:
		return 0, r.Remove(c, id)
	case shmLock, shmUnlock:
		return 0, r.Lock(c, id, cmd == shmLock, t.ThreadGroup().Limits().Cur(unix.RLIMIT_MEMLOCK))
	}
	return 0, unix.EINVAL
}
