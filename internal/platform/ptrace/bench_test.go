package ptrace

import (
	"testing"

	"github.com/moat-sandbox/moat/internal/platform"
)

// BenchmarkSyscallRoundTrip measures one application system call stopped by
// PTRACE_SYSEMU and answered: the floor under every syscall moat emulates.
func BenchmarkSyscallRoundTrip(b *testing.B) {
	withProcess(&testing.T{}, func(p platform.Process, th platform.Thread) {
		// loop: mov eax, SYS_getppid; syscall; jmp loop
		mapCode(&testing.T{}, p, th, []byte{0xb8, 0x6e, 0, 0, 0, 0x0f, 0x05, 0xeb, 0xf7})
		th.Regs().Rip = codeAddr
		th.SetRegsDirty()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			th.Switch()
			th.Regs().Rax = 1
			th.SetRegsDirty()
		}
	})
}
