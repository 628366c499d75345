/*
 * tls_fsbase: arch_prctl(ARCH_GET_FS) returns the thread pointer (the TCB,
 * whose first word points to itself); __thread variables live just below
 * it; ARCH_SET_FS moves %fs and reads through %fs follow; ARCH_SET_GS and
 * ARCH_GET_GS round-trip; unknown codes and non-canonical bases fail.
 */
#include "compat.h"
#include <asm/prctl.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

static __thread int tls_int = 42;
static __thread char tls_buf[100];

static long arch_prctl_(int code, unsigned long arg) { return syscall(SYS_arch_prctl, code, arg); }

static uintptr_t fs_word0(void)
{
	uintptr_t v;
	__asm__ volatile("mov %%fs:0, %0" : "=r"(v));
	return v;
}

static uintptr_t gs_word(unsigned off)
{
	uintptr_t v;
	__asm__ volatile("mov %%gs:(%1), %0" : "=r"(v) : "r"((uintptr_t)off));
	return v;
}

int main(void)
{
	unsigned long fs = 0;
	CHECK_RET("ARCH_GET_FS", arch_prctl_(ARCH_GET_FS, (unsigned long)&fs), 0);
	check("fs base non-zero", fs != 0);
	check("%fs:0 points to the fs base (TCB self pointer)", fs_word0() == fs);
	check("pthread_self() is the fs base", (unsigned long)pthread_self() == fs);
	uintptr_t a = (uintptr_t)&tls_int, b = (uintptr_t)tls_buf;
	check("__thread int below the fs base, within 4 KiB", a < fs && fs - a < 4096);
	check("__thread buffer below the fs base, within 4 KiB", b < fs && fs - b < 4096);
	check("__thread initial value", tls_int == 42);
	tls_int = 7;
	check("__thread write reads back", *(volatile int *)a == 7);

	/* A private TCB: %fs reads follow ARCH_SET_FS. */
	static uintptr_t fake[8] __attribute__((aligned(64)));
	fake[0] = (uintptr_t)fake;
	fake[1] = 0x1234;
	long set = arch_prctl_(ARCH_SET_FS, (unsigned long)fake); /* no libc calls until restored */
	uintptr_t w0 = fs_word0();
	unsigned long got = 0;
	arch_prctl_(ARCH_GET_FS, (unsigned long)&got);
	arch_prctl_(ARCH_SET_FS, fs); /* back before libc needs it */
	check("ARCH_SET_FS to a private block", set == 0);
	check("%fs:0 reads the private block", w0 == (uintptr_t)fake);
	check("ARCH_GET_FS returns the new base", got == (unsigned long)fake);
	check("restored: %fs:0 is the TCB again", fs_word0() == fs && tls_int == 7);

	/* %gs is free for the application. */
	static uintptr_t gsblock[4] = {11, 22, 33, 44};
	unsigned long gs = 1;
	CHECK_RET("ARCH_GET_GS", arch_prctl_(ARCH_GET_GS, (unsigned long)&gs), 0);
	check("gs base starts at 0", gs == 0);
	CHECK_RET("ARCH_SET_GS", arch_prctl_(ARCH_SET_GS, (unsigned long)gsblock), 0);
	arch_prctl_(ARCH_GET_GS, (unsigned long)&gs);
	check("ARCH_GET_GS returns it", gs == (unsigned long)gsblock);
	check("%gs reads follow", gs_word(0) == 11 && gs_word(24) == 44);
	CHECK_RET("sched_yield keeps it", sched_yield(), 0);
	check("%gs base survives a system call", gs_word(8) == 22);

	CHECK_ERR("unknown code", arch_prctl_(0x1999, 0), EINVAL);
	CHECK_ERR("ARCH_SET_FS non-canonical", arch_prctl_(ARCH_SET_FS, 0x800000000000UL), EPERM);
	CHECK_ERR("ARCH_SET_GS non-canonical", arch_prctl_(ARCH_SET_GS, 0xffff800000000000UL), EPERM);
	CHECK_ERR("ARCH_GET_FS into unmapped memory", arch_prctl_(ARCH_GET_FS, 8), EFAULT);
	check("fs base unchanged by the failures", fs_word0() == fs);
	return compat_done();
}
