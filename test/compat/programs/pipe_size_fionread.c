/*
 * pipe_size_fionread: a pipe holds 64 KiB by default (F_GETPIPE_SZ);
 * F_SETPIPE_SZ rounds up to a power-of-two number of pages, refuses to
 * shrink below the data held (EBUSY) and rejects 0 sizes by rounding to a
 * page; FIONREAD counts unread bytes; F_GETPIPE_SZ on a file gives EBADF.
 */
#include "compat.h"
#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

int main(void)
{
	int p[2];
	pipe2(p, O_NONBLOCK);
	CHECK_RET("default size", fcntl(p[0], F_GETPIPE_SZ), 65536);
	CHECK_RET("both ends agree", fcntl(p[1], F_GETPIPE_SZ), 65536);
	int n = -1;
	ioctl(p[0], FIONREAD, &n);
	CHECK_RET("FIONREAD empty", n, 0);
	write(p[1], "hello world", 11);
	ioctl(p[0], FIONREAD, &n);
	CHECK_RET("FIONREAD 11", n, 11);
	char buf[8];
	read(p[0], buf, 5);
	ioctl(p[0], FIONREAD, &n);
	CHECK_RET("FIONREAD 6 after reading 5", n, 6);
	ioctl(p[1], FIONREAD, &n);
	CHECK_RET("FIONREAD on the write end", n, 6);

	CHECK_RET("set 5000 rounds to 8192", fcntl(p[1], F_SETPIPE_SZ, 5000), 8192);
	CHECK_RET("get 8192", fcntl(p[0], F_GETPIPE_SZ), 8192);
	CHECK_RET("set 100000 rounds to 131072", fcntl(p[1], F_SETPIPE_SZ, 100000), 131072);
	CHECK_RET("set 0 gives one page", fcntl(p[1], F_SETPIPE_SZ, 0), 4096);
	static char big[65536];
	long total = 0, w;
	while ((w = write(p[1], big, sizeof big)) > 0)
		total += w;
	printf("a one-page pipe holds %ld bytes\n", total);
	fcntl(p[1], F_SETPIPE_SZ, 65536);
	while ((w = write(p[1], big, sizeof big)) > 0)
		total += w;
	printf("after growing to 64 KiB it holds %ld bytes\n", total);
	CHECK_ERR("shrink below the data held", fcntl(p[1], F_SETPIPE_SZ, 4096), EBUSY);
	CHECK_ERR("negative size", fcntl(p[1], F_SETPIPE_SZ, -1), EINVAL);
	compat_tmpdir();
	int f = open("f", O_CREAT | O_RDWR, 0644);
	CHECK_ERR("F_GETPIPE_SZ on a file", fcntl(f, F_GETPIPE_SZ), EBADF);
	write(f, "abc", 3);
	lseek(f, 1, SEEK_SET);
	ioctl(f, FIONREAD, &n);
	CHECK_RET("FIONREAD on a file: bytes after the offset", n, 2);
	return compat_done();
}
