// Package ipc is the System V IPC namespace of a sandbox: shared memory
// segments (shmget(2) and friends). Each segment is backed by a host
// memfd, so an attachment is an ordinary shared file mapping that the
// host shares between the stubs that map it.
package ipc

import (
	"fmt"
	"os"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/auth"
)

// Limits, as Linux's defaults (ipc/shm.c, include/uapi/linux/shm.h).
const (
	SHMMIN = 1
	SHMMAX = ^uint64(0) - 1<<24
	SHMALL = ^uint64(0) - 1<<24 // in pages
	SHMMNI = 4096
	SHMSEG = SHMMNI // attachments per process (not enforced by Linux either)

	// seqMultiplier turns a slot and a sequence number into an id
	// (IPCMNI_SEQ_SHIFT).
	seqMultiplier = 1 << 15

	// Mode bits beyond the permissions.
	ModeDest   = 0o1000 // SHM_DEST: removed, destroyed at the last detach
	ModeLocked = 0o2000 // SHM_LOCKED

	capIPCLock  = 14
	capIPCOwner = 15
	capSysAdmin = 21

	pageSize = 4096
)

// Segment is one shared memory segment. It is an mm.Mappable.
type Segment struct {
	file *os.File // the memfd, rounded up to whole pages

	// Guarded by the namespace's mu.
	ID, Key              int32
	Size                 uint64 // as asked (shm_segsz)
	UID, GID, CUID, CGID uint32
	Mode                 uint32 // permission bits | ModeDest | ModeLocked
	Atime, Dtime, Ctime  int64
	CPID, LPID           int32
	slot                 int
	removed              bool // gone from the namespace
	attaching            int  // shmat calls between lookup and mapping
}

// HostFD implements mm.Mappable.
func (s *Segment) HostFD() int { return int(s.file.Fd()) }

// MappingName implements mm.Mappable: what Linux's maps shows for a
// segment.
func (s *Segment) MappingName() string { return fmt.Sprintf("/SYSV%08x (deleted)", uint32(s.Key)) }

// Pages is the mapped length of the segment.
func (s *Segment) Pages() uint64 { return (s.Size + pageSize - 1) / pageSize }

// Namespace is an IPC namespace's shared memory segments.
type Namespace struct {
	// Attachments counts the mappings of a segment across the sandbox's
	// live address spaces (Linux's shm_nattch counts VMAs: a fork adds
	// the child's, an mprotect that splits an attachment adds one).
	Attachments func(*Segment) int

	mu    sync.Mutex
	slots []*Segment // by slot; nil where free
	seq   int
	total uint64 // pages in use
}

// nattch is Attachments, for a nil func 0.
func (ns *Namespace) nattch(s *Segment) int {
	if ns.Attachments == nil {
		return 0
	}
	return ns.Attachments(s)
}

// Permission implements ipcperms: the owner's, the group's or the others'
// bits of mode must grant every bit requested (in any of the three
// octal digits of flag), unless the caller has CAP_IPC_OWNER.
func Permission(c *auth.Credentials, s *Segment, flag int) error {
	requested := (flag>>6 | flag>>3 | flag) & 0o7
	granted := int(s.Mode)
	switch {
	case c.EffectiveUID == s.UID || c.EffectiveUID == s.CUID:
		granted >>= 6
	case c.InGroup(s.GID) || c.InGroup(s.CGID):
		granted >>= 3
	}
	if requested&^granted&0o7 != 0 && !c.HasCap(capIPCOwner) {
		return unix.EACCES
	}
	return nil
}

// IsOwner reports whether c may change or remove s (IPC_SET, IPC_RMID):
// its owner, its creator, or CAP_SYS_ADMIN.
func IsOwner(c *auth.Credentials, s *Segment) bool {
	return c.EffectiveUID == s.UID || c.EffectiveUID == s.CUID || c.HasCap(capSysAdmin)
}

// CanLock reports whether c may SHM_LOCK or SHM_UNLOCK s.
func CanLock(c *auth.Credentials, s *Segment) bool {
	return c.HasCap(capIPCLock) || c.EffectiveUID == s.UID || c.EffectiveUID == s.CUID
}

