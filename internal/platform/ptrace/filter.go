package ptrace

import (
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// The stub's seccomp filter. Application system calls never reach it: under
// PTRACE_SYSEMU the tracer sees them before seccomp runs and they are never
// executed. It constrains what the stub itself can be made to do: only the
// calls moat injects, and only from the stub's code page. Anything else kills
// the whole stub process.
//
// struct seccomp_data: nr (u32 at 0), arch (u32 at 4), instruction_pointer
// (u64 at 8), args[6] (u64 each, from 16). Loads are 32-bit, little endian.
const (
	seccompRetKillProcess = 0x80000000
	seccompRetAllow       = 0x7fff0000

	auditArchX86_64 = 0xc000003e

	vsyscallPage = 0xffffffffff600000

	// The clone flag sets the stub may be made to use.
	cloneForkFlags   = unix.CLONE_PARENT | uintptr(unix.SIGCHLD)
	cloneThreadFlags = unix.CLONE_VM | unix.CLONE_FS | unix.CLONE_FILES | unix.CLONE_SIGHAND |
		unix.CLONE_THREAD | unix.CLONE_SYSVSEM
)

// stubAllowed are the calls the Sentry injects into a stub.
var stubAllowed = []uint32{
	unix.SYS_MMAP, unix.SYS_MUNMAP, unix.SYS_MPROTECT, unix.SYS_MREMAP,
	unix.SYS_MADVISE, unix.SYS_MSYNC, unix.SYS_CLOSE, unix.SYS_CLOSE_RANGE,
	unix.SYS_PAUSE, unix.SYS_EXIT, unix.SYS_MINCORE,
}

// vsyscallAllowed are the legacy vsyscall entries: old binaries call them at
// fixed addresses and the kernel runs them through seccomp.
var vsyscallAllowed = []uint32{unix.SYS_TIME, unix.SYS_GETTIMEOFDAY, unix.SYS_GETCPU}

func stubFilter() ([]bpf.RawInstruction, error) {
	const (
		offNr   = 0
		offArch = 4
		offIPLo = 8
		offIPHi = 12
		offArg0 = 16
	)
	kill := bpf.RetConstant{Val: seccompRetKillProcess}
	allow := bpf.RetConstant{Val: seccompRetAllow}

	// Programs are built with labels resolved by hand: each block records
	// where it starts, and jumps are patched at the end.
	var prog []bpf.Instruction
	type fix struct {
		at            int
		trueL, falseL string
	}
	var fixes []fix
	labels := map[string]int{}
	emit := func(i bpf.Instruction) { prog = append(prog, i) }
	label := func(name string) { labels[name] = len(prog) }
	jeq := func(val uint32, t, f string) {
		fixes = append(fixes, fix{len(prog), t, f})
		emit(bpf.JumpIf{Cond: bpf.JumpEqual, Val: val})
	}
	jge := func(val uint32, t, f string) {
		fixes = append(fixes, fix{len(prog), t, f})
		emit(bpf.JumpIf{Cond: bpf.JumpGreaterOrEqual, Val: val})
	}
	const next = "" // fall through

	emit(bpf.LoadAbsolute{Off: offArch, Size: 4})
	jeq(auditArchX86_64, next, "kill")
	emit(bpf.LoadAbsolute{Off: offIPHi, Size: 4})
	jeq(stubCode>>32, "stubip", next)
	jeq(vsyscallPage>>32, "vsysip", "kill")

	// The instruction pointer must lie in the stub's code page.
	label("stubip")
	emit(bpf.LoadAbsolute{Off: offIPLo, Size: 4})
	jge(uint32(stubCode&0xffffffff)+0x1000, "kill", next)
	jge(uint32(stubCode&0xffffffff), next, "kill")
	emit(bpf.LoadAbsolute{Off: offNr, Size: 4})
	for _, nr := range stubAllowed {
		jeq(nr, "allow", next)
	}
	jeq(unix.SYS_RECVMSG, "recvmsg", next)
	jeq(unix.SYS_CLONE, "clone", next)
	jeq(unix.SYS_PRCTL, "prctl", next)
	emit(kill)

	// prctl only to set a forked stub's parent-death signal to SIGKILL.
	label("prctl")
	emit(bpf.LoadAbsolute{Off: offArg0, Size: 4})
	jeq(unix.PR_SET_PDEATHSIG, next, "kill")
	emit(bpf.LoadAbsolute{Off: offArg0 + 8, Size: 4})
	jeq(uint32(unix.SIGKILL), "allow", "kill")

	// recvmsg only on fd 0, the stub's socket to the Sentry.
	label("recvmsg")
	emit(bpf.LoadAbsolute{Off: offArg0 + 4, Size: 4})
	jeq(0, next, "kill")
	emit(bpf.LoadAbsolute{Off: offArg0, Size: 4})
	jeq(0, "allow", "kill")

	// clone only with the fork and thread flag sets.
	label("clone")
	emit(bpf.LoadAbsolute{Off: offArg0 + 4, Size: 4})
	jeq(0, next, "kill")
	emit(bpf.LoadAbsolute{Off: offArg0, Size: 4})
	jeq(uint32(cloneForkFlags), "allow", next)
	jeq(uint32(cloneThreadFlags), "allow", "kill")

	label("vsysip")
	emit(bpf.LoadAbsolute{Off: offIPLo, Size: 4})
	jge(uint32(vsyscallPage&0xffffffff)+0x1000, "kill", next)
	jge(uint32(vsyscallPage&0xffffffff), next, "kill")
	emit(bpf.LoadAbsolute{Off: offNr, Size: 4})
	for _, nr := range vsyscallAllowed {
		jeq(nr, "allow", next)
	}
	emit(kill)

	label("allow")
	emit(allow)
	label("kill")
	emit(kill)

	for _, f := range fixes {
		j := prog[f.at].(bpf.JumpIf)
		rel := func(l string) uint8 {
			if l == next {
				return 0
			}
			return uint8(labels[l] - f.at - 1)
		}
		j.SkipTrue, j.SkipFalse = rel(f.trueL), rel(f.falseL)
		prog[f.at] = j
	}
	return bpf.Assemble(prog)
}
