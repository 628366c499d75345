// Package ptrace is moat's reference platform: each application process is a
// stub process, each application thread one stub thread, traced with
// PTRACE_SYSEMU by the OS thread of the Sentry task that runs it.
package ptrace

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/platform"
)

// Platform is the ptrace platform.
type Platform struct {
	sentryPID int32
	cpus      *cpuPool // nil: threads are not pinned
	// spawn asks the factory thread for a new stub.
	spawn chan spawnRequest
}

// spawnRequest asks the factory for a stub; the answer is its pid (parked,
// detached) or an error.
type spawnRequest struct {
	reply chan spawnReply
}

type spawnReply struct {
	proc *process
	err  error
}

// Options tune the platform.
type Options struct {
	// NoPin leaves tracer and stub threads to the host scheduler instead of
	// pinning each pair to one CPU (for measurement).
	NoPin bool
}

var ignoreSIGCHLD sync.Once

// New returns the ptrace platform.
//
// It sets SIGCHLD to SIG_IGN for the whole Sentry process: every ptrace stop
// would otherwise send the Sentry a SIGCHLD and run Go's signal handler,
// about a third of a round trip here. Traced children are never reaped
// automatically, so the stubs' exits are still seen by wait4; but the process
// must not wait for untraced children of its own (os/exec) after this.
func New(opts Options) *Platform {
	ignoreSIGCHLD.Do(func() { signal.Ignore(syscall.SIGCHLD) })
	p := &Platform{sentryPID: int32(os.Getpid()), spawn: make(chan spawnRequest)}
	if !opts.NoPin {
		p.cpus = newCPUPool()
	}
	go p.factory()
	return p
}

// factory starts every stub from one OS thread that lives as long as the
// Sentry. A stub's parent-death signal fires when the thread that started
// it exits, and forked stubs (CLONE_PARENT) share that parent: tying it to a
// task's thread would kill every stub the day that task's thread ends. The
// factory starts and initialises a stub, parks it and lets it go; the task
// that asked adopts it.
func (p *Platform) factory() {
	runtime.LockOSThread() // never unlocked: this thread is every stub's parent
	for req := range p.spawn {
		proc, err := p.startStub()
		req.reply <- spawnReply{proc, err}
	}
}

// Name implements platform.Platform.
func (*Platform) Name() string { return "ptrace" }

// stubSocket is a stub's one fd, as the Sentry sees it: sock is the
// Sentry's end; stubSock a copy of the stub's own end, kept so that the
// Sentry can drain stale messages. A forked stub inherits its parent's
// socket, so processes of one lineage share it: mu serialises fd passing
// (which also uses the stub's fd 1 and its scratch page).
type stubSocket struct {
	mu       sync.Mutex
	sock     int
	stubSock int
	refs     atomic.Int32
}

func (s *stubSocket) decRef() {
	if s.refs.Add(-1) == 0 {
		unix.Close(s.sock)
		unix.Close(s.stubSock)
	}
}

// process is one stub process.
type process struct {
	plat *Platform
	pid  int
	sock *stubSocket

	vdso     uintptr
	reserved []platform.Range
	killed   atomic.Bool
	// noFaultFrames is set once the stub's fault handler may be gone (see
	// faultFrame); a forked child inherits it with the handlers.
	noFaultFrames atomic.Bool
}

var _ platform.Process = (*process)(nil)

// NewProcess implements platform.Platform. The caller's goroutine must be
// locked to its OS thread, which becomes the tracer of the new stub.
func (p *Platform) NewProcess() (platform.Process, platform.Thread, error) {
	reply := make(chan spawnReply, 1)
	p.spawn <- spawnRequest{reply}
	r := <-reply
	if r.err != nil {
		return nil, nil, r.err
	}
	h := &handoff{proc: r.proc, tid: r.proc.pid}
	th, err := h.Adopt()
	if err != nil {
		r.proc.Kill()
		r.proc.Release()
		return nil, nil, err
	}
	return r.proc, th, nil
}

