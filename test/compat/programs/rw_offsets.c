/*
 * rw_offsets: read and write move the file offset, pread and pwrite do
 * not; writing past the end leaves a hole that reads back as zeros; reads
 * at and past the end return 0; negative offsets give EINVAL; pread and
 * pwrite on a pipe give ESPIPE; reads and writes on the wrong access mode
 * give EBADF (read_directory: read on a directory).
 */
#include "compat.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

int main(void)
{
	compat_tmpdir();
	int fd = open("f", O_CREAT | O_RDWR, 0644);
	char buf[32];
	struct stat st;
	CHECK_RET("write 6", write(fd, "abcdef", 6), 6);
	CHECK_RET("offset 6", lseek(fd, 0, SEEK_CUR), 6);
	CHECK_RET("read at end", read(fd, buf, sizeof buf), 0);
	CHECK_RET("pread 3 at 1", pread(fd, buf, 3, 1), 3);
	check("pread data \"bcd\"", memcmp(buf, "bcd", 3) == 0);
	CHECK_RET("pread left the offset", lseek(fd, 0, SEEK_CUR), 6);
	CHECK_RET("pwrite 2 at 2", pwrite(fd, "XY", 2, 2), 2);
	CHECK_RET("pwrite left the offset", lseek(fd, 0, SEEK_CUR), 6);
	CHECK_RET("pwrite at 100 (past the end)", pwrite(fd, "Z", 1, 100), 1);
	check("size 101", fstat(fd, &st) == 0 && st.st_size == 101);
	memset(buf, 'q', sizeof buf);
	CHECK_RET("pread the hole", pread(fd, buf, 10, 50), 10);
	int zeros = 1;
	for (int i = 0; i < 10; i++)
		zeros &= buf[i] == 0;
	check("the hole reads as zeros", zeros);
	CHECK_RET("pread across the end", pread(fd, buf, 10, 96), 5);
	check("last byte Z", buf[4] == 'Z');
	CHECK_RET("pread past the end", pread(fd, buf, 10, 1000), 0);
	CHECK_RET("read continues at 6", read(fd, buf, 4), 4);
	CHECK_RET("offset 10", lseek(fd, 0, SEEK_CUR), 10);
	CHECK_RET("pread of 0 bytes", pread(fd, buf, 0, 0), 0);
	CHECK_ERR("pread negative offset", pread(fd, buf, 1, -1), EINVAL);
	CHECK_ERR("pwrite negative offset", pwrite(fd, buf, 1, -1), EINVAL);
	lseek(fd, 0, SEEK_SET);
	memset(buf, 0, sizeof buf);
	CHECK_RET("read 6 from 0", read(fd, buf, 6), 6);
	printf("data: %s\n", buf);
	close(fd);

	int p[2];
	pipe(p);
	CHECK_ERR("pwrite on a pipe", pwrite(p[1], "x", 1, 0), ESPIPE);
	CHECK_ERR("pread on a pipe", pread(p[0], buf, 1, 0), ESPIPE);
	fd = open("f", O_RDONLY);
	CHECK_ERR("write on O_RDONLY", write(fd, "x", 1), EBADF);
	CHECK_ERR("pwrite on O_RDONLY", pwrite(fd, "x", 1, 0), EBADF);
	close(fd);
	fd = open("f", O_WRONLY);
	CHECK_ERR("read on O_WRONLY", read(fd, buf, 1), EBADF);
	CHECK_ERR("pread on O_WRONLY", pread(fd, buf, 1, 0), EBADF);
	close(fd);
	fd = open(".", O_RDONLY);
	CHECK_ERR("pread on a directory", pread(fd, buf, 1, 0), EISDIR);
	close(fd);
	CHECK_ERR("read on a closed fd", read(fd, buf, 1), EBADF);
	return compat_done();
}
