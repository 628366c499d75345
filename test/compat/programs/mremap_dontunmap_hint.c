/*
 * mremap_dontunmap_hint: with MREMAP_DONTUNMAP (and no MREMAP_FIXED) Linux
 * takes the fifth argument as a placement hint: a free, aligned hint is
 * honoured, an unaligned one is EINVAL.
 */
#include "compat.h"
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PG 4096UL
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)
#define RW (PROT_READ | PROT_WRITE)

int main(void)
{
	char *src = mmap(NULL, 2 * PG, RW, ANON, -1, 0);
	char *hole = mmap(NULL, 8 * PG, RW, ANON, -1, 0);
	munmap(hole, 8 * PG);
	src[0] = 's';
	CHECK_ERR("unaligned hint", syscall(SYS_mremap, src, 2 * PG, 2 * PG, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, hole + 1), EINVAL);
	check("source intact after the refusal", src[0] == 's');
	char *to = (char *)syscall(SYS_mremap, src, 2 * PG, 2 * PG, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, hole + 2 * PG);
	check("free aligned hint honoured", to == hole + 2 * PG);
	check("contents moved", to == hole + 2 * PG && to[0] == 's' && src[0] == 0);
	return compat_done();
}
