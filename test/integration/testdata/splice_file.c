/*
 * splice_file: splice between a pipe and a file in /tmp, in both
 * directions, with and without offsets; splice and tee between pipes; the
 * errors Linux gives.
 */
#include "pipetest.h"
#include <signal.h>

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	const char *path = "/tmp/splice_file.data";
	int f = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	MUST(f);
	MUST(write(f, "0123456789abcdefghij", 20));
	MUST(lseek(f, 0, SEEK_SET));
	int p[2], q[2];
	MUST(pipe(p));
	MUST(pipe(q));
	char buf[64];
	loff_t off = 5;

	SHOW("file to pipe at offset 5", splice(f, &off, p[1], NULL, 6, 0));
	printf("offset now %lld, file offset %ld\n", (long long)off, (long)lseek(f, 0, SEEK_CUR));
	SHOW("file to pipe at the file offset", splice(f, NULL, p[1], NULL, 3, SPLICE_F_MOVE | SPLICE_F_MORE));
	printf("file offset %ld\n", (long)lseek(f, 0, SEEK_CUR));
	SHOW("read the pipe", read(p[0], buf, sizeof buf));
	printf("got %.9s\n", buf);
	off = 100;
	SHOW("file to pipe past the end", splice(f, &off, p[1], NULL, 10, 0));

	MUST(write(p[1], "SPLICED", 7));
	off = 2;
	SHOW("pipe to file at offset 2", splice(p[0], NULL, f, &off, 4, 0));
	printf("offset now %lld, file offset %ld\n", (long long)off, (long)lseek(f, 0, SEEK_CUR));
	SHOW("pipe to file at the file offset", splice(p[0], NULL, f, NULL, 100, 0));
	printf("file offset %ld\n", (long)lseek(f, 0, SEEK_CUR));
	memset(buf, 0, sizeof buf);
	MUST(pread(f, buf, sizeof buf, 0));
	printf("file: %s\n", buf);
	SHOW("empty pipe, SPLICE_F_NONBLOCK", splice(p[0], NULL, f, NULL, 10, SPLICE_F_NONBLOCK));

	/* Pipe to pipe, and tee. */
	MUST(write(p[1], "teedata", 7));
	SHOW("tee 3", tee(p[0], q[1], 3, 0));
	SHOW("tee leaves the data", read(p[0], buf, 2));
	SHOW("splice pipe to pipe", splice(p[0], NULL, q[1], NULL, 100, 0));
	memset(buf, 0, sizeof buf);
	SHOW("read", read(q[0], buf, sizeof buf));
	printf("got %s\n", buf);
	SHOW("tee from an empty pipe, nonblocking", tee(p[0], q[1], 3, SPLICE_F_NONBLOCK));
	SHOW("pipe to pipe, empty, nonblocking", splice(p[0], NULL, q[1], NULL, 3, SPLICE_F_NONBLOCK));

	/* Errors. */
	off = 0;
	SHOW("length 0", splice(p[0], NULL, f, NULL, 0, 0xff));
	SHOW("bad flags", splice(p[0], NULL, f, NULL, 1, 0x100));
	SHOW("offset on the pipe", splice(p[0], &off, f, NULL, 1, 0));
	SHOW("offset on the out pipe", splice(f, NULL, p[1], &off, 1, 0));
	SHOW("file to file", splice(f, NULL, f, NULL, 1, 0));
	SHOW("pipe to itself", splice(p[0], NULL, p[1], NULL, 1, 0));
	SHOW("from a write end", splice(p[1], NULL, f, NULL, 1, 0));
	SHOW("bad fd", splice(99, NULL, p[1], NULL, 1, 0));
	off = -1;
	SHOW("negative offset", splice(f, &off, p[1], NULL, 1, 0));
	int ro = open(path, O_RDONLY);
	MUST(write(p[1], "x", 1));
	SHOW("to a read-only file", splice(p[0], NULL, ro, NULL, 1, 0));
	int ap = open(path, O_WRONLY | O_APPEND);
	SHOW("to an O_APPEND file", splice(p[0], NULL, ap, NULL, 1, 0));
	int d = open("/tmp", O_RDONLY | O_DIRECTORY);
	SHOW("from a directory", splice(d, NULL, p[1], NULL, 1, 0));
	SHOW("tee bad flags", tee(p[0], q[1], 1, 0x100));
	SHOW("tee to itself", tee(p[0], p[1], 1, 0));
	SHOW("tee from a file", tee(f, q[1], 1, 0));
	SHOW("tee length 0", tee(p[0], 99, 0, 0));

	/* From a pipe without writers: end of file. */
	close(p[1]);
	SHOW("splice at end of file", splice(p[0], NULL, f, NULL, 10, 0));
	SHOW("tee at end of file", tee(p[0], q[1], 10, 0));
	/* Into a pipe without readers: EPIPE (SIGPIPE ignored). */
	signal(SIGPIPE, SIG_IGN);
	close(q[0]);
	off = 0;
	SHOW("into a pipe without readers", splice(f, &off, q[1], NULL, 10, 0));
	unlink(path);
	return 0;
}
