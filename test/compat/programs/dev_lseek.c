/*
 * dev_lseek: lseek on /dev/null and /dev/zero succeeds and always returns
 * 0 (the offset stays 0), as Linux's null_lseek does.
 */
#include "compat.h"
#include <fcntl.h>
#include <unistd.h>

int main(void)
{
	int n = open("/dev/null", O_RDWR);
	CHECK_RET("lseek /dev/null to 100", lseek(n, 100, SEEK_SET), 0);
	CHECK_RET("then SEEK_CUR", lseek(n, 0, SEEK_CUR), 0);
	int z = open("/dev/zero", O_RDWR);
	CHECK_RET("lseek /dev/zero to 100", lseek(z, 100, SEEK_SET), 0);
	return compat_done();
}
