/*
 * truncate_fallocate: truncate and ftruncate grow (with zeros) and shrink
 * files and keep the offset; errors: negative length EINVAL, a directory
 * EISDIR, a read-only descriptor EINVAL, a pipe EINVAL; fallocate extends
 * the size, FALLOC_FL_KEEP_SIZE does not, FALLOC_FL_PUNCH_HOLE zeroes a
 * range without changing the size, bad modes give EOPNOTSUPP or EINVAL.
 */
#include "compat.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

static long size(int fd)
{
	struct stat st;
	return fstat(fd, &st) == 0 ? (long)st.st_size : -1;
}

int main(void)
{
	compat_tmpdir();
	int fd = open("f", O_CREAT | O_RDWR, 0644);
	write(fd, "0123456789", 10);
	CHECK_RET("ftruncate to 4", ftruncate(fd, 4), 0);
	CHECK_RET("size 4", size(fd), 4);
	CHECK_RET("offset stays 10", lseek(fd, 0, SEEK_CUR), 10);
	CHECK_RET("truncate to 8 (grow)", truncate("f", 8), 0);
	char buf[16];
	CHECK_RET("pread 8", pread(fd, buf, 16, 0), 8);
	check("grown bytes are zeros", memcmp(buf, "0123\0\0\0\0", 8) == 0);
	CHECK_ERR("ftruncate negative", ftruncate(fd, -1), EINVAL);
	CHECK_ERR("truncate a directory", truncate(".", 0), EISDIR);
	CHECK_ERR("truncate missing", truncate("none", 0), ENOENT);
	int ro = open("f", O_RDONLY);
	CHECK_ERR("ftruncate read-only fd", ftruncate(ro, 0), EINVAL);
	int p[2];
	pipe(p);
	CHECK_ERR("ftruncate a pipe", ftruncate(p[1], 0), EINVAL);

	CHECK_RET("fallocate 0..100", fallocate(fd, 0, 0, 100), 0);
	CHECK_RET("size 100", size(fd), 100);
	CHECK_RET("pread keeps data", pread(fd, buf, 4, 0), 4);
	check("data \"0123\"", memcmp(buf, "0123", 4) == 0);
	CHECK_RET("fallocate KEEP_SIZE past the end", fallocate(fd, FALLOC_FL_KEEP_SIZE, 100, 100), 0);
	CHECK_RET("size still 100", size(fd), 100);
	CHECK_RET("PUNCH_HOLE 1..3", fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 1, 2), 0);
	pread(fd, buf, 4, 0);
	check("punched bytes are zeros", memcmp(buf, "0\0\0" "3", 4) == 0);
	CHECK_RET("size still 100", size(fd), 100);
	CHECK_ERR("PUNCH_HOLE without KEEP_SIZE", fallocate(fd, FALLOC_FL_PUNCH_HOLE, 0, 1), EOPNOTSUPP);
	CHECK_ERR("fallocate length 0", fallocate(fd, 0, 0, 0), EINVAL);
	CHECK_ERR("fallocate negative offset", fallocate(fd, 0, -1, 1), EINVAL);
	CHECK_ERR("fallocate read-only fd", fallocate(ro, 0, 0, 1), EBADF);
	CHECK_ERR("fallocate a pipe", fallocate(p[1], 0, 0, 1), ESPIPE);
	return compat_done();
}
