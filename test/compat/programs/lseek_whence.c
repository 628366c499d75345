/*
 * lseek_whence: SEEK_SET, SEEK_CUR and SEEK_END, seeking past the end,
 * negative results (EINVAL) leave the offset alone, unknown whence gives
 * EINVAL (lseek_overflow: an offset that overflows), pipes and FIFOs give ESPIPE, directories can be rewound.
 */
#include "compat.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

int main(void)
{
	compat_tmpdir();
	int fd = open("f", O_CREAT | O_RDWR, 0644);
	write(fd, "0123456789", 10);
	CHECK_RET("SEEK_SET 3", lseek(fd, 3, SEEK_SET), 3);
	CHECK_RET("SEEK_CUR +4", lseek(fd, 4, SEEK_CUR), 7);
	CHECK_RET("SEEK_CUR -2", lseek(fd, -2, SEEK_CUR), 5);
	CHECK_RET("SEEK_END 0", lseek(fd, 0, SEEK_END), 10);
	CHECK_RET("SEEK_END -3", lseek(fd, -3, SEEK_END), 7);
	char c;
	CHECK_RET("read after SEEK_END -3", read(fd, &c, 1), 1);
	check("byte '7'", c == '7');
	CHECK_RET("SEEK_END +5 (past the end)", lseek(fd, 5, SEEK_END), 15);
	struct stat st;
	check("seeking does not grow the file", fstat(fd, &st) == 0 && st.st_size == 10);
	CHECK_ERR("SEEK_SET -1", lseek(fd, -1, SEEK_SET), EINVAL);
	CHECK_ERR("SEEK_CUR to negative", lseek(fd, -100, SEEK_CUR), EINVAL);
	CHECK_RET("offset unchanged after EINVAL", lseek(fd, 0, SEEK_CUR), 15);
	CHECK_ERR("whence 7", lseek(fd, 0, 7), EINVAL);
	close(fd);

	int p[2];
	pipe(p);
	CHECK_ERR("lseek on a pipe", lseek(p[0], 0, SEEK_CUR), ESPIPE);
	mkfifo("fifo", 0644);
	int ff = open("fifo", O_RDONLY | O_NONBLOCK);
	CHECK_ERR("lseek on a FIFO", lseek(ff, 0, SEEK_SET), ESPIPE);
	int d = open(".", O_RDONLY | O_DIRECTORY);
	CHECK_RET("lseek a directory to 0", lseek(d, 0, SEEK_SET), 0);
	CHECK_ERR("lseek on a closed fd", lseek(99, 0, SEEK_SET), EBADF);
	return compat_done();
}
