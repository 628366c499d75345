/*
 * getdents_removed_dir: getdents64 on a directory removed while open
 * gives ENOENT (glibc's readdir turns that into the end of the stream).
 */
#include "compat.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
	compat_tmpdir();
	mkdir("gone", 0755);
	int fd = open("gone", O_RDONLY | O_DIRECTORY);
	rmdir("gone");
	char buf[1024];
	CHECK_ERR("getdents64 of the removed directory", syscall(SYS_getdents64, fd, buf, sizeof buf), ENOENT);
	return compat_done();
}
