/*
 * splice_tee: splice moves data file->pipe, pipe->file and pipe->pipe;
 * an offset pointer on the file side is used and advanced; an offset on a
 * pipe gives ESPIPE; tee duplicates pipe data without consuming it; tee
 * of the same pipe gives EINVAL; splice with no data and SPLICE_F_NONBLOCK
 * gives EAGAIN; splicing from a pipe with no writer returns 0.
 */
#include "compat.h"
#include <fcntl.h>
#include <unistd.h>

int main(void)
{
	compat_tmpdir();
	int f = open("f", O_CREAT | O_RDWR, 0644);
	write(f, "0123456789", 10);
	int a[2], b[2];
	pipe(a);
	pipe(b);
	loff_t off = 2;
	CHECK_RET("splice file(off 2) -> pipe", splice(f, &off, a[1], NULL, 5, 0), 5);
	CHECK_RET("offset advanced to 7", off, 7);
	CHECK_RET("file offset untouched", lseek(f, 0, SEEK_CUR), 10);
	CHECK_RET("tee a -> b", tee(a[0], b[1], 100, 0), 5);
	char buf[32] = {0};
	CHECK_RET("b has the copy", read(b[0], buf, sizeof buf), 5);
	printf("b: %s\n", buf);
	CHECK_RET("splice pipe -> pipe", splice(a[0], NULL, b[1], NULL, 3, 0), 3);
	memset(buf, 0, sizeof buf);
	read(b[0], buf, sizeof buf);
	printf("b: %s\n", buf);
	int g = open("g", O_CREAT | O_RDWR, 0644);
	loff_t goff = 4;
	CHECK_RET("splice pipe -> file at 4", splice(a[0], NULL, g, &goff, 10, 0), 2);
	memset(buf, 0, sizeof buf);
	CHECK_RET("file g is 6 bytes", pread(g, buf, sizeof buf, 0), 6);
	printf("g[4..5]: %.2s\n", buf + 4);
	loff_t poff = 0;
	write(a[1], "x", 1);
	CHECK_ERR("offset on the pipe side", splice(a[0], &poff, g, NULL, 1, 0), ESPIPE);
	CHECK_ERR("tee a pipe to itself", tee(a[0], a[1], 1, 0), EINVAL);
	read(a[0], buf, 1);
	CHECK_ERR("empty pipe with SPLICE_F_NONBLOCK", splice(a[0], NULL, g, NULL, 1, SPLICE_F_NONBLOCK), EAGAIN);
	CHECK_ERR("tee from an empty pipe with SPLICE_F_NONBLOCK", tee(a[0], b[1], 1, SPLICE_F_NONBLOCK), EAGAIN);
	close(a[1]);
	CHECK_RET("no writer: 0", splice(a[0], NULL, g, NULL, 1, 0), 0);
	CHECK_ERR("file to file", splice(f, NULL, g, NULL, 1, 0), EINVAL);
	CHECK_ERR("unknown flag", splice(b[0], NULL, g, NULL, 1, 0x100), EINVAL);
	return compat_done();
}
