/*
 * open_trunc_append: O_TRUNC empties a file opened for writing
 * (open_rdonly_trunc covers O_RDONLY|O_TRUNC); O_APPEND puts every
 * write at the end, whatever the offset, and pwrite on an O_APPEND file
 * appends too; the offset after an append is the new end.
 */
#include "compat.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

static long fsize(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 ? (long)st.st_size : -1;
}

int main(void)
{
	compat_tmpdir();
	int fd = open("f", O_CREAT | O_WRONLY, 0644);
	CHECK_RET("write 10 bytes", write(fd, "0123456789", 10), 10);
	close(fd);

	fd = open("f", O_WRONLY | O_TRUNC);
	check("O_WRONLY|O_TRUNC empties the file", fd >= 0 && fsize("f") == 0);
	CHECK_RET("write 3", write(fd, "abc", 3), 3);
	close(fd);
	fd = open("f", O_RDWR | O_TRUNC);
	check("O_RDWR|O_TRUNC empties the file", fd >= 0 && fsize("f") == 0);
	close(fd);
	fd = open("f", O_WRONLY | O_TRUNC);
	CHECK_RET("refill", write(fd, "0123456789", 10), 10);
	close(fd);

	fd = open("f", O_RDWR | O_APPEND);
	check("open O_APPEND", fd >= 0);
	CHECK_RET("offset starts at 0", lseek(fd, 0, SEEK_CUR), 0);
	CHECK_RET("append write", write(fd, "AB", 2), 2);
	CHECK_RET("offset is the new end", lseek(fd, 0, SEEK_CUR), 12);
	CHECK_RET("lseek to 3", lseek(fd, 3, SEEK_SET), 3);
	CHECK_RET("append write after lseek", write(fd, "CD", 2), 2);
	CHECK_RET("size 14", fsize("f"), 14);
	CHECK_RET("pwrite at 0 on O_APPEND", pwrite(fd, "EF", 2, 0), 2);
	CHECK_RET("pwrite appended: size 16", fsize("f"), 16);
	char buf[32] = {0};
	CHECK_RET("pread whole file", pread(fd, buf, sizeof buf, 0), 16);
	printf("contents: %s\n", buf);
	CHECK_RET("clear O_APPEND with F_SETFL", fcntl(fd, F_SETFL, 0), 0);
	CHECK_RET("pwrite at 0 now overwrites", pwrite(fd, "xy", 2, 0), 2);
	memset(buf, 0, sizeof buf);
	CHECK_RET("pread", pread(fd, buf, sizeof buf, 0), 16);
	printf("contents: %s\n", buf);
	close(fd);
	return compat_done();
}
