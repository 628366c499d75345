/*
 * rlimit_data: RLIMIT_DATA bounds private writable memory, whether it comes
 * from brk, mmap, mprotect or mremap: requests over the limit fail with
 * ENOMEM (brk returns the old break); read-only and shared mappings do not
 * count.
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

	getrlimit(RLIMIT_DATA, &old);
	r.rlim_cur = 64 * MiB;
	r.rlim_max = old.rlim_max;
	CHECK_RET("RLIMIT_DATA 64 MiB", setrlimit(RLIMIT_DATA, &r), 0);
	CHECK_ERR("mmap 128 MiB private writable", (long)mmap(NULL, 128 * MiB, RW, ANON, -1, 0), ENOMEM);
	void *ro = mmap(NULL, 128 * MiB, PROT_READ, ANON, -1, 0);
	check("mmap 128 MiB read-only is not data", ro != MAP_FAILED);
	CHECK_ERR("mprotect it writable", mprotect(ro, 128 * MiB, RW), ENOMEM);
	munmap(ro, 128 * MiB);
	void *shared = mmap(NULL, 128 * MiB, RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	check("mmap 128 MiB shared writable is not data", shared != MAP_FAILED);
	munmap(shared, 128 * MiB);
	void *small = mmap(NULL, 8 * MiB, RW, ANON, -1, 0);
	check("mmap 8 MiB private writable", small != MAP_FAILED);
	CHECK_ERR("mremap it to 128 MiB", (long)mremap(small, 8 * MiB, 128 * MiB, MREMAP_MAYMOVE), ENOMEM);
	munmap(small, 8 * MiB);
	uintptr_t cur = syscall(SYS_brk, 0);
	check("brk +128 MiB refused", (uintptr_t)syscall(SYS_brk, cur + 128 * MiB) == cur);
	check("brk +1 MiB granted", (uintptr_t)syscall(SYS_brk, cur + MiB) == cur + MiB);
	syscall(SYS_brk, cur);
	setrlimit(RLIMIT_DATA, &old);

	return compat_done();
}