// startStub runs on the factory thread: start a stub, initialise it, park
// it and detach, ready for adoption.
func (p *Platform) startStub() (*process, error) {
	exe, err := stubExecutable()
	if err != nil {
		return nil, err
	}
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("stub socket: %w", err)
	}
	sock := &stubSocket{sock: fds[0], stubSock: fds[1]}
	sock.refs.Store(1)
	proc := &process{plat: p, sock: sock}
	attr := &syscall.ProcAttr{
		Env:   []string{},
		Files: []uintptr{uintptr(fds[1])},
		Sys: &syscall.SysProcAttr{
			Ptrace:    true,
			Setsid:    true, // no terminal job-control signals reach the stub
			Pdeathsig: syscall.SIGKILL,
		},
	}
	pid, err := syscall.ForkExec(fmt.Sprintf("/proc/self/fd/%d", exe), []string{"moat-stub"}, attr)
	if err != nil {
		sock.decRef()
		return nil, fmt.Errorf("starting the stub: %w", err)
	}
	proc.pid = pid
	t := &thread{proc: proc, tid: pid, cpu: -1}
	if err := proc.init(t); err == nil {
		err = t.detach()
	}
	if err != nil {
		proc.Kill()
		wait4(pid)
		sock.decRef()
		return nil, err
	}
	return proc, nil
}

// init takes the freshly exec'd stub, stopped at its first instruction, to the
// state every stub starts applications in: one fd, no stack, the seccomp
// filter installed.
func (p *process) init(t *thread) error {
	status, e := wait4(p.pid)
	if e != 0 || !status.Stopped() || status.StopSignal() != unix.SIGTRAP {
		return fmt.Errorf("stub did not stop after exec (status %#x, %v)", status, e)
	}
	if e := ptrace(unix.PTRACE_SETOPTIONS, p.pid, 0, ptraceOptions); e != 0 {
		return fmt.Errorf("PTRACE_SETOPTIONS: %w", e)
	}
	if e := getRegs(t.tid, &t.regs); e != 0 {
		return fmt.Errorf("PTRACE_GETREGS: %w", e)
	}
	// The host's OOM killer takes application processes before the Sentry.
	os.WriteFile(fmt.Sprintf("/proc/%d/oom_score_adj", p.pid), []byte("1000"), 0)

	maps, err := readMaps(p.pid)
	if err != nil {
		return err
	}
	if _, err := t.Syscall(unix.SYS_CLOSE_RANGE, 1, ^uintptr(0), 0); err != nil {
		return fmt.Errorf("stub close_range: %w", err)
	}
	for _, m := range maps {
		switch {
		case m.start >= stubBase && m.end <= stubEnd:
		case m.name == "[vdso]":
			p.vdso = m.start
			p.reserved = append(p.reserved, platform.Range{Start: m.start, End: m.end, Name: m.name})
		case strings.HasPrefix(m.name, "[vvar"):
			p.reserved = append(p.reserved, platform.Range{Start: m.start, End: m.end, Name: m.name})
		case m.name == "[vsyscall]":
		default: // the stack, and anything else the host put there
			if _, err := t.Syscall(unix.SYS_MUNMAP, m.start, m.end-m.start); err != nil {
				return fmt.Errorf("stub munmap %s: %w", m.name, err)
			}
		}
	}
	// Name the stub for ps and top (exec through /proc/self/fd/N named it
	// "N").
	if _, err := p.WriteMemory(stubScratch, []byte("moat-stub\x00")); err != nil {
		return err
	}
	if _, err := t.Syscall(unix.SYS_PRCTL, unix.PR_SET_NAME, stubScratch, 0, 0, 0); err != nil {
		return fmt.Errorf("stub prctl(PR_SET_NAME): %w", err)
	}
	// The fault handler (see siteFaultFrame): struct kernel_sigaction
	// {handler, flags, restorer, mask}. SA_NODEFER and an empty mask
	// leave the host signal mask alone while the frame is read; x86-64
	// frames need SA_RESTORER.
	act := make([]byte, 32)
	binary.LittleEndian.PutUint64(act[0:], siteFaultFrame)
	binary.LittleEndian.PutUint64(act[8:], saSiginfo|saNodefer|saRestorer)
	binary.LittleEndian.PutUint64(act[16:], siteFaultFrame)
	if _, err := p.WriteMemory(stubScratch, act); err != nil {
		return err
	}
	for _, sig := range []unix.Signal{unix.SIGSEGV, unix.SIGBUS} {
		if _, err := t.Syscall(unix.SYS_RT_SIGACTION, uintptr(sig), stubScratch, 0, 8); err != nil {
			return fmt.Errorf("stub fault handler: %w", err)
		}
	}
	if _, err := t.Syscall(unix.SYS_PRCTL, unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		return fmt.Errorf("stub no_new_privs: %w", err)
	}
	filter, err := stubFilter()
	if err != nil {
		return fmt.Errorf("stub filter: %w", err)
	}
	// struct sock_fprog { u16 len; u64 filter; } then the instructions.
	buf := make([]byte, 16+8*len(filter))
	binary.LittleEndian.PutUint16(buf[0:], uint16(len(filter)))
	binary.LittleEndian.PutUint64(buf[8:], stubScratch+16)
	for i, ins := range filter {
		b := buf[16+8*i:]
		binary.LittleEndian.PutUint16(b[0:], ins.Op)
		b[2], b[3] = ins.Jt, ins.Jf
		binary.LittleEndian.PutUint32(b[4:], ins.K)
	}
	if _, err := p.WriteMemory(stubScratch, buf); err != nil {
		return fmt.Errorf("writing the stub filter: %w", err)
	}
	if _, err := t.Syscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, 0, stubScratch); err != nil {
		return fmt.Errorf("installing the stub filter: %w", err)
	}
	if _, err := p.WriteMemory(stubScratch, make([]byte, len(buf))); err != nil {
		return err
	}
	return nil
}

