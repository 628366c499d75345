package ptrace

import (
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/platform"
)

func needRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Fatal("this test needs root (ptrace of the stub and its seccomp filter); run go test as root")
	}
}

// withProcess runs f on a locked OS thread that owns a fresh stub.
func withProcess(t *testing.T, f func(p platform.Process, th platform.Thread)) {
	needRoot(t)
	done := make(chan struct{})
	go func() {
		defer close(done)
		runtime.LockOSThread()
		// The goroutine returns with the thread locked: Go then ends the
		// thread, and EXITKILL kills the stub with it.
		p, th, err := New(Options{}).NewProcess()
		if err != nil {
			t.Errorf("NewProcess: %v", err)
			return
		}
		defer func() { p.Kill(); wait4(p.HostPID()) }()
		f(p, th)
	}()
	<-done
}

const codeAddr = 0x10000

// mapCode maps code at codeAddr, read+exec.
func mapCode(t *testing.T, p platform.Process, th platform.Thread, code []byte) {
	t.Helper()
	if _, err := th.Syscall(unix.SYS_MMAP, codeAddr, 0x1000, unix.PROT_READ|unix.PROT_WRITE,
		unix.MAP_PRIVATE|unix.MAP_ANONYMOUS|unix.MAP_FIXED, ^uintptr(0), 0); err != nil {
		t.Fatalf("mmap: %v", err)
	}
	if _, err := p.WriteMemory(codeAddr, code); err != nil {
		t.Fatalf("write code: %v", err)
	}
	if _, err := th.Syscall(unix.SYS_MPROTECT, codeAddr, 0x1000, unix.PROT_READ|unix.PROT_EXEC); err != nil {
		t.Fatalf("mprotect: %v", err)
	}
}

func TestStubHygiene(t *testing.T) {
	withProcess(t, func(p platform.Process, th platform.Thread) {
		pid := p.HostPID()
		status, err := os.ReadFile("/proc/" + itoa(pid) + "/status")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(status), "Seccomp:\t2") {
			t.Errorf("stub is not in seccomp filter mode:\n%s", status)
		}
		fds, _ := os.ReadDir("/proc/" + itoa(pid) + "/fd")
		if len(fds) != 1 || fds[0].Name() != "0" {
			t.Errorf("stub fds = %v, want only 0", fds)
		}
		if l, _ := os.Readlink("/proc/" + itoa(pid) + "/fd/0"); !strings.HasPrefix(l, "socket:") {
			t.Errorf("stub fd 0 is %q, want a socket", l)
		}
		maps, _ := readMaps(pid)
		for _, m := range maps {
			switch {
			case m.start >= stubBase && m.end <= stubEnd:
			case m.name == "[vdso]", strings.HasPrefix(m.name, "[vvar"), m.name == "[vsyscall]":
			default:
				t.Errorf("unexpected stub mapping %#x-%#x %s", m.start, m.end, m.name)
			}
		}
		adj, _ := os.ReadFile("/proc/" + itoa(pid) + "/oom_score_adj")
		if strings.TrimSpace(string(adj)) != "1000" {
			t.Errorf("oom_score_adj = %q", adj)
		}
		// A call outside the allowlist, injected from the stub page, kills it.
		if _, err := th.Syscall(unix.SYS_GETPID); err == nil {
			t.Errorf("getpid from the stub succeeded; the filter should kill the stub")
		}
	})
}

func TestSyscallStopInterruptFault(t *testing.T) {
	withProcess(t, func(p platform.Process, th platform.Thread) {
		code := []byte{
			0xb8, 0x27, 0, 0, 0, // mov eax, 39 (getpid)
			0x0f, 0x05, // syscall
			0xeb, 0xfe, // spin: jmp spin
			0x0f, 0x0b, // ud2
			0xcd, 0x80, // int 0x80
		}
		mapCode(t, p, th, code)
		r := th.Regs()
		r.Rip = codeAddr
		th.SetRegsDirty()
		stop, _ := th.Switch()
		if stop != platform.StopSyscall || th.Regs().Orig_rax != 39 {
			t.Fatalf("stop %v nr %d, want syscall 39", stop, th.Regs().Orig_rax)
		}
		th.Regs().Rax = 1234
		th.SetRegsDirty()
		go func() { time.Sleep(50 * time.Millisecond); th.Interrupt() }()
		stop, _ = th.Switch()
		if stop != platform.StopInterrupt {
			t.Fatalf("stop %v, want interrupt", stop)
		}
		if th.Regs().Rax != 1234 || th.Regs().Rip != codeAddr+7 {
			t.Errorf("after interrupt rax=%d rip=%#x", th.Regs().Rax, th.Regs().Rip)
		}
		th.Regs().Rip = codeAddr + 9
		th.SetRegsDirty()
		stop, f := th.Switch()
		if stop != platform.StopFault || f.Signo != int(unix.SIGILL) {
			t.Fatalf("stop %v fault %+v, want SIGILL", stop, f)
		}
		th.Regs().Rip = codeAddr + 11
		th.Regs().Rax = 20
		th.SetRegsDirty()
		if stop, _ := th.Switch(); stop != platform.StopSyscall32 {
			t.Fatalf("int 0x80: stop %v, want syscall32", stop)
		}
		th.Regs().Rip = 0x5000 // unmapped
		th.SetRegsDirty()
		stop, f = th.Switch()
		if stop != platform.StopFault || f.Signo != int(unix.SIGSEGV) || f.Addr != 0x5000 {
			t.Fatalf("stop %v fault %+v, want SIGSEGV at 0x5000", stop, f)
		}
		var b [8]byte
		if _, err := p.ReadMemory(0x5000, b[:]); err != unix.EFAULT {
			t.Errorf("read of unmapped memory: %v, want EFAULT", err)
		}
		if _, err := p.WriteMemory(codeAddr, b[:]); err != unix.EFAULT {
			t.Errorf("write to read-only memory: %v, want EFAULT", err)
		}
	})
}

