// Package shm is a sandbox's System V shared memory: the segments of its
// one IPC namespace, their keys, permissions and attachment counts. Each
// segment's pages live in a host memfd, which attachments map MAP_SHARED,
// so every process attached shares them through the host.
//
// The package keeps the state and applies Linux's rules (svipc(7),
// shmget(2), shmctl(2)); the system call layer copies arguments and maps
// attachments.
package shm

import (
	"fmt"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/auth"
)

// Limits, as Linux's defaults (/proc/sys/kernel/shm*).
const (
	SHMMIN = 1
	SHMMAX = ^uint64(0) - 1<<24
	SHMALL = ^uint64(0) - 1<<24 // in pages
	SHMMNI = 4096
	SHMSEG = SHMMNI
	SHMLBA = 4096

	pageSize = 4096
	// seqMultiplier spaces identifiers: id = seq*seqMultiplier + index.
	seqMultiplier = 32768
)

// Flags and mode bits.
const (
	IPCPrivate = 0
	IPCCreat   = 0o1000
	IPCExcl    = 0o2000
	// SHMHugetlb asks for huge pages, which the sandbox has none of.
	SHMHugetlb = 0o4000

	// SHMDest and SHMLocked live in the mode word, as Linux keeps them.
	SHMDest   = 0o1000
	SHMLocked = 0o2000

	modeMask = 0o777
)

// Capabilities the rules consult.
const (
	capIPCLock  = 14
	capIPCOwner = 15
	capSysAdmin = 21
)

// Perm is a segment's ipc_perm.
type Perm struct {
	Key                  int32
	UID, GID, CUID, CGID uint32
	Mode                 uint32 // low 9 bits plus SHMDest, SHMLocked
	Seq                  uint16
}

// Stat is a segment's shmid_ds.
type Stat struct {
	Perm
	Size                uint64
	ATime, DTime, CTime int64
	CPID, LPID          int32
	NAttch              uint64
}

// Info is shm_info (SHM_INFO).
type Info struct {
	UsedIDs                 int32
	Tot, RSS, Swp           uint64 // pages
	SwapAttempts, Successes uint64
}

// Segment is one shared memory segment.
type Segment struct {
	r     *Registry
	id    int32
	index int
	fd    int // host memfd, page-rounded size
	name  string

	// Guarded by r.mu.
	stat    Stat
	pending int  // shmat calls between lookup and mapping
	gone    bool // destroyed: fd closed
}

// ID is the segment's identifier.
func (s *Segment) ID() int32 { return s.id }

// Size is the size asked for at creation.
func (s *Segment) Size() uint64 { return s.stat.Size }

// Registry is one IPC namespace's segments.
type Registry struct {
	mu     sync.Mutex
	byIdx  map[int]*Segment
	seq    uint16
	totPgs uint64
	now    func() time.Time
}

// NewRegistry returns an empty namespace.
func NewRegistry() *Registry {
	return &Registry{byIdx: map[int]*Segment{}, now: time.Now}
}

// ipcPerms is Linux's ipcperms: whether creds may access p for the
// requested mode bits (rwx in any of the three positions).
func ipcPerms(c *auth.Credentials, p *Perm, flag uint32) bool {
	req := (flag >> 6) | (flag >> 3) | flag
	granted := p.Mode
	switch {
	case c.EffectiveUID == p.CUID || c.EffectiveUID == p.UID:
		granted >>= 6
	case c.InGroup(p.CGID) || c.InGroup(p.GID):
		granted >>= 3
	}
	if req&^granted&0o7 != 0 && !c.HasCap(capIPCOwner) {
		return false
	}
	return true
}

func isOwner(c *auth.Credentials, p *Perm) bool {
	return c.EffectiveUID == p.CUID || c.EffectiveUID == p.UID || c.HasCap(capSysAdmin)
}

// Get implements shmget(2) and returns the identifier.
func (r *Registry) Get(c *auth.Credentials, pid int32, key int32, size uint64, flags int) (int32, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if key != IPCPrivate {
		var found *Segment
		for _, s := range r.byIdx {
			if s.stat.Key == key {
				found = s
				break
			}
		}
		if found == nil {
			if flags&IPCCreat == 0 {
				return 0, unix.ENOENT
			}
		} else {
			if flags&IPCCreat != 0 && flags&IPCExcl != 0 {
				return 0, unix.EEXIST
			}
			if found.stat.Size < size {
				return 0, unix.EINVAL
			}
			if !ipcPerms(c, &found.stat.Perm, uint32(flags)&modeMask) {
				return 0, unix.EACCES
			}
			return found.id, nil
		}
	}
	return r.newLocked(c, pid, key, size, flags)
}

