/*
 * open_path_ebadf: calls that need an open file fail with EBADF on an
 * O_PATH descriptor, before any other check: mmap, lseek and getdents64.
 */
#include "compat.h"
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
	compat_tmpdir();
	close(open("f", O_CREAT | O_WRONLY, 0644));
	mkdir("d", 0755);
	int fd = open("f", O_PATH);
	int dfd = open("d", O_PATH | O_DIRECTORY);
	char buf[256];
	CHECK_ERR("mmap of an O_PATH file", (long)mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0), EBADF);
	CHECK_ERR("lseek on an O_PATH file", lseek(fd, 0, SEEK_SET), EBADF);
	CHECK_ERR("getdents64 on an O_PATH directory", syscall(SYS_getdents64, dfd, buf, sizeof buf), EBADF);
	return compat_done();
}
