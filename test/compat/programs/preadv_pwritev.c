/*
 * preadv_pwritev: vectored I/O on files: readv and writev scatter and
 * gather at the offset and move it; preadv and pwritev use their offset
 * and leave the file offset alone; preadv2 and pwritev2 with offset -1 use
 * and move the file offset (preadv2_flags: RWF_APPEND and unknown
 * flags); short reads fill the buffers in order.
 */
#include "compat.h"
#include <fcntl.h>
#include <sys/uio.h>
#include <unistd.h>

int main(void)
{
	compat_tmpdir();
	int fd = open("f", O_CREAT | O_RDWR, 0644);
	struct iovec w[3] = {{"abc", 3}, {"", 0}, {"defgh", 5}};
	CHECK_RET("writev", writev(fd, w, 3), 8);
	CHECK_RET("offset 8", lseek(fd, 0, SEEK_CUR), 8);
	struct iovec pw[2] = {{"12", 2}, {"34", 2}};
	CHECK_RET("pwritev at 2", pwritev(fd, pw, 2, 2), 4);
	CHECK_RET("offset still 8", lseek(fd, 0, SEEK_CUR), 8);

	char a[3], b[4], c[10];
	struct iovec r[3] = {{a, 3}, {b, 4}, {c, 10}};
	CHECK_RET("preadv at 0 (short)", preadv(fd, r, 3, 0), 8);
	printf("a=%.3s b=%.4s c=%.1s\n", a, b, c);
	CHECK_RET("offset still 8", lseek(fd, 0, SEEK_CUR), 8);
	lseek(fd, 1, SEEK_SET);
	CHECK_RET("readv from 1", readv(fd, r, 2), 7);
	printf("a=%.3s b=%.4s\n", a, b);
	CHECK_RET("offset 8", lseek(fd, 0, SEEK_CUR), 8);

	lseek(fd, 4, SEEK_SET);
	struct iovec one = {a, 3};
	CHECK_RET("preadv2 offset -1", preadv2(fd, &one, 1, -1, 0), 3);
	printf("a=%.3s\n", a);
	CHECK_RET("preadv2 -1 moved the offset to 7", lseek(fd, 0, SEEK_CUR), 7);
	struct iovec x = {"X", 1};
	CHECK_RET("pwritev2 offset -1", pwritev2(fd, &x, 1, -1, 0), 1);
	CHECK_RET("offset 8", lseek(fd, 0, SEEK_CUR), 8);
	CHECK_RET("pwritev2 at 8", pwritev2(fd, &x, 1, 8, 0), 1);
	CHECK_RET("preadv2 with RWF_HIPRI", preadv2(fd, &one, 1, 0, RWF_HIPRI), 3);
	CHECK_ERR("preadv negative offset", preadv(fd, &one, 1, -5), EINVAL);
	CHECK_ERR("preadv2 offset -2", preadv2(fd, &one, 1, -2, 0), EINVAL);
	char all[16] = {0};
	CHECK_RET("pread whole", pread(fd, all, sizeof all, 0), 9);
	printf("file: %s\n", all);
	return compat_done();
}