func (r *Registry) newLocked(c *auth.Credentials, pid int32, key int32, size uint64, flags int) (int32, error) {
	if size < SHMMIN || size > SHMMAX {
		return 0, unix.EINVAL
	}
	pages := (size + pageSize - 1) / pageSize
	if pages == 0 || pages<<12 < size { // overflow
		return 0, unix.ENOSPC
	}
	if r.totPgs+pages < r.totPgs || r.totPgs+pages > SHMALL {
		return 0, unix.ENOSPC
	}
	if flags&SHMHugetlb != 0 {
		return 0, unix.ENOMEM // as Linux with no huge pages reserved
	}
	if len(r.byIdx) >= SHMMNI {
		return 0, unix.ENOSPC
	}
	idx := 0
	for r.byIdx[idx] != nil {
		idx++
	}
	name := fmt.Sprintf("SYSV%08x", uint32(key))
	fd, err := unix.MemfdCreate(name, unix.MFD_CLOEXEC)
	if err != nil {
		return 0, unix.ENOMEM
	}
	if err := unix.Ftruncate(fd, int64(pages*pageSize)); err != nil {
		unix.Close(fd)
		return 0, unix.ENOMEM
	}
	seq := r.seq
	r.seq++
	if r.seq >= 1<<16-1 || int(r.seq)*seqMultiplier+SHMMNI > 1<<31-1 {
		r.seq = 0
	}
	s := &Segment{r: r, id: int32(int(seq)*seqMultiplier + idx), index: idx, fd: fd, name: name}
	s.stat = Stat{
		Perm: Perm{
			Key: key, UID: c.EffectiveUID, GID: c.EffectiveGID, CUID: c.EffectiveUID, CGID: c.EffectiveGID,
			Mode: uint32(flags) & modeMask, Seq: seq,
		},
		Size:  size,
		CTime: r.now().Unix(),
		CPID:  pid,
	}
	r.byIdx[idx] = s
	r.totPgs += pages
	return s.id, nil
}

// lookupLocked finds the segment with identifier id.
func (r *Registry) lookupLocked(id int32) (*Segment, error) {
	if id < 0 {
		return nil, unix.EINVAL
	}
	s := r.byIdx[int(id)%seqMultiplier]
	if s == nil || s.id != id {
		return nil, unix.EINVAL
	}
	return s, nil
}

// destroyLocked removes s and frees its memory.
func (r *Registry) destroyLocked(s *Segment) {
	if s.gone {
		return
	}
	s.gone = true
	if r.byIdx[s.index] == s {
		delete(r.byIdx, s.index)
	}
	r.totPgs -= (s.stat.Size + pageSize - 1) / pageSize
	unix.Close(s.fd)
	s.fd = -1
}

// maybeDestroyLocked destroys s once it is marked and unused.
func (r *Registry) maybeDestroyLocked(s *Segment) {
	if s.stat.Mode&SHMDest != 0 && s.stat.NAttch == 0 && s.pending == 0 {
		r.destroyLocked(s)
	}
}

// AttachProt is the protection and access an shmat asks for.
const (
	AttachRead  = 0o4
	AttachWrite = 0o2
	AttachExec  = 0o1
)

// BeginAttach implements the checks of shmat(2): access is a combination
// of Attach*. On success the segment is held until EndAttach, so that it
// survives a concurrent IPC_RMID while it is being mapped.
func (r *Registry) BeginAttach(c *auth.Credentials, id int32, access uint32) (*Segment, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s, err := r.lookupLocked(id)
	if err != nil {
		return nil, err
	}
	flag := access<<6 | access<<3 | access
	if !ipcPerms(c, &s.stat.Perm, flag) {
		return nil, unix.EACCES
	}
	s.pending++
	return s, nil
}

// EndAttach ends what BeginAttach started; attached says whether the
// mapping was made (the mapping's own count comes through MapOpened).
func (s *Segment) EndAttach(pid int32, attached bool) {
	r := s.r
	r.mu.Lock()
	defer r.mu.Unlock()
	s.pending--
	if attached {
		s.stat.ATime = r.now().Unix()
		s.stat.LPID = pid
	}
	r.maybeDestroyLocked(s)
}

// Detached records an shmdt by pid.
func (s *Segment) Detached(pid int32) {
	r := s.r
	r.mu.Lock()
	defer r.mu.Unlock()
	s.stat.DTime = r.now().Unix()
	s.stat.LPID = pid
}

// Attachment is one shmat: the Mappable its VMAs refer to. Each shmat
// makes a new one, so shmdt can tell attachments of the same segment
// apart.
type Attachment struct {
	seg      *Segment
	readOnly bool
	fd       int
}

// NewAttachment returns the Mappable for one shmat of s (between
// BeginAttach and EndAttach).
func (s *Segment) NewAttachment(readOnly bool) *Attachment {
	s.r.mu.Lock()
	defer s.r.mu.Unlock()
	return &Attachment{seg: s, readOnly: readOnly, fd: s.fd}
}

// Segment is the attached segment.
func (a *Attachment) Segment() *Segment { return a.seg }

// HostFD implements mm.Mappable; it is valid while the attachment is
// being mapped (the segment is held by BeginAttach).
func (a *Attachment) HostFD() int { return a.fd }

// MappingName implements mm.Mappable, as /proc/PID/maps shows it.
func (a *Attachment) MappingName() string { return "/" + a.seg.name + " (deleted)" }

