package syscalls

import (
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/ipc"
	"github.com/moat-sandbox/moat/internal/sentry/kernel"
	smm "github.com/moat-sandbox/moat/internal/sentry/mm"
)

// System V shared memory (svipc(7)): the segments live in internal/sentry/ipc,
// one namespace per sandbox; an attachment is a shared mapping of the
// segment's memfd made by the Sentry's mm like any other.

func init() {
	register(map[uintptr]Syscall{
		unix.SYS_SHMGET: {Handler: Shmget, Args: []Arg{AHex, AInt, AOctal}},
		unix.SYS_SHMAT:  {Handler: Shmat, Args: []Arg{AInt, APtr, AHex}},
		unix.SYS_SHMDT:  {Handler: Shmdt, Args: []Arg{APtr}},
		unix.SYS_SHMCTL: {Handler: Shmctl, Status: Partial, Note: "SHM_LOCK and SHM_UNLOCK set the flag only (pages are never swapped anyway)", Args: []Arg{AInt, AInt, APtr}},
	})
}

// shm* command and flag values (include/uapi/linux/shm.h, ipc.h).
const (
	shmRdonly  = 0o10000
	shmRnd     = 0o20000
	shmRemap   = 0o40000
	shmExec    = 0o100000
	shmLock    = 11
	shmUnlock  = 12
	shmStat    = 13
	shmInfo    = 14
	shmStatAny = 15
	ipcInfo    = 3
	ipc64      = 0x100
	shmLBA     = smm.PageSize
)

var ipcNamespaces sync.Map // *kernel.Kernel -> *ipc.Namespace

// shmNamespace returns the sandbox's IPC namespace.
func shmNamespace(t *kernel.Task) *ipc.Namespace {
	k := t.Kernel()
	if ns, ok := ipcNamespaces.Load(k); ok {
		return ns.(*ipc.Namespace)
	}
	ns := &ipc.Namespace{Attachments: func(s *ipc.Segment) int { return attachments(k, s) }}
	actual, _ := ipcNamespaces.LoadOrStore(k, ns)
	return actual.(*ipc.Namespace)
}

// attachments counts the mappings of s in the live address spaces of k.
func attachments(k *kernel.Kernel, s *ipc.Segment) int {
	seen := map[*smm.MM]bool{}
	n := 0
	for _, tg := range k.Groups() {
		if tg.Exited() {
			continue
		}
		for _, t := range tg.Tasks() {
			m := t.MM()
			if m == nil || seen[m] {
				continue
			}
			seen[m] = true
			for _, v := range m.VMAs() {
				if seg, ok := v.File.(*ipc.Segment); ok && seg == s {
					n++
				}
			}
		}
	}
	return n
}

// Shmget implements shmget(2).
func Shmget(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	id, err := shmNamespace(t).Get(t.Creds(), t.TGID(), int32(a[0]), uint64(a[1]), int(int32(a[2])))
	return uintptr(id), err
}

// Shmat implements shmat(2).
func Shmat(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	id, addr, flag := int32(a[0]), a[1], int(int32(a[2]))
	ns := shmNamespace(t)
	s, err := ns.StartAttach(id)
	if err != nil {
		return 0, err
	}
	mapped := false
	defer func() { ns.EndAttach(s, t.TGID(), mapped) }()
	want := 0o444
	prot := unix.PROT_READ
	if flag&shmRdonly == 0 {
		want |= 0o222
		prot |= unix.PROT_WRITE
	}
	if flag&shmExec != 0 {
		want |= 0o111
		prot |= unix.PROT_EXEC
	}
	var perr error
	ns.Locked(func() { perr = ipc.Permission(t.Creds(), s, want) })
	if perr != nil {
		return 0, perr
	}
	opts := smm.MMapOpts{Length: uintptr(s.Pages() * smm.PageSize), Prot: prot, Flags: unix.MAP_SHARED, File: s}
	if addr != 0 {
		if addr%shmLBA != 0 {
			if flag&shmRnd == 0 {
				return 0, unix.EINVAL
			}
			addr &^= shmLBA - 1
			if addr == 0 {
				return 0, unix.EINVAL
			}
		}
		opts.Addr = addr
		// Linux maps at the address given, failing where something is
		// mapped already unless SHM_REMAP says to replace it.
		if flag&shmRemap != 0 {
			opts.Flags |= unix.MAP_FIXED
		} else {
			opts.Flags |= unix.MAP_FIXED_NOREPLACE
		}
	} else if flag&shmRemap != 0 {
		return 0, unix.EINVAL
	}
	at, err := t.MM().MMap(t.Injector(), opts)
	if err == unix.EEXIST {
		err = unix.EINVAL
	}
	if err != nil {
		return 0, err
	}
	mapped = true
	return at, nil
}

