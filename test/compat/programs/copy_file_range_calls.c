/*
 * copy_file_range_calls: copy_file_range copies between files at the
 * file offsets or at given offsets (advancing the pointers, not the file
 * offsets), stops at the end of the source (0 there), grows the
 * destination; errors: flags EINVAL, overlapping ranges of one file
 * EINVAL, a pipe EINVAL, a read-only destination EBADF, a directory EISDIR,
 * a negative offset EOVERFLOW.
 */
#include "compat.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

int main(void)
{
	compat_tmpdir();
	int in = open("in", O_CREAT | O_RDWR, 0644);
	write(in, "abcdefghijklmnop", 16);
	lseek(in, 0, SEEK_SET);
	int out = open("out", O_CREAT | O_RDWR, 0644);
	CHECK_RET("copy 4 at the file offsets", copy_file_range(in, NULL, out, NULL, 4, 0), 4);
	CHECK_RET("source offset moved", lseek(in, 0, SEEK_CUR), 4);
	CHECK_RET("destination offset moved", lseek(out, 0, SEEK_CUR), 4);
	loff_t ioff = 10, ooff = 20;
	CHECK_RET("copy 3 at explicit offsets", copy_file_range(in, &ioff, out, &ooff, 3, 0), 3);
	check("pointers advanced", ioff == 13 && ooff == 23);
	CHECK_RET("file offsets unchanged", lseek(in, 0, SEEK_CUR), 4);
	struct stat st;
	check("destination grew to 23", fstat(out, &st) == 0 && st.st_size == 23);
	char buf[32] = {0};
	pread(out, buf, sizeof buf, 0);
	printf("out[0..3]=%.4s out[4]=%d out[20..22]=%.3s\n", buf, buf[4], buf + 20);
	ioff = 14;
	CHECK_RET("copy past the source end: short", copy_file_range(in, &ioff, out, NULL, 100, 0), 2);
	CHECK_RET("at the end: 0", copy_file_range(in, &ioff, out, NULL, 100, 0), 0);
	ioff = 0;
	CHECK_ERR("flags 1", copy_file_range(in, &ioff, out, NULL, 1, 1), EINVAL);
	loff_t a = 0, b = 2;
	CHECK_ERR("overlapping ranges of one file", copy_file_range(in, &a, in, &b, 8, 0), EINVAL);
	a = 0, b = 8;
	CHECK_RET("non-overlapping ranges of one file", copy_file_range(in, &a, in, &b, 4, 0), 4);
	memset(buf, 0, sizeof buf);
	pread(in, buf, sizeof buf, 0);
	printf("in: %s\n", buf);
	int p[2];
	pipe(p);
	CHECK_ERR("pipe destination", copy_file_range(in, NULL, p[1], NULL, 1, 0), EINVAL);
	int ro = open("out", O_RDONLY);
	ioff = 0;
	CHECK_ERR("read-only destination", copy_file_range(in, &ioff, ro, NULL, 1, 0), EBADF);
	int d = open(".", O_RDONLY);
	CHECK_ERR("directory source", copy_file_range(d, NULL, out, NULL, 1, 0), EISDIR);
	ioff = -1;
	CHECK_ERR("negative offset", copy_file_range(in, &ioff, out, NULL, 1, 0), EOVERFLOW);
	return compat_done();
}
