/*
 * segv_error_code: the page-fault error code Linux puts in the signal
 * frame (uc_mcontext.gregs[REG_ERR]): bit 0 the page was present, bit 1 a
 * write, bit 2 user mode, bit 4 an instruction fetch. libsigsegv and
 * garbage collectors read the write bit to tell reads from writes.
 */
#include "compat.h"
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#define PG 4096UL
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)

static sigjmp_buf env;
static volatile long err;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	err = ((ucontext_t *)uc)->uc_mcontext.gregs[REG_ERR];
	siglongjmp(env, 1);
}

static void try(const char *what, volatile char *p, int write, long want)
{
	err = -1;
	if (!sigsetjmp(env, 1)) {
		if (write)
			*p = 1;
		else
			(void)*p;
	}
	printf("%s: error code %#lx\n", what, err);
	if (err != want)
		compat_failures++;
}

int main(void)
{
	struct sigaction sa = {0};
	sa.sa_sigaction = on_segv;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGSEGV, &sa, NULL);
	char *m = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, ANON, -1, 0);
	mprotect(m, PG, PROT_NONE);
	mprotect(m + PG, PG, PROT_READ);
	munmap(m + 2 * PG, PG);
	try("read PROT_NONE", m, 0, 0x4);
	try("write PROT_NONE", m, 1, 0x6);
	(void)*(volatile char *)(m + PG); /* fault the read-only page in */
	try("write read-only", m + PG, 1, 0x7);
	try("read unmapped", m + 2 * PG, 0, 0x4);
	try("write unmapped", m + 2 * PG, 1, 0x6);

	unsigned char *code = mmap(NULL, PG, PROT_READ | PROT_WRITE, ANON, -1, 0);
	code[0] = 0xc3; /* ret */
	err = -1;
	if (!sigsetjmp(env, 1))
		((void (*)(void))code)();
	printf("execute non-executable: error code %#lx\n", err);
	if (err != 0x15)
		compat_failures++;
	return compat_done();
}
