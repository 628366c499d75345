/*
 * mremap: growing in place, moving when blocked, shrinking, MREMAP_FIXED
 * and MREMAP_DONTUNMAP, each keeping the contents; the old range faults
 * after a move.
 */
#include "compat.h"
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
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

static void fill(char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (char)(i * 13 + i / PG);
}

static int intact(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != (char)(i * 13 + i / PG))
			return 0;
	return 1;
}

int main(void)
{
	signal(SIGSEGV, on_segv);
	/* Reserve 16 pages, keep the first 2: room to grow in place. */
	char *r = mmap(NULL, 16 * PG, RW, ANON, -1, 0);
	munmap(r + 2 * PG, 14 * PG);
	fill(r, 2 * PG);
	char *g = mremap(r, 2 * PG, 6 * PG, 0);
	check("grow in place", g == r);
	check("contents kept", intact(g, 2 * PG));
	check("grown pages are zero", g[2 * PG] == 0 && g[6 * PG - 1] == 0);

	/* Blocked by a mapping: moves with MREMAP_MAYMOVE. */
	char *wall = mmap(g + 6 * PG, PG, PROT_READ, ANON | MAP_FIXED_NOREPLACE, -1, 0);
	check("wall above", wall == g + 6 * PG);
	fill(g, 6 * PG);
	errno = 0;
	check("blocked grow without MAYMOVE: ENOMEM", mremap(g, 6 * PG, 10 * PG, 0) == MAP_FAILED && errno == ENOMEM);
	char *mv = mremap(g, 6 * PG, 10 * PG, MREMAP_MAYMOVE);
	check("grow by moving", mv != MAP_FAILED && mv != g);
	check("moved contents kept", intact(mv, 6 * PG));
	check("old range faults", faults(g) && faults(g + 5 * PG));
	check("wall untouched", !faults(wall));
	mv[10 * PG - 1] = 1;

	/* Shrink: contents kept, the tail is gone. */
	char *s = mremap(mv, 10 * PG, 3 * PG, 0);
	check("shrink in place", s == mv);
	check("shrunk contents kept", intact(s, 3 * PG));
	check("tail faults", faults(s + 3 * PG) && faults(s + 9 * PG));

	/* MREMAP_FIXED to a chosen address replaces what is there. */
	char *dst = mmap(NULL, 8 * PG, RW, ANON, -1, 0);
	memset(dst, 'd', 8 * PG);
	char *fx = mremap(s, 3 * PG, 3 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, dst + 2 * PG);
	check("MREMAP_FIXED to the chosen address", fx == dst + 2 * PG);
	check("fixed move keeps contents", intact(fx, 3 * PG));
	check("around the target untouched", dst[2 * PG - 1] == 'd' && dst[5 * PG] == 'd');
	check("source faults", faults(s));

	/* MREMAP_FIXED and grow together. */
	char *fg = mremap(fx, 3 * PG, 5 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, r);
	check("MREMAP_FIXED growing", fg == r);
	check("fixed grow keeps contents", intact(fg, 3 * PG) && fg[5 * PG - 1] == 0);

	/*
	 * MREMAP_DONTUNMAP: the old range stays mapped, but empty. Linux reads
	 * the fifth argument as a hint here, so it is passed explicitly.
	 */
	char *src = mmap(NULL, 2 * PG, RW, ANON, -1, 0);
	fill(src, 2 * PG);
	char *du = (char *)syscall(SYS_mremap, src, 2 * PG, 2 * PG, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, 0);
	check("MREMAP_DONTUNMAP moves", du != MAP_FAILED && du != src);
	check("MREMAP_DONTUNMAP keeps contents", du != MAP_FAILED && intact(du, 2 * PG));
	check("old range still mapped", !faults(src));
	check("old range reads zero", src[0] == 0 && src[2 * PG - 1] == 0);
	errno = 0;
	check("MREMAP_DONTUNMAP resizing: EINVAL",
	      syscall(SYS_mremap, du, 2 * PG, 3 * PG, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, 0) == -1 && errno == EINVAL);
	errno = 0;
	check("MREMAP_DONTUNMAP without MAYMOVE: EINVAL",
	      syscall(SYS_mremap, du, 2 * PG, 2 * PG, MREMAP_DONTUNMAP, 0) == -1 && errno == EINVAL);
	return compat_done();
}
