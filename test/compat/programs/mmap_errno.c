/*
 * mmap_errno: the errors of mmap, munmap, mprotect and mremap on anonymous
 * memory, as Linux reports them.
 */
#include "compat.h"
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PG 4096UL
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)

static long mmap_(void *a, size_t l, int p, int f, int fd, long off)
{
	return syscall(SYS_mmap, a, l, p, f, fd, off);
}

int main(void)
{
	/*
	 * Map 20 pages and keep 4: the hole after them is this program's own,
	 * not whatever follows (in the dynamic build, a library).
	 */
	char *m = mmap(NULL, 20 * PG, PROT_READ | PROT_WRITE, ANON, -1, 0);
	check("mmap 4 pages", m != MAP_FAILED && munmap(m + 4 * PG, 16 * PG) == 0);

	CHECK_ERR("mmap length 0", mmap_(NULL, 0, PROT_READ, ANON, -1, 0), EINVAL);
	CHECK_ERR("mmap without MAP_PRIVATE or MAP_SHARED", mmap_(NULL, PG, PROT_READ, MAP_ANONYMOUS, -1, 0), EINVAL);
	CHECK_ERR("mmap MAP_FIXED unaligned", mmap_(m + 1, PG, PROT_READ, ANON | MAP_FIXED, -1, 0), EINVAL);
	CHECK_ERR("mmap unaligned offset", mmap_(NULL, PG, PROT_READ, ANON, -1, 1), EINVAL);
	CHECK_ERR("mmap length rounding overflows", mmap_(NULL, (size_t)-1, PROT_READ, ANON, -1, 0), ENOMEM);
	CHECK_ERR("mmap 2^62 bytes", mmap_(NULL, (size_t)1 << 62, PROT_READ, ANON, -1, 0), ENOMEM);
	CHECK_ERR("mmap MAP_FIXED above the user address space",
		  mmap_((void *)0x7ffffffff000UL, 2 * PG, PROT_READ, ANON | MAP_FIXED, -1, 0), ENOMEM);
	CHECK_ERR("mmap MAP_FIXED_NOREPLACE over a mapping",
		  mmap_(m + PG, PG, PROT_READ, ANON | MAP_FIXED_NOREPLACE, -1, 0), EEXIST);
	CHECK_ERR("mmap file mapping of fd -1", mmap_(NULL, PG, PROT_READ, MAP_PRIVATE, -1, 0), EBADF);
	CHECK_ERR("mmap file mapping of a closed fd", mmap_(NULL, PG, PROT_READ, MAP_PRIVATE, 99, 0), EBADF);
	long r = mmap_(NULL, PG, PROT_READ, ANON | 0x800000, -1, 0);
	check("mmap ignores an unknown flag with MAP_PRIVATE", r != -1);
	if (r != -1)
		munmap((void *)r, PG);

	CHECK_ERR("munmap length 0", munmap(m, 0), EINVAL);
	CHECK_ERR("munmap unaligned", munmap(m + 1, PG), EINVAL);
	CHECK_ERR("munmap above the user address space", munmap((void *)0x7ffffffff000UL, 2 * PG), EINVAL);
	CHECK_RET("munmap of a hole succeeds", munmap(m + 4 * PG, 16 * PG), 0);

	CHECK_ERR("mprotect unaligned", mprotect(m + 1, PG, PROT_READ), EINVAL);
	CHECK_ERR("mprotect unknown prot bit", mprotect(m, PG, PROT_READ | 0x10), EINVAL);
	CHECK_RET("mprotect length 0", mprotect(m, 0, PROT_READ), 0);
	CHECK_ERR("mprotect unmapped", mprotect(m + 4 * PG, PG, PROT_READ), ENOMEM);
	CHECK_ERR("mprotect running into a hole", mprotect(m + 3 * PG, 2 * PG, PROT_READ), ENOMEM);
	CHECK_ERR("mprotect PROT_GROWSDOWN on a plain mapping", mprotect(m, PG, PROT_READ | PROT_GROWSDOWN), EINVAL);

	CHECK_ERR("mremap unaligned", (long)mremap(m + 1, PG, 2 * PG, MREMAP_MAYMOVE), EINVAL);
	CHECK_ERR("mremap new length 0", (long)mremap(m, PG, 0, MREMAP_MAYMOVE), EINVAL);
	CHECK_ERR("mremap old length 0 on private memory", (long)mremap(m, 0, PG, MREMAP_MAYMOVE), EINVAL);
	CHECK_ERR("mremap unknown flag", (long)mremap(m, PG, PG, 0x40), EINVAL);
	CHECK_ERR("mremap MREMAP_FIXED without MREMAP_MAYMOVE",
		  syscall(SYS_mremap, m, PG, PG, MREMAP_FIXED, m + 8 * PG), EINVAL);
	CHECK_ERR("mremap of an unmapped range", (long)mremap(m + 8 * PG, PG, 2 * PG, MREMAP_MAYMOVE), EFAULT);
	CHECK_ERR("mremap MREMAP_FIXED onto itself",
		  syscall(SYS_mremap, m, PG, PG, MREMAP_MAYMOVE | MREMAP_FIXED, m), EINVAL);
	CHECK_ERR("mremap grow in place into a mapped page", (long)mremap(m, PG, 2 * PG, 0), ENOMEM);
	return compat_done();
}
