/*
 * avx_nested_handler: vector and x87 registers survive two nested signal
 * handlers that use them (printf with doubles, memset with vector
 * stores); the interrupted code's ymm (or xmm) registers are checked
 * around a raise() from inline assembly, and a thread's registers survive
 * a signal directed at it.
 */
#include "compat.h"
#include <cpuid.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

static int have_avx;
static volatile double sink;

static void on_usr2(int sig)
{
	volatile double d = 1.5;
	for (int i = 0; i < 100; i++)
		d = d * 1.01 + 0.5;
	sink = d;
	char buf[256];
	memset(buf, 0x5a, sizeof buf);
	sink += buf[17];
}

static void on_usr1(int sig)
{
	on_usr2(0);
	raise(SIGUSR2);
}

/* Loads a pattern into ymm0-15 (or xmm0-15), raises SIGUSR1, and compares. */
__attribute__((target("avx"))) static int check_ymm(void)
{
	uint8_t in[32 * 16], out[32 * 16];
	for (int i = 0; i < (int)sizeof in; i++)
		in[i] = (uint8_t)(i * 7 + 3);
	memset(out, 0, sizeof out);
	long tid = syscall(SYS_gettid), pid = getpid();
	long ret;
#define LD(n) "vmovdqu " #n "*32(%[in]), %%ymm" #n "\n\t"
#define ST(n) "vmovdqu %%ymm" #n ", " #n "*32(%[out])\n\t"
	__asm__ volatile(LD(0) LD(1) LD(2) LD(3) LD(4) LD(5) LD(6) LD(7) LD(8) LD(9) LD(10) LD(11) LD(12) LD(13) LD(14) LD(15)
			 "syscall\n\t"
			 ST(0) ST(1) ST(2) ST(3) ST(4) ST(5) ST(6) ST(7) ST(8) ST(9) ST(10) ST(11) ST(12) ST(13) ST(14) ST(15)
			 : "=a"(ret)
			 : [in] "r"(in), [out] "r"(out), "a"((long)SYS_tgkill), "D"(pid), "S"(tid), "d"((long)SIGUSR1)
			 : "rcx", "r11", "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8",
			   "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
	return ret == 0 && memcmp(in, out, sizeof in) == 0;
}

static int check_xmm(void)
{
	uint8_t in[16 * 16], out[16 * 16];
	for (int i = 0; i < (int)sizeof in; i++)
		in[i] = (uint8_t)(i * 5 + 1);
	long tid = syscall(SYS_gettid), pid = getpid();
	long ret;
#define LX(n) "movdqu " #n "*16(%[in]), %%xmm" #n "\n\t"
#define SX(n) "movdqu %%xmm" #n ", " #n "*16(%[out])\n\t"
	__asm__ volatile(LX(0) LX(1) LX(2) LX(3) LX(4) LX(5) LX(6) LX(7) LX(8) LX(9) LX(10) LX(11) LX(12) LX(13) LX(14) LX(15)
			 "syscall\n\t"
			 SX(0) SX(1) SX(2) SX(3) SX(4) SX(5) SX(6) SX(7) SX(8) SX(9) SX(10) SX(11) SX(12) SX(13) SX(14) SX(15)
			 : "=a"(ret)
			 : [in] "r"(in), [out] "r"(out), "a"((long)SYS_tgkill), "D"(pid), "S"(tid), "d"((long)SIGUSR1)
			 : "rcx", "r11", "memory", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8",
			   "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
	return ret == 0 && memcmp(in, out, sizeof in) == 0;
}

static int check_regs(void) { return have_avx ? check_ymm() : check_xmm(); }

static void *thread(void *arg)
{
	int ok = 1;
	for (int i = 0; i < 50; i++)
		ok &= check_regs();
	return (void *)(long)ok;
}

int main(void)
{
	unsigned a, b, c, d;
	__cpuid(1, a, b, c, d);
	have_avx = (c & bit_AVX) && (c & bit_OSXSAVE);
	struct sigaction sa = {.sa_handler = on_usr1};
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_handler = on_usr2;
	sigaction(SIGUSR2, &sa, NULL);
	int ok = 1;
	for (int i = 0; i < 50; i++)
		ok &= check_regs();
	check("vector registers survive nested handlers (main thread)", ok);
	pthread_t t;
	void *r;
	pthread_create(&t, NULL, thread, NULL);
	pthread_join(t, &r);
	check("and in a second thread", r == (void *)1L);
	volatile long double x = 1.0L / 3.0L;
	raise(SIGUSR1);
	check("x87 long double intact", x == 1.0L / 3.0L);
	return compat_done();
}
