/*
 * fcntl_getfl: F_GETFL returns the open file description's flags exactly,
 * including O_LARGEFILE, which 64-bit Linux sets on every file opened with
 * open(2) (the harness's stdin, /dev/null) but not on pipes (stdout and
 * stderr).
 */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

int main(void)
{
	int ok = 1;
	/* The kernel's O_LARGEFILE; glibc defines it as 0 for 64-bit programs. */
	const int kernel_o_largefile = 0x8000;
	const int want[3] = {O_RDONLY | kernel_o_largefile, O_WRONLY, O_WRONLY};
	for (int fd = 0; fd < 3; fd++) {
		int fl = fcntl(fd, F_GETFL);
		printf("fd %d: F_GETFL %#x\n", fd, fl);
		ok &= fl == want[fd];
	}
	int d = dup(0);
	printf("dup of fd 0: F_GETFL %#x\n", fcntl(d, F_GETFL));
	fcntl(0, F_SETFL, O_NONBLOCK);
	printf("fd 0 after F_SETFL O_NONBLOCK: F_GETFL %#x\n", fcntl(0, F_GETFL));
	return ok ? 0 : 1;
}
