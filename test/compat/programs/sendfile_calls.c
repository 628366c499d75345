/*
 * sendfile_calls: sendfile copies from a file to a pipe and to another
 * file; with an offset pointer it reads from there, advances the pointer
 * and leaves the file offset alone, without one it uses and moves the
 * file offset; at the end it returns 0; a non-file source gives EINVAL
 * and a write-only source EBADF.
 */
#include "compat.h"
#include <fcntl.h>
#include <sys/sendfile.h>
#include <unistd.h>

int main(void)
{
	compat_tmpdir();
	int in = open("in", O_CREAT | O_RDWR, 0644);
	write(in, "0123456789abcdef", 16);
	lseek(in, 0, SEEK_SET);
	int p[2];
	pipe(p);
	CHECK_RET("sendfile 5 to a pipe", sendfile(p[1], in, NULL, 5), 5);
	CHECK_RET("moved the file offset", lseek(in, 0, SEEK_CUR), 5);
	char buf[32] = {0};
	read(p[0], buf, sizeof buf);
	printf("pipe got: %s\n", buf);
	off_t off = 10;
	CHECK_RET("sendfile 4 from offset 10", sendfile(p[1], in, &off, 4), 4);
	CHECK_RET("offset pointer advanced to 14", off, 14);
	CHECK_RET("file offset unchanged", lseek(in, 0, SEEK_CUR), 5);
	memset(buf, 0, sizeof buf);
	read(p[0], buf, sizeof buf);
	printf("pipe got: %s\n", buf);
	int out = open("out", O_CREAT | O_RDWR, 0644);
	write(out, "XX", 2);
	CHECK_RET("sendfile to a file, count past the end", sendfile(out, in, NULL, 100), 11);
	memset(buf, 0, sizeof buf);
	pread(out, buf, sizeof buf, 0);
	printf("out: %s\n", buf);
	CHECK_RET("at the end: 0", sendfile(out, in, NULL, 100), 0);
	off = 100;
	CHECK_RET("offset past the end: 0", sendfile(out, in, &off, 10), 0);
	write(p[1], "x", 1);
	CHECK_ERR("a pipe as source", sendfile(out, p[0], NULL, 1), EINVAL);
	int wo = open("in", O_WRONLY);
	CHECK_ERR("a write-only source", sendfile(out, wo, NULL, 1), EBADF);
	int ro = open("out", O_RDONLY);
	CHECK_ERR("a read-only destination", sendfile(ro, in, NULL, 1), EBADF);
	off = -1;
	CHECK_ERR("negative offset", sendfile(out, in, &off, 1), EINVAL);
	return compat_done();
}
