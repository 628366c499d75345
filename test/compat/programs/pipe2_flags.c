/*
 * pipe2_flags: pipe2 with O_CLOEXEC marks both ends close-on-exec,
 * O_NONBLOCK makes an empty read and a full write fail with EAGAIN;
 * unknown flags give EINVAL; the read end is O_RDONLY and the write end
 * O_WRONLY (the wrong direction gives EBADF); a read with all writers
 * closed returns 0; O_DIRECT makes a packet pipe whose reads return one
 * write at a time.
 */
#include "compat.h"
#include <fcntl.h>
#include <unistd.h>

int main(void)
{
	int p[2];
	char buf[64];
	CHECK_RET("pipe2 O_CLOEXEC", pipe2(p, O_CLOEXEC), 0);
	check("both ends FD_CLOEXEC", fcntl(p[0], F_GETFD) == FD_CLOEXEC && fcntl(p[1], F_GETFD) == FD_CLOEXEC);
	check("read end O_RDONLY", (fcntl(p[0], F_GETFL) & O_ACCMODE) == O_RDONLY);
	check("write end O_WRONLY", (fcntl(p[1], F_GETFL) & O_ACCMODE) == O_WRONLY);
	CHECK_ERR("write to the read end", write(p[0], "x", 1), EBADF);
	CHECK_ERR("read from the write end", read(p[1], buf, 1), EBADF);
	close(p[0]);
	close(p[1]);

	CHECK_RET("pipe2 O_NONBLOCK", pipe2(p, O_NONBLOCK), 0);
	check("both ends O_NONBLOCK", (fcntl(p[0], F_GETFL) & O_NONBLOCK) && (fcntl(p[1], F_GETFL) & O_NONBLOCK));
	check("no FD_CLOEXEC", fcntl(p[0], F_GETFD) == 0);
	CHECK_ERR("empty read", read(p[0], buf, 1), EAGAIN);
	long total = 0, n;
	static char big[65536];
	while ((n = write(p[1], big, sizeof big)) > 0)
		total += n;
	check("full write gives EAGAIN", n == -1 && errno == EAGAIN);
	printf("capacity filled: %ld\n", total);
	CHECK_RET("read 10", read(p[0], buf, 10), 10);
	CHECK_ERR("write 4096 into 10 free bytes", write(p[1], big, 4096), EAGAIN);
	close(p[1]);
	long drained = 10;
	while ((n = read(p[0], big, sizeof big)) > 0)
		drained += n;
	check("drain then EOF (0) once the writer is closed", n == 0 && drained == total);
	close(p[0]);

	CHECK_ERR("pipe2 unknown flag", pipe2(p, O_APPEND), EINVAL);
	CHECK_ERR("pipe2 O_RDWR", pipe2(p, O_RDWR), EINVAL);

	CHECK_RET("pipe2 O_DIRECT", pipe2(p, O_DIRECT), 0);
	write(p[1], "first", 5);
	write(p[1], "second", 6);
	CHECK_RET("packet read returns one write", read(p[0], buf, sizeof buf), 5);
	CHECK_RET("short read discards the rest of a packet", read(p[0], buf, 3), 3);
	write(p[1], "third", 5);
	CHECK_RET("next read is the next packet", read(p[0], buf, sizeof buf), 5);
	return compat_done();
}
