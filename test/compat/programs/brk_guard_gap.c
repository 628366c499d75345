/*
 * brk_guard_gap: Linux keeps one unmapped page between the break and the
 * next mapping: a break ending right at a mapping is refused (the old break
 * is returned), one ending a page below it is granted.
 */
#include "compat.h"
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PG 4096UL

static uintptr_t brk_(uintptr_t a) { return (uintptr_t)syscall(SYS_brk, a); }

int main(void)
{
	static char outbuf[4096];
	setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf); /* no malloc behind our back */
	uintptr_t base = (brk_(0) + PG - 1) & ~(PG - 1);
	check("brk to a page boundary", brk_(base) == base);
	void *wall = mmap((void *)(base + 16 * PG), PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	check("mapping placed 16 pages above the break", wall == (void *)(base + 16 * PG));
	check("break ending at the mapping is refused", brk_(base + 16 * PG) == base);
	check("break ending inside the mapping is refused", brk_(base + 17 * PG) == base);
	check("break ending a page below the mapping is granted", brk_(base + 15 * PG) == base + 15 * PG);
	check("break a byte further is refused", brk_(base + 15 * PG + 1) == base + 15 * PG);
	return compat_done();
}
