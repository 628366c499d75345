package unix

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"

	sys "golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/socket"
)

// sunPathOffset is offsetof(struct sockaddr_un, sun_path).
const sunPathOffset = 2

// sizeofSockaddrUn is sizeof(struct sockaddr_un).
const sizeofSockaddrUn = 110

// address is a bound name.
type address struct {
	// raw is the sockaddr_un getsockname(2) shows, its length the one
	// Linux reports: offsetof(sun_path) + strlen + 1 for a path (the NUL
	// included, even past sizeof(struct sockaddr_un)), offsetof(sun_path)
	// + the name's length for an abstract name.
	raw []byte
	// path is a path name; key the file it made. name is an abstract
	// name (raw[2:], from its leading NUL).
	path string
	key  fileKey
	name string
}

func (a *address) abstract() bool { return a.path == "" }

// fileKey is a socket file by its device and inode number: filesystems
// (overlay) may return a new Inode value for each lookup of one file.
type fileKey struct{ dev, ino uint64 }

// abstractKey is an abstract name; like Linux, the namespace is per
// socket type.
type abstractKey struct {
	stype int
	name  string
}

// The bound sockets. Guarded by mu.
var (
	byPath     = map[fileKey]*Socket{}
	byAbstract = map[abstractKey]*Socket{}
	// inflight counts descriptors in queued messages by the sending
	// user (too_many_unix_fds).
	inflight = map[uint32]int{}
)

// parsedAddr is a sockaddr_un taken apart.
type parsedAddr struct {
	path string // path name, or
	name string // abstract name, leading NUL included
	raw  []byte // as it will be bound
}

// parseAddr checks a sockaddr_un as unix_validate_addr does and takes it
// apart as unix_mkname_bsd does: a path ends at its first NUL.
func parseAddr(b []byte) (parsedAddr, error) {
	if len(b) <= sunPathOffset || len(b) > sizeofSockaddrUn {
		return parsedAddr{}, sys.EINVAL
	}
	if binary.LittleEndian.Uint16(b) != sys.AF_UNIX {
		return parsedAddr{}, sys.EINVAL
	}
	sp := b[sunPathOffset:]
	if sp[0] == 0 {
		return parsedAddr{name: string(sp), raw: append([]byte(nil), b...)}, nil
	}
	n := len(sp)
	for i, c := range sp {
		if c == 0 {
			n = i
			break
		}
	}
	raw := make([]byte, sunPathOffset+n+1)
	copy(raw, b[:sunPathOffset+n])
	return parsedAddr{path: string(sp[:n]), raw: raw}, nil
}

// unnamed is getsockname's answer for an unbound socket: the family only.
func unnamed() []byte {
	b := make([]byte, sunPathOffset)
	binary.LittleEndian.PutUint16(b, sys.AF_UNIX)
	return b
}

func (a *address) sockaddr() []byte {
	if a == nil {
		return unnamed()
	}
	return append([]byte(nil), a.raw...)
}

// fromAddr is a message's source as recvmsg reports it: nothing for an
// unbound sender (msg_namelen 0).
func fromAddr(s *Socket) []byte {
	if s == nil || s.addr == nil {
		return nil
	}
	return append([]byte(nil), s.addr.raw...)
}

func unbindLocked(s *Socket) {
	a := s.addr
	if a == nil {
		return
	}
	if a.abstract() {
		k := abstractKey{s.stype, a.name}
		if byAbstract[k] == s {
			delete(byAbstract, k)
		}
	} else if byPath[a.key] == s {
		delete(byPath, a.key)
	}
}

