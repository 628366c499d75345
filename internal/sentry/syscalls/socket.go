package syscalls

import (
	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/sentry/kernel"
	"github.com/moat-sandbox/moat/internal/sentry/socket"
	_ "github.com/moat-sandbox/moat/internal/sentry/socket/unix" // registers AF_UNIX
	"github.com/moat-sandbox/moat/internal/sentry/vfs"
)

// Sockets: the calls that make, name, connect and configure them. Each
// dispatches to the family's socket.Socket (internal/sentry/socket); the
// data calls are in sockmsg.go.

func init() {
	register(map[uintptr]Syscall{
		unix.SYS_SOCKET:      {Handler: Socket, Status: Partial, Note: "AF_UNIX; other families as the network stack provides them (EAFNOSUPPORT otherwise)", Args: []Arg{AInt, AHex, AInt}},
		unix.SYS_SOCKETPAIR:  {Handler: Socketpair, Status: Partial, Note: "AF_UNIX", Args: []Arg{AInt, AHex, AInt, APtr}},
		unix.SYS_BIND:        {Handler: Bind, Args: []Arg{AFD, APtr, AInt}},
		unix.SYS_LISTEN:      {Handler: Listen, Args: []Arg{AFD, AInt}},
		unix.SYS_ACCEPT:      {Handler: Accept, Args: []Arg{AFD, APtr, APtr}},
		unix.SYS_ACCEPT4:     {Handler: Accept4, Args: []Arg{AFD, APtr, APtr, AHex}},
		unix.SYS_CONNECT:     {Handler: Connect, Args: []Arg{AFD, APtr, AInt}},
		unix.SYS_SHUTDOWN:    {Handler: Shutdown, Args: []Arg{AFD, AInt}},
		unix.SYS_GETSOCKNAME: {Handler: Getsockname, Args: []Arg{AFD, APtr, APtr}},
		unix.SYS_GETPEERNAME: {Handler: Getpeername, Args: []Arg{AFD, APtr, APtr}},
		unix.SYS_GETSOCKOPT:  {Handler: Getsockopt, Args: []Arg{AFD, AInt, AInt, APtr, APtr}},
		unix.SYS_SETSOCKOPT:  {Handler: Setsockopt, Args: []Arg{AFD, AInt, AInt, APtr, AInt}},
	})
}

// Limits of the socket calls, as Linux has them.
const (
	nproto       = 46 // NPROTO: families are below it
	sockMax      = 11 // SOCK_MAX: types are below it
	sockTypeMask = 0xf
	// maxOptLen bounds the option value setsockopt copies in.
	maxOptLen = 1 << 16
)

// sockTask is the calling task as sockets see it (socket.Task).
type sockTask struct{ *kernel.Task }

var _ socket.Task = sockTask{}

// FDLimit implements socket.Task.
func (st sockTask) FDLimit() uint64 { return nofile(st.Task) }

// MknodSocket implements socket.Task: mknod(path, S_IFSOCK | 0777 &^
// umask), as bind(2) makes a socket's file.
func (st sockTask) MknodSocket(path string) (vfs.Inode, error) {
	t := st.Task
	if path == "" {
		return nil, unix.ENOENT
	}
	dir, name, trailing, err := resolveParent(t, unix.AT_FDCWD, path)
	if err != nil {
		return nil, err
	}
	if name == "" || name == "." || name == ".." {
		return nil, unix.EEXIST
	}
	if _, err := t.Mounts().Lookup(t, dir, name); err == nil {
		return nil, unix.EEXIST
	} else if err != unix.ENOENT {
		return nil, err
	}
	if trailing {
		return nil, unix.ENOENT
	}
	wd, err := mayWriteDir(t, dir)
	if err != nil {
		return nil, err
	}
	uid, gid, _ := newFileOwner(t, dir)
	return wd.Create(t, name, vfs.CreateOpts{Mode: unix.S_IFSOCK | 0o777&^t.FS().Umask(), UID: uid, GID: gid})
}

// LookupSocket implements socket.Task: the file path names, following
// symlinks, which the caller must be allowed to write.
func (st sockTask) LookupSocket(path string) (vfs.Inode, error) {
	t := st.Task
	if path == "" {
		return nil, unix.ENOENT
	}
	vd, err := resolve(t, unix.AT_FDCWD, path, true)
	if err != nil {
		return nil, err
	}
	in := vd.Inode()
	s, err := in.Stat(t)
	if err != nil {
		return nil, err
	}
	if err := vfs.Permission(t.Creds(), &s, vfs.MayWrite); err != nil {
		return nil, err
	}
	return in, nil
}

