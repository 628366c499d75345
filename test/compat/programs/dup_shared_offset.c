/*
 * dup_shared_offset: descriptors from dup, dup2, fcntl(F_DUPFD) and fork
 * share one open file description (offset and status flags); a second
 * open() of the same file has its own offset; FD_CLOEXEC is per
 * descriptor.
 */
#include "compat.h"
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
	compat_tmpdir();
	int fd = open("f", O_CREAT | O_RDWR, 0644);
	write(fd, "0123456789", 10);
	lseek(fd, 2, SEEK_SET);
	int d = dup(fd);
	CHECK_RET("dup sees offset 2", lseek(d, 0, SEEK_CUR), 2);
	lseek(d, 5, SEEK_SET);
	CHECK_RET("seek through dup moves the original", lseek(fd, 0, SEEK_CUR), 5);
	int d2 = dup2(fd, 10);
	char c;
	read(d2, &c, 1);
	CHECK_RET("read through dup2 moves all", lseek(d, 0, SEEK_CUR), 6);
	int d3 = fcntl(fd, F_DUPFD, 20);
	check("F_DUPFD gives >= 20", d3 >= 20);
	CHECK_RET("F_DUPFD shares the offset", lseek(d3, 0, SEEK_CUR), 6);
	fcntl(d, F_SETFL, O_APPEND);
	check("status flags are shared (O_APPEND)", fcntl(fd, F_GETFL) & O_APPEND);
	fcntl(d, F_SETFL, 0);
	fcntl(d, F_SETFD, FD_CLOEXEC);
	check("FD_CLOEXEC is per descriptor", fcntl(fd, F_GETFD) == 0 && fcntl(d, F_GETFD) == FD_CLOEXEC);

	int other = open("f", O_RDONLY);
	CHECK_RET("a second open starts at 0", lseek(other, 0, SEEK_CUR), 0);
	read(other, &c, 1);
	CHECK_RET("and does not move the first", lseek(fd, 0, SEEK_CUR), 6);

	pid_t pid = fork();
	if (pid == 0) {
		lseek(fd, 8, SEEK_SET);
		read(fd, &c, 1); /* offset 9 */
		lseek(other, 3, SEEK_SET);
		_exit(0);
	}
	int st;
	waitpid(pid, &st, 0);
	CHECK_RET("child's seek and read moved the parent's offset", lseek(fd, 0, SEEK_CUR), 9);
	CHECK_RET("child's seek of the other description too", lseek(other, 0, SEEK_CUR), 3);
	close(fd);
	CHECK_RET("closing one leaves the dup working", lseek(d, 0, SEEK_CUR), 9);
	return compat_done();
}
