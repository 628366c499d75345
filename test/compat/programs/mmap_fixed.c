/*
 * mmap_fixed: where anonymous mappings land: MAP_FIXED replacing and
 * splitting mappings, MAP_FIXED_NOREPLACE, MAP_32BIT, address hints, and
 * munmap punching holes. A SIGSEGV handler tells mapped from unmapped.
 */
#include "compat.h"
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#define PG 4096UL
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)
#define RW (PROT_READ | PROT_WRITE)

static sigjmp_buf env;

static void on_segv(int sig) { siglongjmp(env, 1); }

static int faults(volatile char *p)
{
	if (sigsetjmp(env, 1))
		return 1;
	(void)*p;
	return 0;
}

int main(void)
{
	signal(SIGSEGV, on_segv);
	char *m = mmap(NULL, 8 * PG, RW, ANON, -1, 0);
	check("mmap 8 pages", m != MAP_FAILED);
	check("page aligned", ((uintptr_t)m & (PG - 1)) == 0);
	int zero = 1;
	for (size_t i = 0; i < 8 * PG; i++)
		zero &= m[i] == 0;
	check("fresh anonymous memory is zero", zero);
	memset(m, 'x', 8 * PG);

	/* MAP_FIXED replaces what was there with fresh zero pages. */
	char *f = mmap(m + 2 * PG, 2 * PG, RW, ANON | MAP_FIXED, -1, 0);
	check("MAP_FIXED returns the address", f == m + 2 * PG);
	check("MAP_FIXED pages are zero", f[0] == 0 && f[2 * PG - 1] == 0);
	check("neighbours keep their contents", m[2 * PG - 1] == 'x' && m[4 * PG] == 'x');

	/* munmap in the middle splits the mapping. */
	check("munmap 2 middle pages", munmap(m + 4 * PG, 2 * PG) == 0);
	check("hole faults", faults(m + 4 * PG) && faults(m + 6 * PG - 1));
	check("below the hole is mapped", !faults(m + 4 * PG - 1));
	check("above the hole is mapped", !faults(m + 6 * PG) && m[6 * PG] == 'x');

	/* MAP_FIXED_NOREPLACE fills the hole, but not an occupied range. */
	char *n = mmap(m + 4 * PG, 2 * PG, RW, ANON | MAP_FIXED_NOREPLACE, -1, 0);
	check("MAP_FIXED_NOREPLACE into the hole", n == m + 4 * PG);
	check("the hole is mapped again", !faults(m + 4 * PG));
	errno = 0;
	n = mmap(m + 5 * PG, 2 * PG, RW, ANON | MAP_FIXED_NOREPLACE, -1, 0);
	check("MAP_FIXED_NOREPLACE partly over a mapping: EEXIST", n == MAP_FAILED && errno == EEXIST);
	check("failed MAP_FIXED_NOREPLACE changed nothing", m[6 * PG] == 'x');

	/* A free hint is honoured; an unaligned one is rounded down. */
	check("munmap all 8 pages", munmap(m, 8 * PG) == 0);
	char *h = mmap(m + 3 * PG, PG, RW, ANON, -1, 0);
	check("free hint honoured", h == m + 3 * PG);
	char *u = mmap(m + 5 * PG + 123, PG, RW, ANON, -1, 0);
	check("unaligned hint rounded down", u == m + 5 * PG);
	/* A taken hint is not: the mapping goes elsewhere, nothing replaced. */
	h[0] = 'h';
	char *t = mmap(h, PG, RW, ANON, -1, 0);
	check("taken hint: placed elsewhere", t != MAP_FAILED && t != h);
	check("taken hint: old contents kept", h[0] == 'h');
	munmap(h, PG);
	munmap(u, PG);
	munmap(t, PG);

	/* MAP_32BIT puts the mapping in the low 2 GiB. */
	char *low = mmap(NULL, 4 * PG, RW, ANON | MAP_32BIT, -1, 0);
	check("MAP_32BIT succeeds", low != MAP_FAILED);
	check("MAP_32BIT below 2 GiB", (uintptr_t)low + 4 * PG <= 0x80000000UL);
	low[0] = 1;
	munmap(low, 4 * PG);

	/* Mappings are placed top down, each below the previous one. */
	char *a = mmap(NULL, 3 * PG, RW, ANON, -1, 0);
	char *b = mmap(NULL, 5 * PG, RW, ANON, -1, 0);
	check("next mapping directly below the previous", b + 5 * PG == a);
	munmap(a, 3 * PG);
	munmap(b, 5 * PG);

	/* A hint far above the address space is ignored. */
	char *hi = mmap((void *)0x7ffffffff000000UL, PG, RW, ANON, -1, 0);
	check("hint beyond 47 bits ignored", hi != MAP_FAILED && (uintptr_t)hi < 0x800000000000UL);
	munmap(hi, PG);
	return compat_done();
}