// getSocket returns the socket at fd with a reference on its file the
// caller drops: EBADF, or ENOTSOCK for another file.
func getSocket(t *kernel.Task, fd uintptr) (*vfs.File, socket.Socket, error) {
	f, err := getFile(t, fd)
	if err != nil {
		return nil, nil, err
	}
	s, ok := f.Impl().(socket.Socket)
	if !ok {
		f.DecRef()
		return nil, nil, unix.ENOTSOCK
	}
	return f, s, nil
}

// copyInSockaddr reads an address argument (move_addr_to_kernel): EINVAL
// beyond sizeof(struct sockaddr_storage), nothing for a zero length.
func copyInSockaddr(t *kernel.Task, addr uintptr, addrlen int32) ([]byte, error) {
	if addrlen < 0 || addrlen > socket.MaxAddrLen {
		return nil, unix.EINVAL
	}
	b := make([]byte, addrlen)
	if addrlen == 0 {
		return b, nil
	}
	if err := t.CopyIn(addr, b); err != nil {
		return nil, err
	}
	return b, nil
}

// copyOutSockaddr writes an address and its full length
// (move_addr_to_user): the caller's *lenAddr bounds what is copied; a
// negative one is EINVAL.
func copyOutSockaddr(t *kernel.Task, sa []byte, addr, lenAddr uintptr) error {
	ulen, err := copyInInt32(t, lenAddr)
	if err != nil {
		return err
	}
	n := int(ulen)
	if n > len(sa) {
		n = len(sa)
	}
	if n < 0 {
		return unix.EINVAL
	}
	if n > 0 {
		if err := t.CopyOut(addr, sa[:n]); err != nil {
			return err
		}
	}
	return copyOutInt32(t, lenAddr, int32(len(sa)))
}

// socketFlags splits socket(2)'s type into the type and the O_ flags of
// SOCK_NONBLOCK and SOCK_CLOEXEC.
func socketFlags(typ int32) (stype, oflags int, cloexec bool, err error) {
	flags := int(typ) &^ sockTypeMask
	if flags&^(unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK) != 0 {
		return 0, 0, false, unix.EINVAL
	}
	if flags&unix.SOCK_NONBLOCK != 0 {
		oflags |= unix.O_NONBLOCK
	}
	return int(typ) & sockTypeMask, oflags, flags&unix.SOCK_CLOEXEC != 0, nil
}

// Socket implements socket(2).
func Socket(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	family := int32(a[0])
	stype, oflags, cloexec, err := socketFlags(int32(a[1]))
	if err != nil {
		return 0, err
	}
	if family < 0 || family >= nproto {
		return 0, unix.EAFNOSUPPORT
	}
	if stype >= sockMax {
		return 0, unix.EINVAL
	}
	newFn := socket.Lookup(int(family))
	if newFn == nil {
		return 0, unix.EAFNOSUPPORT
	}
	f, err := newFn(sockTask{t}, stype, int(int32(a[2])), oflags)
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	fd, err := t.FDTable().NewFD(f, 0, cloexec, nofile(t))
	return uintptr(fd), err
}

// Socketpair implements socketpair(2).
func Socketpair(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	family := int32(a[0])
	stype, oflags, cloexec, err := socketFlags(int32(a[1]))
	if err != nil {
		return 0, err
	}
	if family < 0 || family >= nproto {
		return 0, unix.EAFNOSUPPORT
	}
	if stype >= sockMax {
		return 0, unix.EINVAL
	}
	pairFn := socket.LookupPair(int(family))
	if pairFn == nil {
		if socket.Lookup(int(family)) == nil {
			return 0, unix.EAFNOSUPPORT
		}
		return 0, unix.EOPNOTSUPP
	}
	f1, f2, err := pairFn(sockTask{t}, stype, int(int32(a[2])), oflags)
	if err != nil {
		return 0, err
	}
	defer f1.DecRef()
	defer f2.DecRef()
	fds := t.FDTable()
	fd1, err := fds.NewFD(f1, 0, cloexec, nofile(t))
	if err != nil {
		return 0, err
	}
	fd2, err := fds.NewFD(f2, 0, cloexec, nofile(t))
	if err != nil {
		fds.Remove(fd1)
		return 0, err
	}
	var b [8]byte
	le.PutUint32(b[0:], uint32(fd1))
	le.PutUint32(b[4:], uint32(fd2))
	if err := t.CopyOut(a[3], b[:]); err != nil {
		fds.Remove(fd1)
		fds.Remove(fd2)
		return 0, err
	}
	return 0, nil
}

