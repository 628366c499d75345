/*
 * memfd_mmap: memfd_create gives an empty read-write file; ftruncate
 * sizes it; MAP_SHARED mappings write through to read(2) and to a second
 * mapping; writes through write(2) show in the mapping; the fd's link in
 * /proc/self/fd is "/memfd:NAME (deleted)"; seals: F_SEAL_WRITE makes
 * write fail with EPERM, F_SEAL_SHRINK/GROW stop ftruncate, F_SEAL_SEAL
 * stops more seals (memfd_seal_mmap: seals and mappings); without MFD_ALLOW_SEALING only F_SEAL_SEAL is set.
 */
#include "compat.h"
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int main(void)
{
	int fd = memfd_create("compat", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	check("memfd_create", fd >= 0);
	check("FD_CLOEXEC", fcntl(fd, F_GETFD) == FD_CLOEXEC);
	struct stat st;
	check("empty regular file", fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0);
	char link[64], p[64];
	snprintf(p, sizeof p, "/proc/self/fd/%d", fd);
	long n = readlink(p, link, sizeof link - 1);
	link[n > 0 ? n : 0] = 0;
	printf("link: %s\n", link);
	CHECK_RET("ftruncate 8192", ftruncate(fd, 8192), 0);
	char *m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	char *m2 = mmap(NULL, 8192, PROT_READ, MAP_SHARED, fd, 0);
	check("two shared mappings", m != MAP_FAILED && m2 != MAP_FAILED);
	strcpy(m + 4096, "through the map");
	char buf[32] = {0};
	CHECK_RET("pread sees the mapped write", pread(fd, buf, 15, 4096), 15);
	printf("read: %s\n", buf);
	check("second mapping sees it", strcmp(m2 + 4096, "through the map") == 0);
	pwrite(fd, "via write", 9, 0);
	check("mapping sees pwrite", memcmp(m, "via write", 9) == 0);

	CHECK_RET("F_GET_SEALS: none", fcntl(fd, F_GET_SEALS), 0);
	CHECK_RET("F_ADD_SEALS SHRINK|GROW", fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW), 0);
	CHECK_ERR("ftruncate smaller", ftruncate(fd, 4096), EPERM);
	CHECK_ERR("ftruncate larger", ftruncate(fd, 16384), EPERM);
	CHECK_RET("ftruncate same size", ftruncate(fd, 8192), 0);
	CHECK_ERR("pwrite past the end", pwrite(fd, "x", 1, 8192), EPERM);
	munmap(m, 8192);
	munmap(m2, 8192);
	CHECK_RET("F_ADD_SEALS WRITE (no shared mapping left)", fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE), 0);
	CHECK_ERR("write", pwrite(fd, "x", 1, 0), EPERM);
	CHECK_RET("F_ADD_SEALS SEAL", fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL), 0);
	CHECK_RET("F_GET_SEALS: all four", fcntl(fd, F_GET_SEALS), F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL);
	CHECK_ERR("F_ADD_SEALS after SEAL", fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE), EPERM);

	int plain = memfd_create("plain", 0);
	CHECK_RET("no MFD_ALLOW_SEALING: F_SEAL_SEAL", fcntl(plain, F_GET_SEALS), F_SEAL_SEAL);
	CHECK_ERR("memfd_create unknown flag", memfd_create("x", 0x100), EINVAL);
	char longname[300];
	memset(longname, 'n', sizeof longname);
	longname[299] = 0;
	CHECK_ERR("memfd_create name too long", memfd_create(longname, 0), EINVAL);
	return compat_done();
}
