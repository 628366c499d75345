package linux

import (
	"encoding/binary"

	"golang.org/x/sys/unix"
)

// Signal is a signal number, 1 to 64.
type Signal int

const (
	SIGHUP    Signal = 1
	SIGINT    Signal = 2
	SIGQUIT   Signal = 3
	SIGILL    Signal = 4
	SIGTRAP   Signal = 5
	SIGABRT   Signal = 6
	SIGBUS    Signal = 7
	SIGFPE    Signal = 8
	SIGKILL   Signal = 9
	SIGUSR1   Signal = 10
	SIGSEGV   Signal = 11
	SIGUSR2   Signal = 12
	SIGPIPE   Signal = 13
	SIGALRM   Signal = 14
	SIGTERM   Signal = 15
	SIGSTKFLT Signal = 16
	SIGCHLD   Signal = 17
	SIGCONT   Signal = 18
	SIGSTOP   Signal = 19
	SIGTSTP   Signal = 20
	SIGTTIN   Signal = 21
	SIGTTOU   Signal = 22
	SIGURG    Signal = 23
	SIGXCPU   Signal = 24
	SIGXFSZ   Signal = 25
	SIGVTALRM Signal = 26
	SIGPROF   Signal = 27
	SIGWINCH  Signal = 28
	SIGIO     Signal = 29
	SIGPWR    Signal = 30
	SIGSYS    Signal = 31
	SIGRTMIN  Signal = 32
	SIGRTMAX  Signal = 64

	NumSignals = 64
)

// Valid reports whether s is a signal number.
func (s Signal) Valid() bool { return s >= 1 && s <= SIGRTMAX }

// Realtime reports whether s is queued once per send rather than once.
func (s Signal) Realtime() bool { return s >= SIGRTMIN }

func (s Signal) String() string {
	if s.Valid() && s < SIGRTMIN {
		return unix.SignalName(unix.Signal(s))
	}
	if s.Valid() {
		return "SIGRT_" + itoa(int(s-SIGRTMIN))
	}
	return itoa(int(s))
}

func itoa(i int) string {
	if i < 0 {
		return "-" + itoa(-i)
	}
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}

// SignalSet is a sigset_t: bit s-1 stands for signal s.
type SignalSet uint64

// SignalSetOf returns the set holding just s.
func SignalSetOf(s Signal) SignalSet { return 1 << uint(s-1) }

// Has reports whether s is in the set.
func (ss SignalSet) Has(s Signal) bool { return ss&SignalSetOf(s) != 0 }

// Unblockable are the signals no mask can block.
const Unblockable = SignalSet(1<<(SIGKILL-1) | 1<<(SIGSTOP-1))

// Default actions of signal(7).
type DefaultAction int

const (
	ActTerminate DefaultAction = iota
	ActCore
	ActIgnore
	ActStop
	ActContinue
)

// Default returns the default action of s.
func (s Signal) Default() DefaultAction {
	switch s {
	case SIGQUIT, SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE, SIGSEGV, SIGXCPU, SIGXFSZ, SIGSYS:
		return ActCore
	case SIGCHLD, SIGURG, SIGWINCH:
		return ActIgnore
	case SIGCONT:
		return ActContinue
	case SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU:
		return ActStop
	}
	return ActTerminate
}

// sigaction handler values and flags.
const (
	SIG_DFL = 0
	SIG_IGN = 1

	SA_NOCLDSTOP      = 0x1
	SA_NOCLDWAIT      = 0x2
	SA_SIGINFO        = 0x4
	SA_UNSUPPORTED    = 0x400
	SA_EXPOSE_TAGBITS = 0x800
	SA_RESTORER       = 0x04000000
	SA_ONSTACK        = 0x08000000
	SA_RESTART        = 0x10000000
	SA_NODEFER        = 0x40000000
	SA_RESETHAND      = 0x80000000
)

// SigAction is the kernel's struct sigaction on x86-64 (32 bytes).
type SigAction struct {
	Handler  uint64
	Flags    uint64
	Restorer uint64
	Mask     SignalSet
}

// SizeofSigAction is the size of struct sigaction in application memory.
const SizeofSigAction = 32

// Marshal encodes sa as the application sees it.
func (sa *SigAction) Marshal(b []byte) {
	binary.LittleEndian.PutUint64(b[0:], sa.Handler)
	binary.LittleEndian.PutUint64(b[8:], sa.Flags)
	binary.LittleEndian.PutUint64(b[16:], sa.Restorer)
	binary.LittleEndian.PutUint64(b[24:], uint64(sa.Mask))
}

