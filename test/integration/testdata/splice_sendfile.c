/*
 * splice_sendfile: sendfile(2) from a file to a file and to a pipe, with
 * and without an offset, and copy_file_range(2) within /tmp.
 */
#include "pipetest.h"
#include <sys/sendfile.h>

static void dump(const char *what, int fd)
{
	char buf[128] = {0};
	long n = pread(fd, buf, sizeof buf - 1, 0);
	printf("%s: %ld \"%s\"\n", what, n, buf);
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	int in = open("/tmp/sendfile.in", O_RDWR | O_CREAT | O_TRUNC, 0644);
	int out = open("/tmp/sendfile.out", O_RDWR | O_CREAT | O_TRUNC, 0644);
	MUST(in);
	MUST(out);
	MUST(write(in, "the quick brown fox jumps over the lazy dog", 43));
	MUST(lseek(in, 4, SEEK_SET));
	off_t off = 10;
	SHOW("sendfile at offset 10", sendfile(out, in, &off, 5));
	printf("offset %ld, in offset %ld, out offset %ld\n", (long)off, (long)lseek(in, 0, SEEK_CUR), (long)lseek(out, 0, SEEK_CUR));
	SHOW("sendfile at the in offset", sendfile(out, in, NULL, 6));
	printf("in offset %ld, out offset %ld\n", (long)lseek(in, 0, SEEK_CUR), (long)lseek(out, 0, SEEK_CUR));
	off = 40;
	SHOW("sendfile past the end", sendfile(out, in, &off, 100));
	printf("offset %ld\n", (long)off);
	dump("out", out);
	SHOW("sendfile 0 bytes", sendfile(out, in, NULL, 0));

	int p[2];
	MUST(pipe(p));
	off = 0;
	SHOW("sendfile to a pipe", sendfile(p[1], in, &off, 9));
	char buf[64] = {0};
	SHOW("read it", read(p[0], buf, sizeof buf));
	printf("got %s\n", buf);
	off = -1;
	SHOW("negative offset", sendfile(out, in, &off, 1));
	printf("offset left at %ld\n", (long)off);
	SHOW("from a pipe", sendfile(out, p[0], NULL, 1));
	SHOW("from a pipe, 0 bytes", sendfile(out, p[0], NULL, 0));
	int ap = open("/tmp/sendfile.out", O_WRONLY | O_APPEND);
	SHOW("to an O_APPEND file", sendfile(ap, in, NULL, 1));
	int ro = open("/tmp/sendfile.out", O_RDONLY);
	SHOW("to a read-only file", sendfile(ro, in, NULL, 1));
	SHOW("from a write-only file", sendfile(out, ap, NULL, 1));
	SHOW("bad out fd", sendfile(99, in, NULL, 1));
	SHOW("offset on a pipe", sendfile(out, p[0], &off, 1));

	/* To stdout, which the test harness makes a pipe. */
	off = 4;
	SHOW("\nsendfile to stdout", sendfile(1, in, &off, 6));
	MUST(write(p[1], "spliced to stdout\n", 18));
	SHOW("splice to stdout", splice(p[0], NULL, 1, NULL, 100, 0));
	loff_t lo = 10;
	SHOW("\nsplice a file to stdout", splice(in, &lo, 1, NULL, 5, 0));
	printf("offset %lld\n", (long long)lo);
	SHOW("offset on stdout", splice(in, NULL, 1, &lo, 5, 0));

	/* copy_file_range. */
	MUST(ftruncate(out, 0));
	MUST(lseek(out, 0, SEEK_SET));
	MUST(lseek(in, 0, SEEK_SET));
	loff_t oi = 4, oo = 0;
	SHOW("copy_file_range with offsets", copy_file_range(in, &oi, out, &oo, 11, 0));
	printf("offsets %lld %lld, file offsets %ld %ld\n", (long long)oi, (long long)oo,
	       (long)lseek(in, 0, SEEK_CUR), (long)lseek(out, 0, SEEK_CUR));
	SHOW("copy_file_range at the file offsets", copy_file_range(in, NULL, out, NULL, 4, 0));
	printf("file offsets %ld %ld\n", (long)lseek(in, 0, SEEK_CUR), (long)lseek(out, 0, SEEK_CUR));
	dump("out", out);
	oi = 40;
	SHOW("copy_file_range to the end", copy_file_range(in, &oi, out, NULL, 100, 0));
	SHOW("copy_file_range past the end", copy_file_range(in, &oi, out, NULL, 100, 0));
	oi = 0, oo = 2;
	SHOW("overlapping, same file", copy_file_range(in, &oi, in, &oo, 5, 0));
	oi = 0, oo = 20;
	SHOW("same file, apart", copy_file_range(in, &oi, in, &oo, 5, 0));
	dump("in", in);
	SHOW("flags", copy_file_range(in, NULL, out, NULL, 1, 1));
	int d = open("/tmp", O_RDONLY | O_DIRECTORY);
	SHOW("from a directory", copy_file_range(d, NULL, out, NULL, 1, 0));
	SHOW("to a pipe", copy_file_range(in, NULL, p[1], NULL, 1, 0));
	SHOW("to an O_APPEND file", copy_file_range(in, NULL, ap, NULL, 1, 0));
	SHOW("to a read-only file", copy_file_range(in, NULL, ro, NULL, 1, 0));
	oi = -1;
	SHOW("negative offset", copy_file_range(in, &oi, out, NULL, 1, 0));
	SHOW("negative offset, 0 bytes", copy_file_range(in, &oi, out, NULL, 0, 0));
	unlink("/tmp/sendfile.in");
	unlink("/tmp/sendfile.out");
	return 0;
}
