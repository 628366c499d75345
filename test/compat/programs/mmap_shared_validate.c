/*
 * mmap_shared_validate: MAP_SHARED_VALIDATE is for file mappings; Linux
 * rejects it with EINVAL for anonymous memory (before looking at the other
 * flags), while plain MAP_SHARED anonymous memory works.
 */
#include "compat.h"
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PG 4096UL

int main(void)
{
	long r = syscall(SYS_mmap, NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	check("MAP_SHARED anonymous works", r != -1);
	CHECK_ERR("MAP_SHARED_VALIDATE anonymous",
		  syscall(SYS_mmap, NULL, PG, PROT_READ, MAP_SHARED_VALIDATE | MAP_ANONYMOUS, -1, 0), EINVAL);
	CHECK_ERR("MAP_SHARED_VALIDATE anonymous with an unknown flag",
		  syscall(SYS_mmap, NULL, PG, PROT_READ, MAP_SHARED_VALIDATE | MAP_ANONYMOUS | 0x800000, -1, 0), EINVAL);
	return compat_done();
}