// Unmarshal decodes sa from application memory.
func (sa *SigAction) Unmarshal(b []byte) {
	sa.Handler = binary.LittleEndian.Uint64(b[0:])
	sa.Flags = binary.LittleEndian.Uint64(b[8:])
	sa.Restorer = binary.LittleEndian.Uint64(b[16:])
	sa.Mask = SignalSet(binary.LittleEndian.Uint64(b[24:]))
}

// si_code values.
const (
	SI_USER    = 0
	SI_KERNEL  = 0x80
	SI_QUEUE   = -1
	SI_TIMER   = -2
	SI_MESGQ   = -3
	SI_ASYNCIO = -4
	SI_SIGIO   = -5
	SI_TKILL   = -6

	CLD_EXITED    = 1
	CLD_KILLED    = 2
	CLD_DUMPED    = 3
	CLD_TRAPPED   = 4
	CLD_STOPPED   = 5
	CLD_CONTINUED = 6
)

// SignalInfo is a siginfo_t (128 bytes). The union's layout depends on the
// signal and code; the accessors name the fields moat sets.
type SignalInfo struct {
	Signo int32
	Errno int32
	Code  int32
	_     int32
	Data  [112]byte
}

// SizeofSignalInfo is sizeof(siginfo_t).
const SizeofSignalInfo = 128

func (si *SignalInfo) le() binary.ByteOrder { return binary.LittleEndian }

// SetPID and SetUID fill si_pid and si_uid (kill, tkill, sigqueue, SIGCHLD).
func (si *SignalInfo) SetPID(pid int32)  { si.le().PutUint32(si.Data[0:], uint32(pid)) }
func (si *SignalInfo) SetUID(uid uint32) { si.le().PutUint32(si.Data[4:], uid) }
func (si *SignalInfo) PID() int32        { return int32(si.le().Uint32(si.Data[0:])) }

// SetAddr fills si_addr (faults).
func (si *SignalInfo) SetAddr(addr uint64) { si.le().PutUint64(si.Data[0:], addr) }
func (si *SignalInfo) Addr() uint64        { return si.le().Uint64(si.Data[0:]) }

// SetStatus fills si_status (SIGCHLD), SetValue si_value (sigqueue, timers).
func (si *SignalInfo) SetStatus(status int32) { si.le().PutUint32(si.Data[8:], uint32(status)) }
func (si *SignalInfo) SetValue(v uint64)      { si.le().PutUint64(si.Data[8:], v) }

// SetTimer fills si_timerid and si_overrun (POSIX timers).
func (si *SignalInfo) SetTimer(id int32, overrun int32) {
	si.le().PutUint32(si.Data[0:], uint32(id))
	si.le().PutUint32(si.Data[4:], uint32(overrun))
}

// Marshal encodes si as 128 bytes.
func (si *SignalInfo) Marshal(b []byte) {
	le := binary.LittleEndian
	le.PutUint32(b[0:], uint32(si.Signo))
	le.PutUint32(b[4:], uint32(si.Errno))
	le.PutUint32(b[8:], uint32(si.Code))
	le.PutUint32(b[12:], 0)
	copy(b[16:128], si.Data[:])
}

// Unmarshal decodes si from 128 bytes.
func (si *SignalInfo) Unmarshal(b []byte) {
	le := binary.LittleEndian
	si.Signo = int32(le.Uint32(b[0:]))
	si.Errno = int32(le.Uint32(b[4:]))
	si.Code = int32(le.Uint32(b[8:]))
	copy(si.Data[:], b[16:128])
}

// sigaltstack.
const (
	SS_ONSTACK    = 1
	SS_DISABLE    = 2
	SS_AUTODISARM = -1 << 31 // 1<<31 as the int32 ss_flags holds it
	MINSIGSTKSZ   = 2048
)

// SignalStack is a stack_t (24 bytes).
type SignalStack struct {
	Sp    uint64
	Flags int32
	Size  uint64
}

// SizeofSignalStack is sizeof(stack_t).
const SizeofSignalStack = 24

func (s *SignalStack) Marshal(b []byte) {
	le := binary.LittleEndian
	le.PutUint64(b[0:], s.Sp)
	le.PutUint32(b[8:], uint32(s.Flags))
	le.PutUint32(b[12:], 0)
	le.PutUint64(b[16:], s.Size)
}

func (s *SignalStack) Unmarshal(b []byte) {
	le := binary.LittleEndian
	s.Sp = le.Uint64(b[0:])
	s.Flags = int32(le.Uint32(b[8:]))
	s.Size = le.Uint64(b[16:])
}

// Contains reports whether sp lies on the stack.
func (s *SignalStack) Contains(sp uint64) bool {
	return s.Flags&SS_DISABLE == 0 && sp > s.Sp && sp <= s.Sp+s.Size
}

// rt_sigprocmask's how.
const (
	SIG_BLOCK   = 0
	SIG_UNBLOCK = 1
	SIG_SETMASK = 2
)
