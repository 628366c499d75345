/*
 * segv_handler: memory faults caught by an SA_SIGINFO handler: PROT_NONE
 * and read-only pages give SEGV_ACCERR, unmapped ones SEGV_MAPERR, with
 * si_addr the faulting address; a handler that fixes the protection and
 * returns lets the access complete; executing a non-executable page faults
 * at its address.
 */
#include "compat.h"
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#define PG 4096UL
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)

static sigjmp_buf env;
static volatile int fix; /* the handler unprotects instead of jumping */
static volatile int hits, code, signo, errno_field;
static void *volatile addr;
static char *volatile fixpage;
static volatile long trapno, cr2;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	hits++;
	signo = si->si_signo;
	code = si->si_code;
	errno_field = si->si_errno;
	addr = si->si_addr;
	ucontext_t *u = uc;
	trapno = u->uc_mcontext.gregs[REG_TRAPNO];
	cr2 = u->uc_mcontext.gregs[REG_CR2];
	if (fix) {
		mprotect(fixpage, PG, PROT_READ | PROT_WRITE);
		return;
	}
	siglongjmp(env, 1);
}

static const char *codename(int c)
{
	switch (c) {
	case SEGV_MAPERR:
		return "SEGV_MAPERR";
	case SEGV_ACCERR:
		return "SEGV_ACCERR";
	}
	return "other";
}

/* try runs an access and reports the fault it caused, if any. */
static void try(const char *what, volatile char *p, int write, void *want_addr, int want_code)
{
	hits = 0;
	if (!sigsetjmp(env, 1)) {
		if (write)
			*p = 1;
		else
			(void)*p;
	}
	printf("%s: %s, si_signo %s, %s, si_addr %s, si_errno %d, trapno %ld, cr2 %s\n", what,
	       hits == 1 ? "faulted" : "no fault",
	       signo == SIGSEGV ? "SIGSEGV" : "other",
	       codename(code), addr == want_addr ? "exact" : "wrong", errno_field,
	       trapno, cr2 == (long)want_addr ? "exact" : "wrong");
	if (hits != 1 || code != want_code || addr != want_addr)
		compat_failures++;
}

int main(void)
{
	struct sigaction sa = {0};
	sa.sa_sigaction = on_segv;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGSEGV, &sa, NULL);

	char *m = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, ANON, -1, 0);
	memset(m, 'm', 4 * PG);
	mprotect(m + PG, PG, PROT_NONE);
	mprotect(m + 2 * PG, PG, PROT_READ);
	munmap(m + 3 * PG, PG);

	try("read PROT_NONE", m + PG + 8, 0, m + PG + 8, SEGV_ACCERR);
	try("write PROT_NONE", m + 2 * PG - 1, 1, m + 2 * PG - 1, SEGV_ACCERR);
	try("write read-only", m + 2 * PG + 100, 1, m + 2 * PG + 100, SEGV_ACCERR);
	check("read read-only works", m[2 * PG + 100] == 'm');
	try("read unmapped", m + 3 * PG + 5, 0, m + 3 * PG + 5, SEGV_MAPERR);
	try("write NULL page", (char *)16, 1, (void *)16, SEGV_MAPERR);
	check("first page still writable", (m[0] = 'x') == 'x');

	/* Unprotecting in the handler and returning retries the access. */
	fix = 1;
	fixpage = m + PG;
	hits = 0;
	m[PG + 42] = 'z';
	check("handler fixed the page, the write completed", hits == 1 && m[PG + 42] == 'z');
	check("the rest of the page kept its contents", m[PG] == 'm');
	fix = 0;

	/* Executing from a writable, non-executable page. */
	unsigned char *code_page = mmap(NULL, PG, PROT_READ | PROT_WRITE, ANON, -1, 0);
	code_page[0] = 0xc3; /* ret */
	hits = 0;
	if (!sigsetjmp(env, 1))
		((void (*)(void))code_page)();
	check("executing a non-executable page faults", hits == 1);
	check("exec fault: SEGV_ACCERR at the page", code == SEGV_ACCERR && addr == code_page);
	mprotect(code_page, PG, PROT_READ | PROT_EXEC);
	hits = 0;
	((void (*)(void))code_page)();
	check("after PROT_EXEC it runs", hits == 0);
	return compat_done();
}