type mapping struct {
	start, end uintptr
	name       string
}

func readMaps(pid int) ([]mapping, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/maps", pid))
	if err != nil {
		return nil, err
	}
	var out []mapping
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 5 {
			continue
		}
		a, b, ok := strings.Cut(f[0], "-")
		if !ok {
			continue
		}
		s, err1 := strconv.ParseUint(a, 16, 64)
		e, err2 := strconv.ParseUint(b, 16, 64)
		if err1 != nil || err2 != nil {
			continue
		}
		m := mapping{start: uintptr(s), end: uintptr(e)}
		if len(f) >= 6 {
			m.name = f[5]
		}
		out = append(out, m)
	}
	return out, nil
}

// HostPID implements platform.Process.
func (p *process) HostPID() int { return p.pid }

// UserLimit implements platform.Process.
func (p *process) UserLimit() uintptr { return stubBase }

// Reserved implements platform.Process.
func (p *process) Reserved() []platform.Range { return p.reserved }

// VDSO implements platform.Process.
func (p *process) VDSO() uintptr { return p.vdso }

// Release implements platform.Process.
func (p *process) Release() { p.sock.decRef() }

// Kill implements platform.Process.
func (p *process) Kill() {
	if p.killed.CompareAndSwap(false, true) {
		unix.Kill(p.pid, unix.SIGKILL)
	}
}

// ReadMemory implements platform.Process.
func (p *process) ReadMemory(addr uintptr, dst []byte) (int, error) {
	return p.vm(unix.SYS_PROCESS_VM_READV, addr, dst)
}

// WriteMemory implements platform.Process.
func (p *process) WriteMemory(addr uintptr, src []byte) (int, error) {
	return p.vm(unix.SYS_PROCESS_VM_WRITEV, addr, src)
}

// vm copies with process_vm_readv/writev, looping on short counts: the kernel
// stops at the first page it cannot access, and the next call reports why.
func (p *process) vm(nr uintptr, addr uintptr, buf []byte) (int, error) {
	done := 0
	for done < len(buf) {
		local := unix.Iovec{Base: &buf[done]}
		local.SetLen(len(buf) - done)
		remote := unix.RemoteIovec{Base: addr + uintptr(done), Len: len(buf) - done}
		n, _, e := syscall.Syscall6(nr, uintptr(p.pid), uintptr(unsafe.Pointer(&local)), 1,
			uintptr(unsafe.Pointer(&remote)), 1, 0)
		if e != 0 {
			return done, e
		}
		if n == 0 {
			return done, unix.EFAULT
		}
		done += int(n)
	}
	return done, nil
}
