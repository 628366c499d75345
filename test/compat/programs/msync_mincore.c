/*
 * msync_mincore: msync's checks: unaligned EINVAL, MS_SYNC|MS_ASYNC
 * EINVAL, unknown flags EINVAL, an unmapped range ENOMEM; mincore's
 * checks: unaligned EINVAL, unmapped ENOMEM, a bad vector EFAULT; a
 * touched page of a mapping is resident.
 */
#include "compat.h"
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

int main(void)
{
	compat_tmpdir();
	int fd = open("f", O_CREAT | O_RDWR, 0644);
	ftruncate(fd, 8192);
	char *m = mmap(NULL, 4 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	munmap(m + 2 * 4096, 2 * 4096);
	m[0] = 1;
	CHECK_RET("msync MS_SYNC", msync(m, 8192, MS_SYNC), 0);
	CHECK_RET("msync MS_ASYNC", msync(m, 8192, MS_ASYNC), 0);
	CHECK_RET("msync MS_INVALIDATE", msync(m, 8192, MS_INVALIDATE), 0);
	CHECK_RET("msync length 0", msync(m, 0, MS_SYNC), 0);
	CHECK_ERR("msync unaligned", msync(m + 1, 4096, MS_SYNC), EINVAL);
	CHECK_ERR("msync MS_SYNC|MS_ASYNC", msync(m, 4096, MS_SYNC | MS_ASYNC), EINVAL);
	CHECK_ERR("msync unknown flag", msync(m, 4096, 0x100), EINVAL);
	CHECK_ERR("msync into a hole", msync(m, 3 * 4096, MS_SYNC), ENOMEM);
	unsigned char vec[4];
	CHECK_RET("mincore", mincore(m, 8192, vec), 0);
	check("touched page resident", vec[0] & 1);
	CHECK_ERR("mincore unaligned", mincore(m + 1, 4096, vec), EINVAL);
	CHECK_ERR("mincore into a hole", mincore(m, 3 * 4096, vec), ENOMEM);
	CHECK_ERR("mincore bad vector", mincore(m, 4096, (unsigned char *)8), EFAULT);
	char *anon = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	anon[0] = 1;
	CHECK_RET("mincore anonymous", mincore(anon, 4096, vec), 0);
	check("written anonymous page resident", vec[0] & 1);
	return compat_done();
}
