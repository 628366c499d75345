/*
 * lseek_overflow: an lseek whose resulting offset overflows (SEEK_CUR or
 * SEEK_END with a huge positive offset) gives EINVAL and leaves the offset
 * alone.
 */
#include "compat.h"
#include <fcntl.h>
#include <unistd.h>

int main(void)
{
	compat_tmpdir();
	int fd = open("f", O_CREAT | O_RDWR, 0644);
	write(fd, "0123456789", 10);
	lseek(fd, 15, SEEK_SET);
	CHECK_ERR("SEEK_CUR 15 + INT64_MAX", lseek(fd, 0x7fffffffffffffffLL, SEEK_CUR), EINVAL);
	CHECK_ERR("SEEK_END 10 + INT64_MAX", lseek(fd, 0x7fffffffffffffffLL, SEEK_END), EINVAL);
	CHECK_RET("offset still 15", lseek(fd, 0, SEEK_CUR), 15);
	return compat_done();
}