// Writable reports whether mprotect may add PROT_WRITE.
func (a *Attachment) Writable() bool { return !a.readOnly }

// MapOpened implements mm.CountedMappable.
func (a *Attachment) MapOpened() {
	r := a.seg.r
	r.mu.Lock()
	a.seg.stat.NAttch++
	r.mu.Unlock()
}

// MapClosed implements mm.CountedMappable.
func (a *Attachment) MapClosed() {
	r := a.seg.r
	r.mu.Lock()
	defer r.mu.Unlock()
	s := a.seg
	if s.stat.NAttch > 0 {
		s.stat.NAttch--
	}
	s.stat.DTime = r.now().Unix()
	r.maybeDestroyLocked(s)
}

// AttachSize reports the size of m if it is an attachment.
func AttachSize(m any) (uint64, bool) {
	a, ok := m.(*Attachment)
	if !ok {
		return 0, false
	}
	return a.seg.stat.Size, true // Size never changes
}

// Stat implements IPC_STAT (byIndex false: id is an identifier) and
// SHM_STAT/SHM_STAT_ANY (byIndex: id is an index; anyAccess skips the
// read permission check). It returns the identifier.
func (r *Registry) Stat(c *auth.Credentials, id int32, byIndex, anyAccess bool) (Stat, int32, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var s *Segment
	if byIndex {
		if id < 0 {
			return Stat{}, 0, unix.EINVAL
		}
		s = r.byIdx[int(id)]
		if s == nil {
			return Stat{}, 0, unix.EINVAL
		}
	} else {
		var err error
		if s, err = r.lookupLocked(id); err != nil {
			return Stat{}, 0, err
		}
	}
	if !anyAccess && !ipcPerms(c, &s.stat.Perm, 0o444) {
		return Stat{}, 0, unix.EACCES
	}
	return s.stat, s.id, nil
}

// Set implements IPC_SET: the owner's uid, gid and permission bits.
func (r *Registry) Set(c *auth.Credentials, id int32, uid, gid, mode uint32) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	s, err := r.lookupLocked(id)
	if err != nil {
		return err
	}
	if !isOwner(c, &s.stat.Perm) {
		return unix.EPERM
	}
	if uid == ^uint32(0) || gid == ^uint32(0) {
		return unix.EINVAL
	}
	s.stat.UID, s.stat.GID = uid, gid
	s.stat.Mode = s.stat.Mode&^modeMask | mode&modeMask
	s.stat.CTime = r.now().Unix()
	return nil
}

// Remove implements IPC_RMID: the key is freed at once; the segment goes
// when its last attachment does.
func (r *Registry) Remove(c *auth.Credentials, id int32) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	s, err := r.lookupLocked(id)
	if err != nil {
		return err
	}
	if !isOwner(c, &s.stat.Perm) {
		return unix.EPERM
	}
	s.stat.Mode |= SHMDest
	s.stat.Key = IPCPrivate
	r.maybeDestroyLocked(s)
	return nil
}

// Lock implements SHM_LOCK and SHM_UNLOCK: without CAP_IPC_LOCK the
// caller must own the segment and, to lock, have a nonzero RLIMIT_MEMLOCK.
// No page is locked: the flag is recorded, as SHM_STAT shows it.
func (r *Registry) Lock(c *auth.Credentials, id int32, lock bool, memlock uint64) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	s, err := r.lookupLocked(id)
	if err != nil {
		return err
	}
	if !c.HasCap(capIPCLock) {
		if c.EffectiveUID != s.stat.UID && c.EffectiveUID != s.stat.CUID {
			return unix.EPERM
		}
		if lock && memlock == 0 {
			return unix.EPERM
		}
	}
	if lock {
		s.stat.Mode |= SHMLocked
	} else {
		s.stat.Mode &^= SHMLocked
	}
	return nil
}

// MaxIndex is the highest index in use, 0 when none is (the result of
// IPC_INFO and SHM_INFO).
func (r *Registry) MaxIndex() int32 {
	r.mu.Lock()
	defer r.mu.Unlock()
	m := 0
	for i := range r.byIdx {
		m = max(m, i)
	}
	return int32(m)
}

// Info implements SHM_INFO's counts.
func (r *Registry) Info() Info {
	r.mu.Lock()
	defer r.mu.Unlock()
	info := Info{UsedIDs: int32(len(r.byIdx)), Tot: r.totPgs}
	for _, s := range r.byIdx {
		var st unix.Stat_t
		if unix.Fstat(s.fd, &st) == nil {
			info.RSS += uint64(st.Blocks) * 512 / pageSize
		}
	}
	return info
}

// List returns every segment's state, by index (/proc/sysvipc/shm).
func (r *Registry) List() []Stat {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]Stat, 0, len(r.byIdx))
	for i := 0; len(out) < len(r.byIdx); i++ {
		if s := r.byIdx[i]; s != nil {
			out = append(out, s.stat)
		}
	}
	return out
}
