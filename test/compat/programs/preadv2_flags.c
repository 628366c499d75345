/*
 * preadv2_flags: pwritev2 with RWF_APPEND writes at the end whatever the
 * offset argument; preadv2 and pwritev2 with an unknown flag give
 * EOPNOTSUPP.
 */
#include "compat.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

int main(void)
{
	compat_tmpdir();
	int fd = open("f", O_CREAT | O_RDWR, 0644);
	write(fd, "abcdef", 6);
	struct iovec x = {"X", 1};
	char c;
	struct iovec r = {&c, 1};
	CHECK_RET("pwritev2 at 0 with RWF_APPEND", pwritev2(fd, &x, 1, 0, RWF_APPEND), 1);
	struct stat st;
	check("it appended: size 7", fstat(fd, &st) == 0 && st.st_size == 7);
	CHECK_ERR("preadv2 with flag 0x1000", preadv2(fd, &r, 1, 0, 0x1000), EOPNOTSUPP);
	CHECK_ERR("pwritev2 with flag 0x1000", pwritev2(fd, &x, 1, 0, 0x1000), EOPNOTSUPP);
	return compat_done();
}
