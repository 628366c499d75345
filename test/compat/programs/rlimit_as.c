/*
 * rlimit_as: RLIMIT_AS bounds the whole address space: mmap (even
 * PROT_NONE), mremap and brk over the limit fail with ENOMEM (brk returns
 * the old break), requests well under it succeed.
 */
#include "compat.h"
#include <stdint.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MiB (1UL << 20)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)
#define RW (PROT_READ | PROT_WRITE)

int main(void)
{
	static char outbuf[8192];
	setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf); /* no malloc behind our back */
	struct rlimit old, r;

	getrlimit(RLIMIT_AS, &old);
	r.rlim_cur = 256 * MiB;
	r.rlim_max = old.rlim_max;
	CHECK_RET("RLIMIT_AS 256 MiB", setrlimit(RLIMIT_AS, &r), 0);
	CHECK_ERR("mmap 512 MiB read-only", (long)mmap(NULL, 512 * MiB, PROT_READ, ANON, -1, 0), ENOMEM);
	CHECK_ERR("mmap 512 MiB PROT_NONE", (long)mmap(NULL, 512 * MiB, PROT_NONE, ANON, -1, 0), ENOMEM);
	void *m = mmap(NULL, 16 * MiB, RW, ANON, -1, 0);
	check("mmap 16 MiB", m != MAP_FAILED);
	CHECK_ERR("mremap it to 512 MiB", (long)mremap(m, 16 * MiB, 512 * MiB, MREMAP_MAYMOVE), ENOMEM);
	void *m2 = mremap(m, 16 * MiB, 32 * MiB, MREMAP_MAYMOVE);
	check("mremap it to 32 MiB", m2 != MAP_FAILED);
	munmap(m2, 32 * MiB);
	uintptr_t cur = syscall(SYS_brk, 0);
	check("brk +512 MiB refused", (uintptr_t)syscall(SYS_brk, cur + 512 * MiB) == cur);
	setrlimit(RLIMIT_AS, &old);
	void *big = mmap(NULL, 512 * MiB, PROT_NONE, ANON, -1, 0);
	check("limit restored: 512 MiB PROT_NONE works", big != MAP_FAILED);
	return compat_done();
}
