/*
 * fault_siginfo: hardware exceptions caught by SA_SIGINFO handlers: the
 * signal, si_code and si_addr Linux reports for division by zero (SIGFPE),
 * ud2 (SIGILL), an alignment-check fault (SIGBUS), int3 (SIGTRAP) and a
 * privileged instruction (SIGSEGV). Each handler resumes at a label by
 * editing the saved RIP (and clears EFLAGS.AC), so sigreturn must honour
 * changed registers.
 */
#include "compat.h"
#include <signal.h>
#include <stdint.h>
#include <ucontext.h>

extern char fpe_insn[], fpe_resume[], ill_insn[], ill_resume[], bus_insn[], bus_resume[];
extern char trap_insn[], trap_after[], trap_resume[], gp_insn[], gp_resume[];

static volatile int got_sig, got_code;
static void *volatile got_addr;
static volatile uintptr_t got_rip;
static char *volatile resume;

static void handler(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	got_sig = sig;
	got_code = si->si_code;
	got_addr = si->si_addr;
	got_rip = uc->uc_mcontext.gregs[REG_RIP];
	uc->uc_mcontext.gregs[REG_RIP] = (greg_t)resume;
	uc->uc_mcontext.gregs[REG_EFL] &= ~0x40000L; /* EFLAGS.AC */
}

static void report(const char *what, int sig, int code, void *addr, void *rip)
{
	printf("%s: signal %s, si_code %d, si_addr %s, rip %s\n", what, sigabbrev_np(got_sig), got_code,
	       got_addr == addr ? "as expected" : "wrong", (void *)got_rip == rip ? "as expected" : "wrong");
	if (got_sig != sig || got_code != code || got_addr != addr || (void *)got_rip != rip)
		compat_failures++;
	got_sig = 0;
}

__attribute__((noinline)) static int divide(volatile int a, volatile int b)
{
	int q;
	resume = fpe_resume;
	__asm__ volatile("fpe_insn: idivl %2\nfpe_resume:" : "=a"(q) : "a"(a), "r"(b), "d"(0) : "cc");
	return q;
}

__attribute__((noinline)) static void illegal(void)
{
	resume = ill_resume;
	__asm__ volatile("ill_insn: ud2\nill_resume:");
}

__attribute__((noinline)) static void misaligned(void)
{
	static char buf[16] __attribute__((aligned(16)));
	resume = bus_resume;
	__asm__ volatile("pushfq\n\torq $0x40000, (%%rsp)\n\tpopfq\n"
			 "bus_insn: movl (%0), %%eax\nbus_resume:"
			 :
			 : "r"(buf + 1)
			 : "eax", "memory", "cc");
}

__attribute__((noinline)) static void breakpoint(void)
{
	resume = trap_resume;
	__asm__ volatile("trap_insn: int3\ntrap_after: nop\ntrap_resume:");
}

__attribute__((noinline)) static void privileged(void)
{
	resume = gp_resume;
	__asm__ volatile("gp_insn: hlt\ngp_resume:");
}

int main(void)
{
	struct sigaction sa = {0};
	sa.sa_sigaction = handler;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGFPE, &sa, NULL);
	sigaction(SIGILL, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGTRAP, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);

	divide(7, 0);
	report("idiv by zero", SIGFPE, FPE_INTDIV, fpe_insn, fpe_insn);
	illegal();
	report("ud2", SIGILL, ILL_ILLOPN, ill_insn, ill_insn);
	misaligned();
	report("unaligned load with AC", SIGBUS, BUS_ADRALN, NULL, bus_insn);
	breakpoint();
	report("int3", SIGTRAP, SI_KERNEL, NULL, trap_after);
	privileged();
	report("hlt", SIGSEGV, SI_KERNEL, NULL, gp_insn);
	check("execution continued after every fault", 1);
	return compat_done();
}