// Bind implements bind(2).
func Bind(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	return withSockaddr(t, a, socket.Socket.Bind)
}

// withSockaddr runs op (bind or connect) on the socket at a[0] with the
// address a[1] of length a[2], copied in once.
func withSockaddr(t *kernel.Task, a kernel.SyscallArgs, op func(socket.Socket, socket.Task, []byte) error) (uintptr, error) {
	f, s, err := getSocket(t, a[0])
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	sa, err := copyInSockaddr(t, a[1], int32(a[2]))
	if err != nil {
		return 0, err
	}
	return 0, op(s, sockTask{t}, sa)
}

// Listen implements listen(2).
func Listen(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	f, s, err := getSocket(t, a[0])
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	backlog := uint32(a[1])
	if backlog > socket.SoMaxConn {
		backlog = socket.SoMaxConn
	}
	return 0, s.Listen(sockTask{t}, int(backlog))
}

// Accept implements accept(2).
func Accept(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	return accept4(t, a[0], a[1], a[2], 0)
}

// Accept4 implements accept4(2).
func Accept4(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	return accept4(t, a[0], a[1], a[2], int(int32(a[3])))
}

func accept4(t *kernel.Task, fd, addr, lenAddr uintptr, flags int) (uintptr, error) {
	if flags&^(unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK) != 0 {
		return 0, unix.EINVAL
	}
	f, s, err := getSocket(t, fd)
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	oflags := 0
	if flags&unix.SOCK_NONBLOCK != 0 {
		oflags = unix.O_NONBLOCK
	}
	nf, peer, err := s.Accept(sockTask{t}, oflags, addr != 0)
	if err != nil {
		return 0, err
	}
	defer nf.DecRef()
	if addr != 0 {
		// The connection is lost if the address cannot be written, as
		// on Linux.
		if err := copyOutSockaddr(t, peer, addr, lenAddr); err != nil {
			return 0, err
		}
	}
	nfd, err := t.FDTable().NewFD(nf, 0, flags&unix.SOCK_CLOEXEC != 0, nofile(t))
	return uintptr(nfd), err
}

// Connect implements connect(2).
func Connect(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	return withSockaddr(t, a, socket.Socket.Connect)
}

// Shutdown implements shutdown(2).
func Shutdown(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	f, s, err := getSocket(t, a[0])
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	return 0, s.Shutdown(sockTask{t}, int(int32(a[1])))
}

// Getsockname implements getsockname(2).
func Getsockname(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	f, s, err := getSocket(t, a[0])
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	sa, err := s.GetSockName(sockTask{t})
	if err != nil {
		return 0, err
	}
	return 0, copyOutSockaddr(t, sa, a[1], a[2])
}

// Getpeername implements getpeername(2).
func Getpeername(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	f, s, err := getSocket(t, a[0])
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	sa, err := s.GetPeerName(sockTask{t})
	if err != nil {
		return 0, err
	}
	return 0, copyOutSockaddr(t, sa, a[1], a[2])
}

// Getsockopt implements getsockopt(2): the family's value, cut to the
// caller's length, which becomes the length written.
func Getsockopt(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	f, s, err := getSocket(t, a[0])
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	optLen, err := copyInInt32(t, a[4])
	if err != nil {
		return 0, err
	}
	if optLen < 0 {
		return 0, unix.EINVAL
	}
	v, err := s.GetSockOpt(sockTask{t}, int(int32(a[1])), int(int32(a[2])), int(optLen))
	if err != nil {
		return 0, err
	}
	n := min(int(optLen), len(v))
	if n > 0 {
		if err := t.CopyOut(a[3], v[:n]); err != nil {
			return 0, err
		}
	}
	return 0, copyOutInt32(t, a[4], int32(n))
}

// Setsockopt implements setsockopt(2).
func Setsockopt(t *kernel.Task, a kernel.SyscallArgs) (uintptr, error) {
	f, s, err := getSocket(t, a[0])
	if err != nil {
		return 0, err
	}
	defer f.DecRef()
	optLen := int32(a[4])
	if optLen < 0 {
		return 0, unix.EINVAL
	}
	v := make([]byte, min(int(optLen), maxOptLen))
	if len(v) > 0 {
		if err := t.CopyIn(a[3], v); err != nil {
			return 0, err
		}
	}
	return 0, s.SetSockOpt(sockTask{t}, int(int32(a[1])), int(int32(a[2])), v)
}
