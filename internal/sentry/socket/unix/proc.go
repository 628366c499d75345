package unix

// ProcEntry is a socket as /proc/net/unix lists it.
type ProcEntry struct {
	Type int
	// State is the socket's struct socket state: SS_UNCONNECTED (1) or
	// SS_CONNECTED (3).
	State     int
	Listening bool
	Inode     uint64
	// Path is the bound name as /proc/net/unix shows it: the path, or the
	// abstract name with its leading NUL.
	Path string
}

// ProcEntries lists the bound sockets (those with a name), read-only. Unnamed
// sockets (socketpairs, connecting ends) are not indexed anywhere and are
// left out.
func ProcEntries() []ProcEntry {
	mu.Lock()
	defer mu.Unlock()
	var out []ProcEntry
	add := func(s *Socket) {
		if s == nil || s.dead || s.addr == nil {
			return
		}
		e := ProcEntry{Type: s.stype, State: 1, Listening: s.state == listening, Inode: s.ino}
		if s.state == connected {
			e.State = 3
		}
		if s.addr.abstract() {
			e.Path = s.addr.name
		} else {
			e.Path = s.addr.path
		}
		out = append(out, e)
	}
	for _, s := range byPath {
		add(s)
	}
	for _, s := range byAbstract {
		add(s)
	}
	return out
}
