package kernel

import "golang.org/x/sys/unix"

// Job control on the terminal the sandbox inherited. The host terminal's
// own foreground group is moat's; inside, the Sentry keeps each session's
// foreground process group, which shells set with TIOCSPGRP and read with
// TIOCGPGRP.

// ForegroundPGID returns the foreground process group of the caller's
// session (the session leader's group until a shell sets one).
func (t *Task) ForegroundPGID() int32 {
	k := t.k
	k.mu.Lock()
	defer k.mu.Unlock()
	sid := t.tg.tree.sid
	if fg, ok := k.foreground[sid]; ok {
		return fg
	}
	return sid
}

// SetForegroundPGID implements TIOCSPGRP: pgid must be a process group of
// the caller's session.
func (t *Task) SetForegroundPGID(pgid int32) error {
	if pgid < 0 {
		return unix.EINVAL
	}
	k := t.k
	k.mu.Lock()
	defer k.mu.Unlock()
	sid := t.tg.tree.sid
	found := false
	for _, g := range k.groups {
		if g.tree.pgid == pgid && !g.tree.zombie {
			if g.tree.sid != sid {
				return unix.EPERM
			}
			found = true
			break
		}
	}
	if !found {
		return unix.ESRCH
	}
	if k.foreground == nil {
		k.foreground = map[int32]int32{}
	}
	k.foreground[sid] = pgid
	return nil
}

// SessionID is the caller's session (TIOCGSID).
func (t *Task) SessionID() int32 { return t.tg.SID() }