func TestCompareAndSwapAndMapFile(t *testing.T) {
	withProcess(t, func(p platform.Process, th platform.Thread) {
		if _, err := th.Syscall(unix.SYS_MMAP, codeAddr, 0x1000, unix.PROT_READ|unix.PROT_WRITE,
			unix.MAP_PRIVATE|unix.MAP_ANONYMOUS|unix.MAP_FIXED, ^uintptr(0), 0); err != nil {
			t.Fatal(err)
		}
		p.WriteMemory(codeAddr, []byte{7, 0, 0, 0})
		if old, err := th.CompareAndSwap32(codeAddr, 7, 9); err != nil || old != 7 {
			t.Fatalf("cas: %d %v", old, err)
		}
		if old, err := th.CompareAndSwap32(codeAddr, 7, 11); err != nil || old != 9 {
			t.Fatalf("failed cas: %d %v", old, err)
		}
		if _, err := th.CompareAndSwap32(0x5000, 0, 1); err != unix.EFAULT {
			t.Fatalf("cas on unmapped: %v", err)
		}
		f, err := os.CreateTemp(t.TempDir(), "map")
		if err != nil {
			t.Fatal(err)
		}
		f.WriteString("mapped through the stub socket")
		if err := th.MapFile(0x20000, 0x1000, unix.PROT_READ, unix.MAP_PRIVATE|unix.MAP_FIXED, int(f.Fd()), 0); err != nil {
			t.Fatalf("MapFile: %v", err)
		}
		buf := make([]byte, 30)
		p.ReadMemory(0x20000, buf)
		if string(buf) != "mapped through the stub socket" {
			t.Errorf("mapped file reads %q", buf)
		}
		fds, _ := os.ReadDir("/proc/" + itoa(p.HostPID()) + "/fd")
		if len(fds) != 1 {
			t.Errorf("stub holds %d fds after MapFile", len(fds))
		}
	})
}

func itoa(i int) string {
	return strconv.Itoa(i)
}

// onNewThread runs f on a fresh locked OS thread and waits for it.
func onNewThread(f func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		runtime.LockOSThread()
		f()
	}()
	<-done
}

func TestForkAndThreads(t *testing.T) {
	withProcess(t, func(p platform.Process, th platform.Thread) {
		code := []byte{
			0xb8, 0x27, 0, 0, 0, // mov eax, 39
			0x0f, 0x05, // syscall
			0xeb, 0xf7, // jmp back to the mov
		}
		mapCode(t, p, th, code)
		if _, err := th.Syscall(unix.SYS_MMAP, 0x20000, 0x1000, unix.PROT_READ|unix.PROT_WRITE,
			unix.MAP_PRIVATE|unix.MAP_ANONYMOUS|unix.MAP_FIXED, ^uintptr(0), 0); err != nil {
			t.Fatal(err)
		}
		p.WriteMemory(0x20000, []byte("parent"))
		th.Regs().Rip = codeAddr
		th.SetRegsDirty()
		if stop, _ := th.Switch(); stop != platform.StopSyscall {
			t.Fatalf("parent stop %v", stop)
		}
		child, h, err := th.Fork()
		if err != nil {
			t.Fatalf("Fork: %v", err)
		}
		appRegs := *th.Regs()
		onNewThread(func() {
			ct, err := h.Adopt()
			if err != nil {
				t.Errorf("Adopt: %v", err)
				return
			}
			defer func() { child.Kill(); ct.Reap(); child.Release() }()
			buf := make([]byte, 6)
			child.ReadMemory(0x20000, buf)
			if string(buf) != "parent" {
				t.Errorf("child sees %q", buf)
			}
			child.WriteMemory(0x20000, []byte("child!"))
			*ct.Regs() = appRegs
			ct.Regs().Rax = 0
			ct.SetRegsDirty()
			if stop, _ := ct.Switch(); stop != platform.StopSyscall || ct.Regs().Orig_rax != 39 {
				t.Errorf("child stop %v nr %d", stop, ct.Regs().Orig_rax)
			}
			status, _ := os.ReadFile("/proc/" + strconv.Itoa(child.HostPID()) + "/status")
			if !strings.Contains(string(status), "Seccomp:\t2") {
				t.Errorf("forked stub lost its filter")
			}
		})
		buf := make([]byte, 6)
		p.ReadMemory(0x20000, buf)
		if string(buf) != "parent" {
			t.Errorf("parent memory changed by the child: %q", buf)
		}
		h2, err := th.NewThread()
		if err != nil {
			t.Fatalf("NewThread: %v", err)
		}
		onNewThread(func() {
			nt, err := h2.Adopt()
			if err != nil {
				t.Errorf("Adopt thread: %v", err)
				return
			}
			*nt.Regs() = appRegs
			nt.SetRegsDirty()
			if stop, _ := nt.Switch(); stop != platform.StopSyscall {
				t.Errorf("thread stop %v", stop)
			}
			// The thread leaves through the stub.
			if _, err := nt.Syscall(unix.SYS_EXIT, 0); err == nil {
				t.Errorf("exit returned")
			}
		})
		if stop, _ := th.Switch(); stop != platform.StopSyscall {
			t.Errorf("parent after fork: stop %v", stop)
		}
	})
}
