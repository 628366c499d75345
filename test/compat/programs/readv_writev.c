/*
 * readv_writev: read, write, readv and writev on the standard descriptors:
 * gathered writes come out in order, zero lengths, /dev/null reads give
 * EOF, wrong-direction descriptors give EBADF, bad iovec counts and
 * lengths give EINVAL.
 */
#include "compat.h"
#include <sys/uio.h>
#include <unistd.h>

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	struct iovec iov[4] = {{"gathered ", 9}, {"", 0}, {"write", 5}, {"\n", 1}};
	CHECK_RET("writev of 4 buffers (one empty)", writev(1, iov, 4), 15);
	CHECK_RET("writev with 0 buffers", writev(1, iov, 0), 0);
	CHECK_RET("write of 0 bytes", write(1, "x", 0), 0);
	CHECK_RET("writev to stderr", writev(2, iov, 4), 15);

	static struct iovec many[1025];
	static char dot[1025];
	for (int i = 0; i < 1025; i++) {
		dot[i] = i == 1023 ? '\n' : '.';
		many[i].iov_base = &dot[i];
		many[i].iov_len = 1;
	}
	CHECK_RET("writev of IOV_MAX (1024) buffers", writev(1, many, 1024), 1024);
	CHECK_ERR("writev of 1025 buffers", writev(1, many, 1025), EINVAL);
	volatile int minus_one = -1;
	CHECK_ERR("writev with a negative count", writev(1, many, minus_one), EINVAL);
	struct iovec neg = {dot, (size_t)-1};
	CHECK_ERR("writev with a negative length", writev(1, &neg, 1), EINVAL);

	char buf[16];
	struct iovec r[2] = {{buf, 8}, {buf + 8, 8}};
	CHECK_RET("read /dev/null", read(0, buf, sizeof buf), 0);
	CHECK_RET("readv /dev/null", readv(0, r, 2), 0);
	CHECK_RET("readv with 0 buffers", readv(0, r, 0), 0);
	CHECK_ERR("readv of 1025 buffers", readv(0, many, 1025), EINVAL);
	CHECK_ERR("read from stdout (write end)", read(1, buf, 1), EBADF);
	CHECK_ERR("readv from stdout", readv(1, r, 2), EBADF);
	CHECK_ERR("write to stdin (read-only)", write(0, "x", 1), EBADF);
	CHECK_ERR("writev to stdin", writev(0, iov, 4), EBADF);
	CHECK_ERR("read from a closed fd", read(50, buf, 1), EBADF);
	CHECK_ERR("writev to a closed fd", writev(50, iov, 1), EBADF);
	CHECK_RET("write of 0 bytes to a read-only fd: EBADF first", write(0, "", 0) == -1 && errno == EBADF, 1);

	/* A large write goes through whole. */
	static char big[300000];
	for (size_t i = 0; i < sizeof big; i++)
		big[i] = (i % 100 == 99) ? '\n' : 'a' + i % 26;
	CHECK_RET("write of 300000 bytes", write(1, big, sizeof big), (long)sizeof big);
	return compat_done();
}
