// Package socket is what every socket family of the Sentry shares: the
// Socket interface a socket's file implementation satisfies, the Task a
// socket sees, and the registry of families the socket syscalls dispatch
// through. A family (unix, hostinet, netstack, netlink) registers itself
// from an init function or at boot:
//
//	socket.RegisterFamily(unix.AF_UNIX, newSocket)
//	socket.RegisterPairFamily(unix.AF_UNIX, newPair)
//
// Division of work with the syscall layer (internal/sentry/syscalls,
// socket.go and sockmsg.go):
//
//   - The syscall layer validates flags, copies every application buffer
//     in exactly once (addresses, data, control, option values) and copies
//     results out; families see plain byte slices. Addresses are raw
//     sockaddr bytes exactly as the application passed them (at most
//     MaxAddrLen); families parse and check them (EINVAL, EAFNOSUPPORT).
//   - Families own everything else: the meaning of addresses, options and
//     control messages (SCM_RIGHTS, SCM_CREDENTIALS, IP_TOS ...), blocking,
//     timeouts (SO_RCVTIMEO, SO_SNDTIMEO) and readiness.
//   - A socket keeps its own copy of its description's O_NONBLOCK:
//     the family's constructor gets the initial flags and the syscall
//     layer calls SetStatusFlags on F_SETFL and FIONBIO. MSG_DONTWAIT
//     arrives in the flags of SendMsg and RecvMsg.
//   - A blocking call interrupted by a signal returns vfs.ErrInterrupted
//     (restarted with SA_RESTART, else EINTR), or unix.EINTR itself where
//     Linux never restarts (a wait bounded by SO_RCVTIMEO/SO_SNDTIMEO).
//   - SIGPIPE on EPIPE is the family's business, as Linux raises it only
//     for some socket types (and never with MSG_NOSIGNAL).
package socket

import (
	"sync"

	"github.com/moat-sandbox/moat/internal/sentry/linux"
	"github.com/moat-sandbox/moat/internal/sentry/vfs"
	"github.com/moat-sandbox/moat/internal/sentry/waiter"
)

// MaxAddrLen is the most address bytes the syscall layer copies in or
// out: sizeof(struct sockaddr_storage). A longer addrlen is EINVAL.
const MaxAddrLen = 128

// SoMaxConn is net.core.somaxconn: the most listen(2) backlog.
const SoMaxConn = 4096

// Task is the calling task as a socket sees it. The syscall layer passes
// one to every Socket method; vfs.StreamFile's Read and Write get the
// plain vfs.Task (a family may type-assert it for the methods below).
type Task interface {
	vfs.Task
	// TGID is the caller's process id in the sandbox (SCM_CREDENTIALS,
	// SO_PEERCRED).
	TGID() int32
	// FDTable is the caller's descriptor table (SCM_RIGHTS).
	FDTable() *vfs.FDTable
	// FDLimit is the caller's RLIMIT_NOFILE: received descriptors are
	// installed below it.
	FDLimit() uint64
	// SendSignal sends a signal to the calling thread: SIGPIPE on a
	// broken stream (kernel.Task.SendSignal).
	SendSignal(info *linux.SignalInfo) error
	// MknodSocket creates a socket file (S_IFSOCK, mode 0777 less the
	// umask) at path, resolved as mknod(2) does from the caller's cwd and
	// root, and returns its inode: EADDRINUSE if the name exists.
	MknodSocket(path string) (vfs.Inode, error)
	// LookupSocket resolves path as connect(2) does (following symlinks,
	// needing write permission on the file) and returns the inode found.
	LookupSocket(path string) (vfs.Inode, error)
}

