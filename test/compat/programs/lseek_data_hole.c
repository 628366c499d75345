/*
 * lseek_data_hole: SEEK_DATA and SEEK_HOLE: a fully written file has one
 * data run and the implicit hole at its end; at or past the end both give
 * ENXIO (lseek_hole_middle: a hole inside the file).
 */
#include "compat.h"
#include <fcntl.h>
#include <unistd.h>

int main(void)
{
	compat_tmpdir();
	int fd = open("f", O_CREAT | O_RDWR, 0644);
	char page[4096];
	memset(page, 'a', sizeof page);
	write(fd, page, 100);
	CHECK_RET("SEEK_DATA 0 on a written file", lseek(fd, 0, SEEK_DATA), 0);
	CHECK_RET("SEEK_DATA 50", lseek(fd, 50, SEEK_DATA), 50);
	CHECK_RET("SEEK_HOLE 0: the end", lseek(fd, 0, SEEK_HOLE), 100);
	CHECK_ERR("SEEK_DATA at the end", lseek(fd, 100, SEEK_DATA), ENXIO);
	CHECK_ERR("SEEK_HOLE at the end", lseek(fd, 100, SEEK_HOLE), ENXIO);
	CHECK_ERR("SEEK_DATA past the end", lseek(fd, 1000, SEEK_DATA), ENXIO);
	CHECK_ERR("SEEK_DATA negative", lseek(fd, -1, SEEK_DATA), ENXIO);
	CHECK_RET("SEEK_HOLE leaves the offset at the hole", lseek(fd, 0, SEEK_CUR), 100);
	CHECK_ERR("SEEK_DATA on a pipe", ({ int p[2]; pipe(p); lseek(p[0], 0, SEEK_DATA); }), ESPIPE);
	return compat_done();
}
