package kernel

import (
	"encoding/binary"

	"golang.org/x/sys/unix"

	"github.com/moat-sandbox/moat/internal/platform"
	"github.com/moat-sandbox/moat/internal/sentry/linux"
)

// The x86-64 signal frame, as the Sentry builds it on the application's
// stack (or its sigaltstack), from the top down:
//
//	XSAVE area, 64-byte aligned, followed by FP_XSTATE_MAGIC2
//	struct rt_sigframe, with rsp+8 16-byte aligned at handler entry:
//	  +0   pretcode (sa_restorer)      8
//	  +8   struct ucontext             304
//	         +0 uc_flags, +8 uc_link, +16 uc_stack (24)
//	         +40 uc_mcontext (struct sigcontext, 256)
//	         +296 uc_sigmask (8)
//	  +312 siginfo                     128
const (
	frameUC      = 8
	frameInfo    = 312
	frameSize    = 440
	ucStack      = 16
	ucMcontext   = 40
	ucSigmask    = 296
	sigcontextSz = 256

	ucFPXState        = 0x1
	ucSigcontextSS    = 0x2
	ucStrictRestoreSS = 0x4

	fpXStateMagic1 = 0x46505853
	fpXStateMagic2 = 0x46505845
	swReservedOff  = 464 // struct _fpx_sw_bytes inside the FXSAVE area
	mxcsrOff       = 24
	xstateHdrOff   = 512 // the XSAVE header (xstate_bv)

	redZone = 128

	userCS = 0x33
	userSS = 0x2b

	// eflags bits sigreturn may restore (Linux's FIX_EFLAGS).
	fixEflags = 0x1 | 0x4 | 0x10 | 0x40 | 0x80 | 0x100 | 0x400 | 0x800 | 0x10000 | 0x40000
	eflagsDF  = 0x400
	eflagsTF  = 0x100
	eflagsRF  = 0x10000
)

// sigcontext register order.
func sigcontextRegs(r *platform.Registers) []*uint64 {
	return []*uint64{&r.R8, &r.R9, &r.R10, &r.R11, &r.R12, &r.R13, &r.R14, &r.R15,
		&r.Rdi, &r.Rsi, &r.Rbp, &r.Rbx, &r.Rdx, &r.Rax, &r.Rcx, &r.Rsp, &r.Rip, &r.Eflags}
}

// setupFrame builds a handler frame for info and points the task at the
// handler. oldMask is the mask the frame restores.
func (t *Task) setupFrame(info *linux.SignalInfo, act *linux.SigAction, oldMask linux.SignalSet, st linux.SignalStack) error {
	if act.Flags&linux.SA_RESTORER == 0 {
		return unix.EFAULT
	}
	regs := t.th.Regs()
	sp := regs.Rsp - redZone
	onAlt := st.Flags&linux.SS_DISABLE == 0 && st.Contains(regs.Rsp)
	if act.Flags&linux.SA_ONSTACK != 0 && st.Flags&linux.SS_DISABLE == 0 && !onAlt {
		sp = st.Sp + st.Size
	}

	fp, err := t.th.FPState()
	if err != nil {
		return err
	}
	fpLen := uint64(len(fp))
	le := binary.LittleEndian
	// The software bytes tell sigreturn and debuggers the XSAVE layout.
	xfeatures := le.Uint64(fp[swReservedOff+8:])
	if le.Uint32(fp[swReservedOff:]) != fpXStateMagic1 || xfeatures == 0 {
		xfeatures = le.Uint64(fp[xstateHdrOff:]) | 3
	}
	le.PutUint32(fp[swReservedOff:], fpXStateMagic1)
	le.PutUint32(fp[swReservedOff+4:], uint32(fpLen+4))
	le.PutUint64(fp[swReservedOff+8:], xfeatures)
	le.PutUint32(fp[swReservedOff+16:], uint32(fpLen))
	fp = binary.LittleEndian.AppendUint32(fp, fpXStateMagic2)

	fpAddr := (sp - uint64(len(fp))) &^ 63
	frame := ((fpAddr - frameSize) &^ 15) - 8

	var f [frameSize]byte
	le.PutUint64(f[0:], act.Restorer)
	uc := f[frameUC:]
	le.PutUint64(uc[0:], ucFPXState|ucSigcontextSS|ucStrictRestoreSS)
	t.altStackForFrame(st, regs.Rsp).Marshal(uc[ucStack:])
	mc := uc[ucMcontext:]
	for i, p := range sigcontextRegs(regs) {
		le.PutUint64(mc[8*i:], *p)
	}
	le.PutUint16(mc[144:], uint16(regs.Cs))
	le.PutUint16(mc[146:], uint16(regs.Gs))
	le.PutUint16(mc[148:], uint16(regs.Fs))
	le.PutUint16(mc[150:], uint16(regs.Ss))
	if isFault(info) {
		// The CPU's trap number and error code, when the platform learned
		// them for this fault; otherwise a page fault with an unknown code.
		errCode, trapno := uint64(0), uint64(14)
		if f := &t.lastFault; f.HasTrap && f.Addr == info.Addr() && int32(f.Signo) == info.Signo {
			errCode, trapno = f.ErrorCode, f.Trapno
		}
		le.PutUint64(mc[152:], errCode)     // err
		le.PutUint64(mc[160:], trapno)      // trapno
		le.PutUint64(mc[176:], info.Addr()) // cr2
	}
	le.PutUint64(mc[168:], uint64(oldMask)) // oldmask
	le.PutUint64(mc[184:], fpAddr)
	le.PutUint64(uc[ucSigmask:], uint64(oldMask))
	info.Marshal(f[frameInfo:])

	if err := t.MM().CopyOut(uintptr(fpAddr), fp); err != nil {
		return err
	}
	if err := t.MM().CopyOut(uintptr(frame), f[:]); err != nil {
		return err
	}

	// The handler starts with a clean FPU, as on Linux: x87 and SSE in
	// their initial state, default MXCSR, no extended state.
	clean := make([]byte, fpLen)
	le.PutUint16(clean[0:], 0x37f)                               // fcw
	le.PutUint32(clean[mxcsrOff:], 0x1f80)                       // mxcsr
	le.PutUint32(clean[mxcsrOff+4:], le.Uint32(fp[mxcsrOff+4:])) // mxcsr_mask
	copy(clean[swReservedOff:], fp[swReservedOff:swReservedOff+48])
	if err := t.th.SetFPState(clean); err != nil {
		return err
	}

	regs.Rip = act.Handler
	regs.Rsp = frame
	regs.Rdi = uint64(info.Signo)
	regs.Rsi = frame + frameInfo
	regs.Rdx = frame + frameUC
	regs.Rax = 0
	regs.Eflags &^= eflagsDF | eflagsRF | eflagsTF
	regs.Cs = userCS
	regs.Ss = userSS
	t.th.SetRegsDirty()
	if st.Flags&linux.SS_AUTODISARM != 0 && act.Flags&linux.SA_ONSTACK != 0 {
		t.tg.mu.Lock()
		t.altStack = linux.SignalStack{Flags: linux.SS_DISABLE}
		t.tg.mu.Unlock()
	}
	return nil
}

