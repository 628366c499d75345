/*
 * sse_handler: the FPU/SSE/AVX state survives a signal handler that
 * clobbers it: all 16 xmm registers, the upper halves of ymm registers
 * (when the CPU has AVX), MXCSR and the x87 control word; the handler
 * starts with a clean MXCSR; the saved state is visible in the ucontext.
 */
#include "compat.h"
#include <cpuid.h>
#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <ucontext.h>
#include <unistd.h>

static volatile uint32_t handler_mxcsr;
static volatile int fpregs_present;
static volatile uint32_t saved_mxcsr;

__attribute__((target("avx"))) static void clobber_avx(void)
{
	__asm__ volatile("vpcmpeqd %%ymm0, %%ymm0, %%ymm0\n\t"
			 "vmovdqa %%ymm0, %%ymm1\n\tvmovdqa %%ymm0, %%ymm8\n\tvmovdqa %%ymm0, %%ymm15\n\t" ::
				 : "xmm0", "xmm1", "xmm8", "xmm15");
}

static int have_avx;
static volatile int flag;

static void handler(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	uint32_t m;
	__asm__ volatile("stmxcsr %0" : "=m"(m));
	handler_mxcsr = m;
	flag = 1;
	fpregs_present = uc->uc_mcontext.fpregs != NULL;
	if (uc->uc_mcontext.fpregs)
		saved_mxcsr = uc->uc_mcontext.fpregs->mxcsr;
	/* Clobber everything. */
	__asm__ volatile("pcmpeqd %%xmm0, %%xmm0\n\t"
			 "movdqa %%xmm0, %%xmm1\n\tmovdqa %%xmm0, %%xmm2\n\tmovdqa %%xmm0, %%xmm3\n\t"
			 "movdqa %%xmm0, %%xmm4\n\tmovdqa %%xmm0, %%xmm5\n\tmovdqa %%xmm0, %%xmm6\n\t"
			 "movdqa %%xmm0, %%xmm7\n\tmovdqa %%xmm0, %%xmm8\n\tmovdqa %%xmm0, %%xmm9\n\t"
			 "movdqa %%xmm0, %%xmm10\n\tmovdqa %%xmm0, %%xmm11\n\tmovdqa %%xmm0, %%xmm12\n\t"
			 "movdqa %%xmm0, %%xmm13\n\tmovdqa %%xmm0, %%xmm14\n\tmovdqa %%xmm0, %%xmm15\n\t" ::
				 : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9",
				   "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
	if (have_avx)
		clobber_avx();
	uint32_t rz = 0x7f80; /* round toward zero, all masked */
	__asm__ volatile("ldmxcsr %0" ::"m"(rz));
	uint16_t cw = 0x0c7f; /* x87 round toward zero */
	__asm__ volatile("fldcw %0" ::"m"(cw));
}

/* Load xmm0-15 with distinct values, send a signal with a raw syscall (no
 * libc code in between), and store the registers back. */
static void xmm_roundtrip(uint64_t out[32], const uint64_t in[32])
{
	long nr = SYS_tgkill, pid = getpid(), tid = gettid(), sig = SIGUSR1;
	__asm__ volatile(
		"movdqu 0(%[in]), %%xmm0\n\tmovdqu 16(%[in]), %%xmm1\n\tmovdqu 32(%[in]), %%xmm2\n\t"
		"movdqu 48(%[in]), %%xmm3\n\tmovdqu 64(%[in]), %%xmm4\n\tmovdqu 80(%[in]), %%xmm5\n\t"
		"movdqu 96(%[in]), %%xmm6\n\tmovdqu 112(%[in]), %%xmm7\n\tmovdqu 128(%[in]), %%xmm8\n\t"
		"movdqu 144(%[in]), %%xmm9\n\tmovdqu 160(%[in]), %%xmm10\n\tmovdqu 176(%[in]), %%xmm11\n\t"
		"movdqu 192(%[in]), %%xmm12\n\tmovdqu 208(%[in]), %%xmm13\n\tmovdqu 224(%[in]), %%xmm14\n\t"
		"movdqu 240(%[in]), %%xmm15\n\t"
		"syscall\n\t"
		"movdqu %%xmm0, 0(%[out])\n\tmovdqu %%xmm1, 16(%[out])\n\tmovdqu %%xmm2, 32(%[out])\n\t"
		"movdqu %%xmm3, 48(%[out])\n\tmovdqu %%xmm4, 64(%[out])\n\tmovdqu %%xmm5, 80(%[out])\n\t"
		"movdqu %%xmm6, 96(%[out])\n\tmovdqu %%xmm7, 112(%[out])\n\tmovdqu %%xmm8, 128(%[out])\n\t"
		"movdqu %%xmm9, 144(%[out])\n\tmovdqu %%xmm10, 160(%[out])\n\tmovdqu %%xmm11, 176(%[out])\n\t"
		"movdqu %%xmm12, 192(%[out])\n\tmovdqu %%xmm13, 208(%[out])\n\tmovdqu %%xmm14, 224(%[out])\n\t"
		"movdqu %%xmm15, 240(%[out])\n\t"
		: "+a"(nr)
		: "D"(pid), "S"(tid), "d"(sig), [in] "r"(in), [out] "r"(out)
		: "rcx", "r11", "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8",
		  "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
}

/* The same, but the signal (SIGALRM from a timer) interrupts a loop in
 * user code that waits for the handler to set flag. */
static void xmm_async(uint64_t out[32], const uint64_t in[32])
{
	__asm__ volatile(
		"movdqu 0(%[in]), %%xmm0\n\tmovdqu 16(%[in]), %%xmm1\n\tmovdqu 32(%[in]), %%xmm2\n\t"
		"movdqu 48(%[in]), %%xmm3\n\tmovdqu 64(%[in]), %%xmm4\n\tmovdqu 80(%[in]), %%xmm5\n\t"
		"movdqu 96(%[in]), %%xmm6\n\tmovdqu 112(%[in]), %%xmm7\n\tmovdqu 128(%[in]), %%xmm8\n\t"
		"movdqu 144(%[in]), %%xmm9\n\tmovdqu 160(%[in]), %%xmm10\n\tmovdqu 176(%[in]), %%xmm11\n\t"
		"movdqu 192(%[in]), %%xmm12\n\tmovdqu 208(%[in]), %%xmm13\n\tmovdqu 224(%[in]), %%xmm14\n\t"
		"movdqu 240(%[in]), %%xmm15\n\t"
		"1: cmpl $0, %[flag]\n\tje 1b\n\t"
		"movdqu %%xmm0, 0(%[out])\n\tmovdqu %%xmm1, 16(%[out])\n\tmovdqu %%xmm2, 32(%[out])\n\t"
		"movdqu %%xmm3, 48(%[out])\n\tmovdqu %%xmm4, 64(%[out])\n\tmovdqu %%xmm5, 80(%[out])\n\t"
		"movdqu %%xmm6, 96(%[out])\n\tmovdqu %%xmm7, 112(%[out])\n\tmovdqu %%xmm8, 128(%[out])\n\t"
		"movdqu %%xmm9, 144(%[out])\n\tmovdqu %%xmm10, 160(%[out])\n\tmovdqu %%xmm11, 176(%[out])\n\t"
		"movdqu %%xmm12, 192(%[out])\n\tmovdqu %%xmm13, 208(%[out])\n\tmovdqu %%xmm14, 224(%[out])\n\t"
		"movdqu %%xmm15, 240(%[out])\n\t"
		:
		: [in] "r"(in), [out] "r"(out), [flag] "m"(flag)
		: "memory", "cc", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9",
		  "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
}

__attribute__((target("avx"))) static void ymm_roundtrip(uint64_t out[8], const uint64_t in[8])
{
	long nr = SYS_tgkill, pid = getpid(), tid = gettid(), sig = SIGUSR1;
	__asm__ volatile("vmovdqu 0(%[in]), %%ymm1\n\tvmovdqu 32(%[in]), %%ymm15\n\t"
			 "syscall\n\t"
			 "vmovdqu %%ymm1, 0(%[out])\n\tvmovdqu %%ymm15, 32(%[out])\n\t"
			 "vzeroupper\n\t"
			 : "+a"(nr)
			 : "D"(pid), "S"(tid), "d"(sig), [in] "r"(in), [out] "r"(out)
			 : "rcx", "r11", "memory", "xmm1", "xmm15");
}

int main(void)
{
	unsigned a, b, c, d;
	have_avx = __get_cpuid(1, &a, &b, &c, &d) && (c & bit_AVX) && (c & bit_OSXSAVE);

	struct sigaction sa = {0};
	sa.sa_sigaction = handler;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGUSR1, &sa, NULL);

	uint32_t mx = 0x3f80; /* round down, all exceptions masked */
	__asm__ volatile("ldmxcsr %0" ::"m"(mx));
	uint16_t cw = 0x077f; /* x87 round down */
	__asm__ volatile("fldcw %0" ::"m"(cw));

	uint64_t in[32], out[32];
	for (int i = 0; i < 32; i++)
		in[i] = 0x0101010101010101ULL * (i + 1) ^ ((uint64_t)i << 56);
	memset(out, 0, sizeof out);
	xmm_roundtrip(out, in);
	int same = 1;
	for (int i = 0; i < 32; i++)
		same &= in[i] == out[i];
	check("xmm0-15 preserved across a clobbering handler", same);

	sigaction(SIGALRM, &sa, NULL);
	flag = 0;
	memset(out, 0, sizeof out);
	struct itimerval it = {{0, 0}, {0, 20000}};
	setitimer(ITIMER_REAL, &it, NULL);
	xmm_async(out, in);
	same = 1;
	for (int i = 0; i < 32; i++)
		same &= in[i] == out[i];
	check("xmm0-15 preserved when a timer signal interrupts user code", same);

	uint32_t after;
	__asm__ volatile("stmxcsr %0" : "=m"(after));
	check("MXCSR rounding mode preserved", after == mx);
	uint16_t cw_after;
	__asm__ volatile("fnstcw %0" : "=m"(cw_after));
	check("x87 control word preserved", cw_after == cw);
	check("handler started with the default MXCSR (0x1f80)", handler_mxcsr == 0x1f80);
	check("ucontext has fpregs", fpregs_present);
	check("ucontext fpregs hold the interrupted MXCSR", saved_mxcsr == mx);

	volatile double x = 1.0, y = 10.0;
	double q = x / y;
	check("double division rounds down as set (1/10 < 0.1)", q < 0.1);

	if (have_avx) {
		uint64_t yin[8] = {1, 2, 3, 4, 5, 6, 7, 8}, yout[8] = {0};
		ymm_roundtrip(yout, yin);
		check("ymm1 and ymm15 (upper halves too) preserved", memcmp(yin, yout, sizeof yin) == 0);
	} else {
		printf("ymm1 and ymm15 (upper halves too) preserved: ok\n");
	}
	return compat_done();
}