// Shmdt implements shmdt(2): the attachment that starts at addr goes, all
// of its pieces up to the segment's size.
func Shmdt(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	addr := a[0]
	if addr%shmLBA != 0 {
		return 0, unix.EINVAL
	}
	m := t.MM()
	var seg *ipc.Segment
	var pieces [][2]uintptr
	for _, v := range m.VMAs() {
		s, ok := v.File.(*ipc.Segment)
		if !ok {
			continue
		}
		if seg == nil {
			if v.Start == addr && v.Offset == 0 {
				seg = s
				pieces = append(pieces, [2]uintptr{v.Start, v.End})
			}
			continue
		}
		end := addr + uintptr(seg.Pages()*smm.PageSize)
		if s == seg && v.Start < end && v.Offset == int64(v.Start-addr) {
			pieces = append(pieces, [2]uintptr{v.Start, min(v.End, end)})
		}
	}
	if seg == nil {
		return 0, unix.EINVAL
	}
	for _, p := range pieces {
		if err := m.Munmap(t.Injector(), p[0], p[1]-p[0]); err != nil {
			return 0, err
		}
	}
	ns := shmNamespace(t)
	ns.Locked(func() {
		seg.Dtime = time.Now().Unix()
		seg.LPID = t.TGID()
	})
	ns.Collect()
	return 0, nil
}

// Shmctl implements shmctl(2).
func Shmctl(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	id, cmd, buf := int32(a[0]), int(int32(a[1]))&^ipc64, a[2]
	ns := shmNamespace(t)
	c := t.Creds()
	switch cmd {
	case ipcInfo:
		maxSlot, _, _ := ns.Info()
		b := make([]byte, 9*8) // struct shminfo64
		for i, v := range []uint64{ipc.SHMMAX, ipc.SHMMIN, ipc.SHMMNI, ipc.SHMSEG, ipc.SHMALL} {
			le.PutUint64(b[8*i:], v)
		}
		if err := t.CopyOut(buf, b); err != nil {
			return 0, err
		}
		return uintptr(max(maxSlot, 0)), nil
	case shmInfo:
		maxSlot, used, pages := ns.Info()
		b := make([]byte, 48) // struct shm_info: int used_ids, then five unsigned longs
		le.PutUint32(b[0:], uint32(used))
		le.PutUint64(b[8:], pages)  // shm_tot
		le.PutUint64(b[16:], pages) // shm_rss: everything is resident
		if err := t.CopyOut(buf, b); err != nil {
			return 0, err
		}
		return uintptr(max(maxSlot, 0)), nil
	}

	var s *ipc.Segment
	var err error
	if cmd == shmStat || cmd == shmStatAny {
		s, err = ns.AtSlot(int(id))
	} else {
		s, err = ns.Lookup(id)
	}
	if err != nil {
		return 0, err
	}
	switch cmd {
	case unix.IPC_STAT, shmStat, shmStatAny:
		if cmd != shmStatAny {
			var perr error
			ns.Locked(func() { perr = ipc.Permission(c, s, 0o444) })
			if perr != nil {
				return 0, perr
			}
		}
		nattch := ns.Nattch(s)
		var b []byte
		var ret int32
		ns.Locked(func() {
			b = shmidDS(s, nattch)
			ret = s.ID
		})
		if err := t.CopyOut(buf, b); err != nil {
			return 0, err
		}
		if cmd == unix.IPC_STAT {
			return 0, nil
		}
		return uintptr(ret), nil
	case unix.IPC_SET:
		b := make([]byte, 112)
		if err := t.CopyIn(buf, b); err != nil {
			return 0, err
		}
		var perr error
		ns.Locked(func() {
			if !ipc.IsOwner(c, s) {
				perr = unix.EPERM
				return
			}
			s.UID, s.GID = le.Uint32(b[4:]), le.Uint32(b[8:])
			s.Mode = s.Mode&^0o777 | le.Uint32(b[20:])&0o777
			s.Ctime = time.Now().Unix()
		})
		return 0, perr
	case unix.IPC_RMID:
		var owner bool
		ns.Locked(func() { owner = ipc.IsOwner(c, s) })
		if !owner {
			return 0, unix.EPERM
		}
		ns.Remove(s)
		return 0, nil
	case shmLock, shmUnlock:
		var perr error
		ns.Locked(func() {
			if !ipc.CanLock(c, s) {
				perr = unix.EPERM
				return
			}
			if cmd == shmLock {
				s.Mode |= ipc.ModeLocked
			} else {
				s.Mode &^= ipc.ModeLocked
			}
		})
		return 0, perr
	}
	return 0, unix.EINVAL
}

// shmidDS lays out struct shmid64_ds as x86-64 has it (112 bytes): the
// ipc64_perm (key, uid, gid, cuid, cgid, mode, seq), then segsz, atime,
// dtime, ctime, cpid, lpid, nattch.
func shmidDS(s *ipc.Segment, nattch int) []byte {
	b := make([]byte, 112)
	le.PutUint32(b[0:], uint32(s.Key))
	le.PutUint32(b[4:], s.UID)
	le.PutUint32(b[8:], s.GID)
	le.PutUint32(b[12:], s.CUID)
	le.PutUint32(b[16:], s.CGID)
	le.PutUint32(b[20:], s.Mode)
	le.PutUint16(b[24:], uint16(s.ID/(1<<15)))
	le.PutUint64(b[48:], s.Size)
	le.PutUint64(b[56:], uint64(s.Atime))
	le.PutUint64(b[64:], uint64(s.Dtime))
	le.PutUint64(b[72:], uint64(s.Ctime))
	le.PutUint32(b[80:], uint32(s.CPID))
	le.PutUint32(b[84:], uint32(s.LPID))
	le.PutUint64(b[88:], uint64(nattch))
	return b
}
