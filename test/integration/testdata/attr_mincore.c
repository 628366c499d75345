/* mincore: the checks on its arguments and the unmapped-range error, over
 * pages the program touched (so every one is resident on any kernel). */
#include "attr.h"
#include <sys/mman.h>

static void vec(const char *what, const unsigned char *v, int n)
{
	printf("%s:", what);
	for (int i = 0; i < n; i++)
		printf(" %d", v[i]);
	printf("\n");
}

int main(int argc, char **argv)
{
	(void)argc; (void)argv;
	long pg = sysconf(_SC_PAGESIZE);
	/* Eight pages, with two unmapped after them. */
	char *p = mmap(NULL, 10 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(p + 8 * pg, 2 * pg);
	for (int i = 0; i < 8; i++)
		p[i * pg] = 1;
	unsigned char v[16];

	memset(v, 9, sizeof v);
	T("touched pages", mincore(p, 8 * pg, v));
	vec("  vec", v, 8);
	memset(v, 9, sizeof v);
	T("partial last page", mincore(p, 2 * pg + 1, v));
	vec("  vec", v, 4);
	memset(v, 9, sizeof v);
	T("middle pages", mincore(p + 2 * pg, 3 * pg, v));
	vec("  vec", v, 4);
	memset(v, 9, sizeof v);
	T("length zero", mincore(p, 0, v));
	vec("  vec", v, 1);
	memset(v, 9, sizeof v);
	T("one byte", mincore(p + 7 * pg, 1, v));
	vec("  vec", v, 2);
	T("length zero unmapped", mincore((void *)0x10000, 0, v));
	T("unaligned", mincore(p + 1, pg, v));
	T("unaligned unmapped", mincore((void *)0x10001, pg, v));
	T("bad vector", mincore(p, pg, (unsigned char *)8));
	T("vector past user space", mincore(p, pg, (unsigned char *)0xfffffffffffff000UL));

	/* A hole: the vector is filled up to it, then ENOMEM. */
	munmap(p + 4 * pg, pg);
	memset(v, 9, sizeof v);
	T("across a hole", mincore(p, 8 * pg, v));
	vec("  vec", v, 7);
	T("in the hole", mincore(p + 4 * pg, pg, v));
	T("after the hole", mincore(p + 5 * pg, 3 * pg, v));
	T("past the end", mincore(p + 5 * pg, 4 * pg, v));
	T("kernel address", mincore((void *)0xffff800000000000UL, pg, v));
	T("wrapping length", mincore(p, -pg, v));
	T("top of user space", mincore((void *)(0x800000000000UL - pg), 2 * pg, v));
	T("length past user space", mincore(p, 0x800000000000UL, v));
	T("unmapped low", mincore((void *)0x10000, pg, v));

	/* A mapping made PROT_NONE still counts as mapped. */
	mprotect(p, pg, PROT_NONE);
	T("PROT_NONE", mincore(p, pg, v));
	vec("  vec", v, 1);
	return 0;
}