// Get implements shmget(2).
func (ns *Namespace) Get(c *auth.Credentials, pid int32, key int32, size uint64, flag int) (int32, error) {
	ns.mu.Lock()
	defer ns.mu.Unlock()
	ns.collectLocked()
	if key != unix.IPC_PRIVATE {
		for _, s := range ns.slots {
			if s == nil || s.Key != key || s.Mode&ModeDest != 0 {
				continue
			}
			if flag&unix.IPC_CREAT != 0 && flag&unix.IPC_EXCL != 0 {
				return 0, unix.EEXIST
			}
			if err := Permission(c, s, flag); err != nil {
				return 0, err
			}
			if size > s.Size {
				return 0, unix.EINVAL
			}
			return s.ID, nil
		}
		if flag&unix.IPC_CREAT == 0 {
			return 0, unix.ENOENT
		}
	}
	if size < SHMMIN || size > SHMMAX {
		return 0, unix.EINVAL
	}
	pages := (size + pageSize - 1) / pageSize
	if ns.total+pages < ns.total || ns.total+pages > SHMALL {
		return 0, unix.ENOSPC
	}
	slot := -1
	for i, s := range ns.slots {
		if s == nil {
			slot = i
			break
		}
	}
	if slot < 0 {
		if len(ns.slots) >= SHMMNI {
			return 0, unix.ENOSPC
		}
		slot = len(ns.slots)
		ns.slots = append(ns.slots, nil)
	}
	fd, err := unix.MemfdCreate("moat-sysv-shm", unix.MFD_CLOEXEC)
	if err != nil {
		return 0, unix.ENOMEM
	}
	f := os.NewFile(uintptr(fd), "moat-sysv-shm")
	if err := f.Truncate(int64(pages * pageSize)); err != nil {
		f.Close()
		return 0, unix.ENOMEM
	}
	ns.seq = (ns.seq + 1) % (1 << 16)
	s := &Segment{
		file: f, Key: key, Size: size, slot: slot,
		UID: c.EffectiveUID, GID: c.EffectiveGID, CUID: c.EffectiveUID, CGID: c.EffectiveGID,
		Mode: uint32(flag) & 0o777, Ctime: time.Now().Unix(), CPID: pid,
		ID: int32(ns.seq*seqMultiplier + slot),
	}
	ns.slots[slot] = s
	ns.total += pages
	return s.ID, nil
}

// Lookup returns the segment with id: EINVAL if there is none.
func (ns *Namespace) Lookup(id int32) (*Segment, error) {
	ns.mu.Lock()
	defer ns.mu.Unlock()
	ns.collectLocked() // a segment whose last user exited is gone
	return ns.lookupLocked(id)
}

func (ns *Namespace) lookupLocked(id int32) (*Segment, error) {
	if id < 0 {
		return nil, unix.EINVAL
	}
	slot := int(id % seqMultiplier)
	if slot >= len(ns.slots) || ns.slots[slot] == nil || ns.slots[slot].ID != id {
		return nil, unix.EINVAL
	}
	return ns.slots[slot], nil
}

// StartAttach looks up id for shmat and keeps the segment from being
// destroyed until EndAttach, while it is being mapped.
func (ns *Namespace) StartAttach(id int32) (*Segment, error) {
	ns.mu.Lock()
	defer ns.mu.Unlock()
	s, err := ns.lookupLocked(id)
	if err == nil {
		s.attaching++
	}
	return s, err
}

// EndAttach ends what StartAttach began; mapped says whether the
// attachment was made (its times are set then).
func (ns *Namespace) EndAttach(s *Segment, pid int32, mapped bool) {
	ns.mu.Lock()
	s.attaching--
	if mapped {
		s.Atime = time.Now().Unix()
		s.LPID = pid
	}
	ns.mu.Unlock()
	ns.Collect()
}

// AtSlot returns the segment in slot (SHM_STAT, SHM_STAT_ANY).
func (ns *Namespace) AtSlot(slot int) (*Segment, error) {
	ns.mu.Lock()
	defer ns.mu.Unlock()
	ns.collectLocked()
	if slot < 0 || slot >= len(ns.slots) || ns.slots[slot] == nil {
		return nil, unix.EINVAL
	}
	return ns.slots[slot], nil
}

// Locked runs fn with the namespace locked, for reads and changes of
// segment fields.
func (ns *Namespace) Locked(fn func()) {
	ns.mu.Lock()
	defer ns.mu.Unlock()
	fn()
}

// Nattch is the segment's attachment count now. Call without the lock.
func (ns *Namespace) Nattch(s *Segment) int { return ns.nattch(s) }

// Remove implements IPC_RMID: the key is free at once; the segment goes
// when its last attachment does.
func (ns *Namespace) Remove(s *Segment) {
	ns.mu.Lock()
	s.Mode |= ModeDest
	s.Key = unix.IPC_PRIVATE
	s.Ctime = time.Now().Unix()
	ns.mu.Unlock()
	ns.Collect()
}

// Collect destroys removed segments that have no attachment left. The
// syscalls call it as they go (Linux destroys at the last detach).
func (ns *Namespace) Collect() {
	ns.mu.Lock()
	defer ns.mu.Unlock()
	ns.collectLocked()
}

func (ns *Namespace) collectLocked() {
	for i, s := range ns.slots {
		if s == nil || s.Mode&ModeDest == 0 || s.attaching > 0 {
			continue
		}
		// Attachments takes the address spaces' locks, never ours.
		if ns.nattch(s) == 0 {
			ns.slots[i] = nil
			ns.total -= s.Pages()
			s.removed = true
			// The memfd is not closed here: an address space may still
			// hold a mapping of it being torn down, and a closed fd
			// number could be reused for another file. os.File's
			// finalizer closes it once nothing refers to the segment.
		}
	}
	for len(ns.slots) > 0 && ns.slots[len(ns.slots)-1] == nil {
		ns.slots = ns.slots[:len(ns.slots)-1]
	}
}

// Info is what IPC_INFO and SHM_INFO report: the highest slot in use, the
// number of segments and their pages.
func (ns *Namespace) Info() (maxSlot, used int, pages uint64) {
	ns.mu.Lock()
	defer ns.mu.Unlock()
	ns.collectLocked()
	maxSlot = -1
	for i, s := range ns.slots {
		if s != nil {
			maxSlot = i
			used++
		}
	}
	return maxSlot, used, ns.total
}
