/*
 * close_range_calls: close_range closes every open descriptor in the
 * range (holes and a huge upper bound are fine); CLOSE_RANGE_CLOEXEC marks
 * them close-on-exec instead; first > last and unknown flags give EINVAL.
 */
#include "compat.h"
#include <fcntl.h>
#include <linux/close_range.h>
#include <sys/syscall.h>
#include <unistd.h>

static int is_open(int fd) { return fcntl(fd, F_GETFD) != -1; }

static long cr(unsigned a, unsigned b, unsigned flags) { return syscall(SYS_close_range, a, b, flags); }

int main(void)
{
	for (int i = 3; i <= 12; i++)
		dup2(0, i);
	close(7);
	dup2(0, 100);
	CHECK_RET("close_range(5, 9)", cr(5, 9, 0), 0);
	printf("open among 3..12:");
	for (int i = 3; i <= 12; i++)
		if (is_open(i))
			printf(" %d", i);
	printf("\n");
	CHECK_RET("CLOSE_RANGE_CLOEXEC(3, 4)", cr(3, 4, CLOSE_RANGE_CLOEXEC), 0);
	check("3 and 4 open, FD_CLOEXEC", fcntl(3, F_GETFD) == FD_CLOEXEC && fcntl(4, F_GETFD) == FD_CLOEXEC);
	check("10 untouched", fcntl(10, F_GETFD) == 0);
	CHECK_RET("close_range(10, ~0U)", cr(10, ~0U, 0), 0);
	check("10, 11, 12 and 100 closed", !is_open(10) && !is_open(11) && !is_open(12) && !is_open(100));
	check("0..4 still open", is_open(0) && is_open(1) && is_open(2) && is_open(3) && is_open(4));
	CHECK_ERR("first > last", cr(9, 5, 0), EINVAL);
	CHECK_ERR("unknown flag", cr(3, 4, 0x8), EINVAL);
	CHECK_RET("empty range of closed fds", cr(50, 60, 0), 0);
	CHECK_RET("CLOSE_RANGE_UNSHARE (not shared)", cr(3, 3, CLOSE_RANGE_UNSHARE), 0);
	check("3 closed", !is_open(3));
	return compat_done();
}
