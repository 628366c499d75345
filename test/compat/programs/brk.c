/*
 * brk: the program break: sbrk growth and shrink, new pages zeroed,
 * released pages unmapped, unaligned breaks, and the refusals (below the
 * start, into another mapping), where Linux returns the old break.
 */
#include "compat.h"
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PG 4096UL

static sigjmp_buf env;

static void on_segv(int sig) { siglongjmp(env, 1); }

/* faults reports whether reading p raises SIGSEGV. */
static int faults(volatile char *p)
{
	if (sigsetjmp(env, 1))
		return 1;
	(void)*p;
	return 0;
}

static uintptr_t brk_(uintptr_t a) { return (uintptr_t)syscall(SYS_brk, a); }

int main(void)
{
	static char outbuf[8192];
	setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf); /* no malloc behind our back */
	signal(SIGSEGV, on_segv);

	char *p = sbrk(0);
	char *q = sbrk(3 * PG);
	check("sbrk(3 pages) returns the old break", q == p);
	check("sbrk(0) moved by 3 pages", (char *)sbrk(0) == p + 3 * PG);
	memset(p, 0x5a, 3 * PG);
	check("grown memory is writable", p[3 * PG - 1] == 0x5a);
	check("sbrk(-3 pages) returns the old break", (char *)sbrk(-3 * PG) == p + 3 * PG);
	check("sbrk(0) back at the start", (char *)sbrk(0) == p);

	/* Raw brk from here on (glibc caches the break for sbrk). */
	uintptr_t cur = brk_(0);
	check("brk(0) returns the current break", cur == (uintptr_t)sbrk(0));
	uintptr_t base = (cur + PG - 1) & ~(PG - 1);
	check("brk grows by 10 pages", brk_(base + 10 * PG) == base + 10 * PG);
	char *b = (char *)base;
	int zero = 1;
	for (size_t i = 0; i < 10 * PG; i++)
		zero &= b[i] == 0;
	check("new brk pages are zero", zero);
	memset(b, 0x77, 10 * PG);
	check("brk shrinks by 5 pages", brk_(base + 5 * PG) == base + 5 * PG);
	check("kept pages keep their contents", b[5 * PG - 1] == 0x77);
	check("released page faults", faults(b + 6 * PG));
	check("brk regrows", brk_(base + 10 * PG) == base + 10 * PG);
	zero = 1;
	for (size_t i = 5 * PG; i < 10 * PG; i++)
		zero &= b[i] == 0;
	check("regrown pages are zero again", zero);

	check("unaligned break is returned as given", brk_(base + 10 * PG + 100) == base + 10 * PG + 100);
	check("rest of the last page is usable", !faults(b + 11 * PG - 1));
	check("page after the break faults", faults(b + 11 * PG));
	check("brk(0) returns the unaligned break", brk_(0) == base + 10 * PG + 100);

	uintptr_t now = brk_(0);
	check("brk below the start is refused (old break)", brk_(PG) == now);
	check("brk(-1 page) is refused", brk_((uintptr_t)-PG) == now);

	/* A mapping in the way stops the break. */
	char *wall = mmap(b + 64 * PG, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	check("mapping placed above the break", wall == b + 64 * PG);
	check("brk into a mapping is refused (old break)", brk_(base + 128 * PG) == now);
	check("brk ending one page below the mapping succeeds", brk_(base + 63 * PG) == base + 63 * PG);
	check("break back down", brk_(base) == base);
	check("mapping survives", !faults(wall));
	munmap(wall, PG);
	return compat_done();
}