// Socket is the file implementation (vfs.File.Impl()) of a socket of any
// family. Read and Write (vfs.StreamFile) are recv and send without
// flags or addresses; fstat shows an S_IFSOCK inode; LinkName gives
// /proc/PID/fd's "socket:[INO]".
type Socket interface {
	vfs.StreamFile
	waiter.Waitable

	// Family, Type and Protocol are socket(2)'s arguments (Type without
	// SOCK_NONBLOCK and SOCK_CLOEXEC).
	Family() int
	Type() int
	Protocol() int
	// LinkName is "socket:[INO]".
	LinkName() string
	// SetStatusFlags records the description's status flags (O_NONBLOCK)
	// after F_SETFL or FIONBIO.
	SetStatusFlags(flags int)

	// Bind implements bind(2); addr is the raw sockaddr.
	Bind(t Task, addr []byte) error
	// Listen implements listen(2). The syscall layer has clamped backlog
	// as listen(2) does: a value above SoMaxConn (negative ones too, as
	// unsigned) becomes SoMaxConn.
	Listen(t Task, backlog int) error
	// Accept implements accept4(2): it returns a new description with
	// one reference (its status flags include O_NONBLOCK when flags has
	// SOCK_NONBLOCK) and, if peer is set, the peer's raw address.
	// SOCK_CLOEXEC is the syscall layer's business.
	Accept(t Task, flags int, peer bool) (*vfs.File, []byte, error)
	// Connect implements connect(2).
	Connect(t Task, addr []byte) error
	// Shutdown implements shutdown(2); how is SHUT_RD, SHUT_WR or SHUT_RDWR.
	Shutdown(t Task, how int) error
	// GetSockName and GetPeerName return the raw address, full length;
	// the syscall layer truncates it to the caller's buffer.
	GetSockName(t Task) ([]byte, error)
	GetPeerName(t Task) ([]byte, error)
	// GetSockOpt returns the option's value; optLen is the caller's
	// buffer size (a family may fail with EINVAL when it is too small),
	// and the syscall layer copies out at most optLen bytes of the result
	// and stores the length it copied.
	GetSockOpt(t Task, level, name, optLen int) ([]byte, error)
	// SetSockOpt sets an option from the optlen bytes the caller gave.
	SetSockOpt(t Task, level, name int, val []byte) error

	// SendMsg sends src (one datagram, or bytes of a stream) to to (nil:
	// the connected peer) with the raw control messages control (nil:
	// none; the msghdr's layout, CMSG_ALIGNed). flags are sendmsg(2)'s
	// MSG_* flags. It returns how many bytes of src went.
	//
	// The syscall layer may cut a very large stream send into several
	// calls; control goes with the first.
	SendMsg(t Task, src []byte, to []byte, control []byte, flags int) (int, error)
	// RecvMsg receives into dst. flags are recvmsg(2)'s (MSG_PEEK,
	// MSG_TRUNC, MSG_WAITALL, MSG_DONTWAIT, MSG_CMSG_CLOEXEC, ...);
	// controlLen is the room the caller has for control messages and
	// wantFrom says whether it wants the source address.
	//
	// n is the system call's result: the bytes placed in dst, or with
	// MSG_TRUNC on a datagram socket the datagram's full length (so n may
	// exceed len(dst); the bytes placed are min(n, len(dst))).
	RecvMsg(t Task, dst []byte, flags int, wantFrom bool, controlLen int) (n int, r RecvResult, err error)
}

// RecvResult is what recvmsg(2) returns besides the data.
type RecvResult struct {
	// From is the source's raw address (nil: none, msg_namelen 0).
	From []byte
	// Control is the control messages laid out for the application, at
	// most controlLen bytes (received descriptors already installed).
	Control []byte
	// Flags is msg_flags: MSG_TRUNC, MSG_CTRUNC, MSG_EOR, MSG_OOB...
	Flags int
}

// NewFunc makes a socket of a family: socket(2). stype is the type
// without flags; flags holds O_NONBLOCK (from SOCK_NONBLOCK). The file
// it returns has one reference and the access mode O_RDWR. Unknown types
// are ESOCKTNOSUPPORT or EINVAL as Linux has them for the family, wrong
// protocols EPROTONOSUPPORT.
type NewFunc func(t Task, stype, protocol, flags int) (*vfs.File, error)

// PairFunc makes a connected pair: socketpair(2).
type PairFunc func(t Task, stype, protocol, flags int) (*vfs.File, *vfs.File, error)

var (
	regMu    sync.RWMutex
	newFuncs = map[int]NewFunc{}
	pairs    = map[int]PairFunc{}
)

// RegisterFamily makes socket(2) of family call fn. A second registration
// of the same family replaces the first (a sandbox choosing its network
// stack at boot).
func RegisterFamily(family int, fn NewFunc) {
	regMu.Lock()
	defer regMu.Unlock()
	newFuncs[family] = fn
}

// RegisterPairFamily makes socketpair(2) of family call fn; families
// without it give EOPNOTSUPP.
func RegisterPairFamily(family int, fn PairFunc) {
	regMu.Lock()
	defer regMu.Unlock()
	pairs[family] = fn
}

// Lookup returns family's constructor, nil if none is registered
// (socket(2) then fails with EAFNOSUPPORT).
func Lookup(family int) NewFunc {
	regMu.RLock()
	defer regMu.RUnlock()
	return newFuncs[family]
}

// LookupPair returns family's socketpair constructor, nil if none.
func LookupPair(family int) PairFunc {
	regMu.RLock()
	defer regMu.RUnlock()
	return pairs[family]
}
