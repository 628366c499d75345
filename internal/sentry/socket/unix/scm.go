package unix

import (
	"encoding/binary"

	sys "golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/socket"
	"github.com/moat-sandbox/moat/internal/sentry/vfs"
)

// Capabilities (capabilities(7)) the control messages check.
const (
	capSetgid      = 6
	capSetuid      = 7
	capSysAdmin    = 21
	capSysResource = 24
)

// scm is what a sendmsg's control messages ask for.
type scm struct {
	rights []*vfs.File // references held
	cred   *ucred      // SCM_CREDENTIALS, checked
}

func (c *scm) release() {
	dropFiles(c.rights)
	c.rights = nil
}

// parseSCM reads a sendmsg control buffer as __scm_send does for
// AF_UNIX: SOL_SOCKET messages SCM_RIGHTS (at most SCM_MAX_FD descriptors
// in all, EBADF for one not open) and SCM_CREDENTIALS (checked against
// the sender's identity, EPERM); other levels are ignored, other types
// EINVAL.
func parseSCM(t socket.Task, control []byte) (scm, error) {
	var c scm
	if len(control) == 0 {
		return c, nil
	}
	msgs, err := socket.ParseControl(control)
	if err != nil {
		return c, err
	}
	for _, m := range msgs {
		if m.Level != sys.SOL_SOCKET {
			continue
		}
		switch m.Type {
		case sys.SCM_RIGHTS:
			n := len(m.Data) / 4
			if n <= 0 {
				continue
			}
			if n > maxFDs || len(c.rights)+n > maxFDs {
				c.release()
				return c, sys.EINVAL
			}
			for i := 0; i < n; i++ {
				fd := int32(binary.LittleEndian.Uint32(m.Data[4*i:]))
				if fd < 0 {
					c.release()
					return c, sys.EBADF
				}
				f, _, err := t.FDTable().Get(fd)
				if err != nil {
					c.release()
					return c, sys.EBADF
				}
				c.rights = append(c.rights, f)
			}
		case sys.SCM_CREDENTIALS:
			if len(m.Data) != sys.SizeofUcred {
				c.release()
				return c, sys.EINVAL
			}
			uc := ucred{
				pid: int32(binary.LittleEndian.Uint32(m.Data[0:])),
				uid: binary.LittleEndian.Uint32(m.Data[4:]),
				gid: binary.LittleEndian.Uint32(m.Data[8:]),
			}
			if err := checkCred(t, uc); err != nil {
				c.release()
				return c, err
			}
			c.cred = &uc
		default:
			c.release()
			return c, sys.EINVAL
		}
	}
	return c, nil
}

// checkCred is scm_check_creds: a sender may claim its own process and
// any of its real, effective or saved IDs, or others with CAP_SYS_ADMIN
// (the pid), CAP_SETUID and CAP_SETGID.
func checkCred(t socket.Task, uc ucred) error {
	c := t.Creds()
	if uc.uid == ^uint32(0) || uc.gid == ^uint32(0) {
		return sys.EINVAL
	}
	pidOK := uc.pid == t.TGID() || c.HasCap(capSysAdmin)
	uidOK := uc.uid == c.RealUID || uc.uid == c.EffectiveUID || uc.uid == c.SavedUID || c.HasCap(capSetuid)
	gidOK := uc.gid == c.RealGID || uc.gid == c.EffectiveGID || uc.gid == c.SavedGID || c.HasCap(capSetgid)
	if pidOK && uidOK && gidOK {
		return nil
	}
	return sys.EPERM
}

// countInflightLocked adds n descriptors to uid's count in flight, as
// unix_attach_fds does: ETOOMANYREFS once the count is past the sender's
// RLIMIT_NOFILE, unless it has CAP_SYS_RESOURCE or CAP_SYS_ADMIN.
func countInflightLocked(t socket.Task, uid uint32, n int) error {
	c := t.Creds()
	if uint64(inflight[uid]) > t.FDLimit() && !c.HasCap(capSysResource) && !c.HasCap(capSysAdmin) {
		return sys.ETOOMANYREFS
	}
	inflight[uid] += n
	return nil
}

func uncountInflightLocked(uid uint32, n int) {
	inflight[uid] -= n
	if inflight[uid] <= 0 {
		delete(inflight, uid)
	}
}

// received is what a read took besides data, for the control messages.
type received struct {
	cred    *ucred      // with SO_PASSCRED
	rights  []*vfs.File // references the reader now holds
	hasFrom bool
	from    []byte
}

// control lays out the control messages of a receive, as scm_recv does:
// SCM_CREDENTIALS first, then SCM_RIGHTS, installing as many descriptors
// as fit (and the descriptor table takes) and dropping the rest, with
// MSG_CTRUNC when anything was left out. It drops r's references. st nil
// (read(2)) takes no control messages.
func (r *received) control(st socket.Task, room int, flags int) ([]byte, int) {
	defer dropFiles(r.rights)
	if st == nil {
		room = 0
	}
	w := socket.NewControlWriter(room)
	if r.cred != nil {
		var b [sys.SizeofUcred]byte
		binary.LittleEndian.PutUint32(b[0:], uint32(r.cred.pid))
		binary.LittleEndian.PutUint32(b[4:], r.cred.uid)
		binary.LittleEndian.PutUint32(b[8:], r.cred.gid)
		w.Put(sys.SOL_SOCKET, sys.SCM_CREDENTIALS, b[:])
	}
	if len(r.rights) > 0 {
		fdmax := 0
		if w.Room() > socket.SizeofCmsghdr {
			fdmax = (w.Room() - socket.SizeofCmsghdr) / 4
		}
		fdmax = min(fdmax, len(r.rights))
		var fds []int32
		if st != nil {
			cloexec := flags&sys.MSG_CMSG_CLOEXEC != 0
			for _, f := range r.rights[:fdmax] {
				fd, err := st.FDTable().NewFD(f, 0, cloexec, st.FDLimit())
				if err != nil {
					break
				}
				fds = append(fds, fd)
			}
		}
		if len(fds) > 0 {
			cmlen := socket.CmsgLen(4 * len(fds))
			space := min(socket.CmsgSpace(4*len(fds)), w.Room())
			data := w.PutHeaderOnly(sys.SOL_SOCKET, sys.SCM_RIGHTS, cmlen, space)
			for i, fd := range fds {
				binary.LittleEndian.PutUint32(data[4*i:], uint32(fd))
			}
		}
		if len(fds) < len(r.rights) {
			w.Truncated = true
		}
	}
	out := 0
	if w.Truncated {
		out |= sys.MSG_CTRUNC
	}
	return w.Bytes(), out
}