// Bind implements socket.Socket.
func (s *Socket) Bind(t socket.Task, b []byte) error {
	if len(b) == sunPathOffset && binary.LittleEndian.Uint16(b) == sys.AF_UNIX {
		mu.Lock()
		defer mu.Unlock()
		return s.autobindLocked()
	}
	a, err := parseAddr(b)
	if err != nil {
		return err
	}
	if a.path == "" {
		mu.Lock()
		defer mu.Unlock()
		if s.addr != nil || s.dead {
			return sys.EINVAL
		}
		k := abstractKey{s.stype, a.name}
		if byAbstract[k] != nil {
			return sys.EADDRINUSE
		}
		s.addr = &address{raw: a.raw, name: a.name}
		byAbstract[k] = s
		return nil
	}
	mu.Lock()
	bound := s.addr != nil
	mu.Unlock()
	if bound {
		// Linux makes the file first: an existing name is EADDRINUSE
		// even for a bound socket.
		if _, err := t.LookupSocket(a.path); err == nil {
			return sys.EADDRINUSE
		}
		return sys.EINVAL
	}
	in, err := t.MknodSocket(a.path)
	if err != nil {
		if err == sys.EEXIST {
			err = sys.EADDRINUSE
		}
		return err
	}
	st, err := in.Stat(t)
	if err != nil {
		return err
	}
	mu.Lock()
	defer mu.Unlock()
	if s.addr != nil || s.dead {
		return sys.EINVAL
	}
	key := fileKey{st.Dev, st.Ino}
	s.addr = &address{raw: a.raw, path: a.path, key: key}
	byPath[key] = s
	return nil
}

// autobindLocked gives s an abstract name of five hex digits, as Linux
// does for a bind with only the family, or a send or connect with
// SO_PASSCRED from an unbound socket. A bound socket keeps its name.
func (s *Socket) autobindLocked() error {
	if s.addr != nil {
		return nil
	}
	if s.dead {
		return sys.EINVAL
	}
	start := rand.Uint32() & 0xfffff
	for i := uint32(1); i <= 0x100000; i++ {
		n := (start + i) & 0xfffff
		name := fmt.Sprintf("\x00%05x", n)
		k := abstractKey{s.stype, name}
		if byAbstract[k] != nil {
			continue
		}
		raw := append(unnamed(), name...)
		s.addr = &address{raw: raw, name: name}
		byAbstract[k] = s
		return nil
	}
	return sys.ENOSPC
}

// lookup finds the socket an address names, as unix_find_other does: for
// a path, the file must exist (the resolution's errno), be a socket and
// be writable, and a socket must be bound to it (else ECONNREFUSED), of
// the same type (else EPROTOTYPE); an abstract name must be bound by a
// socket of the type (else ECONNREFUSED).
func lookup(t socket.Task, a parsedAddr, stype int) (*Socket, error) {
	if a.path == "" {
		mu.Lock()
		o := byAbstract[abstractKey{stype, a.name}]
		mu.Unlock()
		if o == nil {
			return nil, sys.ECONNREFUSED
		}
		return o, nil
	}
	in, err := t.LookupSocket(a.path)
	if err != nil {
		return nil, err
	}
	st, err := in.Stat(t)
	if err != nil {
		return nil, err
	}
	if st.Type() != sys.S_IFSOCK {
		return nil, sys.ECONNREFUSED
	}
	mu.Lock()
	o := byPath[fileKey{st.Dev, st.Ino}]
	mu.Unlock()
	if o == nil {
		return nil, sys.ECONNREFUSED
	}
	if o.stype != stype {
		return nil, sys.EPROTOTYPE
	}
	return o, nil
}

// GetSockName implements socket.Socket.
func (s *Socket) GetSockName(t socket.Task) ([]byte, error) {
	mu.Lock()
	defer mu.Unlock()
	return s.addr.sockaddr(), nil
}

// GetPeerName implements socket.Socket: the peer's address now (it may
// have bound since), the family only if it has none.
func (s *Socket) GetPeerName(t socket.Task) ([]byte, error) {
	mu.Lock()
	defer mu.Unlock()
	if s.peer == nil {
		return nil, sys.ENOTCONN
	}
	return s.peer.addr.sockaddr(), nil
}

// readSysctl reads an integer from the host's /proc/sys, or gives def.
func readSysctl(path string, def int) int {
	b, err := os.ReadFile(path)
	if err != nil {
		return def
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || n <= 0 {
		return def
	}
	return n
}