// altStackForFrame is the uc_stack the frame records.
func (t *Task) altStackForFrame(st linux.SignalStack, sp uint64) *linux.SignalStack {
	out := st
	if st.Flags&linux.SS_DISABLE == 0 && st.Contains(sp) {
		out.Flags |= linux.SS_ONSTACK
	}
	return &out
}

func isFault(info *linux.SignalInfo) bool {
	switch linux.Signal(info.Signo) {
	case linux.SIGSEGV, linux.SIGBUS:
		return info.Code > 0
	}
	return false
}

// SignalReturn implements rt_sigreturn(2): restore the registers, mask,
// signal stack and FP state saved in the frame at rsp-8. A frame that
// cannot be read or restored kills the task with SIGSEGV, as on Linux.
func (t *Task) SignalReturn() error {
	regs := t.th.Regs()
	frame := regs.Rsp - 8
	var f [frameSize]byte
	if err := t.MM().CopyIn(uintptr(frame), f[:]); err != nil {
		return t.badFrame()
	}
	le := binary.LittleEndian
	uc := f[frameUC:]
	mc := uc[ucMcontext:]
	var nr platform.Registers = *regs
	for i, p := range sigcontextRegs(&nr) {
		*p = le.Uint64(mc[8*i:])
	}
	nr.Eflags = regs.Eflags&^fixEflags | nr.Eflags&fixEflags
	nr.Cs = userCS
	nr.Ss = userSS
	nr.Orig_rax = ^uint64(0) // no syscall restart on the way out
	fpAddr := le.Uint64(mc[184:])
	if fpAddr != 0 {
		cur, err := t.th.FPState()
		if err != nil {
			return t.badFrame()
		}
		fp := make([]byte, len(cur))
		if err := t.MM().CopyIn(uintptr(fpAddr), fp); err != nil {
			return t.badFrame()
		}
		if le.Uint32(fp[swReservedOff:]) != fpXStateMagic1 {
			// A legacy FXSAVE-only frame: keep the extended state.
			copy(cur[:512], fp[:512])
			fp = cur
		}
		if err := t.th.SetFPState(fp); err != nil {
			return t.badFrame()
		}
	}
	// The signal stack is restored as sigaltstack would, judged by where
	// the thread is now (still on the handler's stack): errors are
	// ignored, as by Linux's restore_altstack.
	var st linux.SignalStack
	st.Unmarshal(uc[ucStack:])
	t.SetAltStack(st)
	*regs = nr
	t.th.SetRegsDirty()
	t.SetSignalMask(linux.SignalSet(le.Uint64(uc[ucSigmask:])))
	return nil
}

func (t *Task) badFrame() error {
	info := &linux.SignalInfo{Signo: int32(linux.SIGSEGV), Code: linux.SI_KERNEL}
	t.forceSignal(info)
	return nil
}
