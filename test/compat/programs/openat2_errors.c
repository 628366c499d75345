/*
 * openat2_errors: openat2's argument checks: a struct smaller than
 * open_how_v0 gives EINVAL, a larger one with non-zero tail E2BIG and with
 * a zero tail works; unknown flags, unknown resolve bits, a mode without
 * O_CREAT/O_TMPFILE and a mode with bits above 07777 give EINVAL; a bad
 * pointer gives EFAULT.
 */
#include "compat.h"
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

struct big {
	struct open_how how;
	unsigned long long extra;
};

static long o2(const char *p, void *how, size_t size)
{
	long fd = syscall(SYS_openat2, AT_FDCWD, p, how, size);
	if (fd >= 0)
		close(fd);
	return fd >= 0 ? 0 : -1;
}

int main(void)
{
	compat_tmpdir();
	struct big b = {.how = {.flags = O_RDONLY}};
	CHECK_RET("plain openat2", o2(".", &b, sizeof b.how), 0);
	CHECK_ERR("size 0", o2(".", &b, 0), EINVAL);
	CHECK_ERR("size 16", o2(".", &b, 16), EINVAL);
	CHECK_RET("larger struct with zero tail", o2(".", &b, sizeof b), 0);
	b.extra = 1;
	CHECK_ERR("larger struct with non-zero tail", o2(".", &b, sizeof b), E2BIG);
	b.extra = 0;
	b.how.flags = 1ULL << 40;
	CHECK_ERR("unknown flag bit", o2(".", &b, sizeof b.how), EINVAL);
	b.how.flags = O_RDONLY;
	b.how.resolve = 0x80;
	CHECK_ERR("unknown resolve bit", o2(".", &b, sizeof b.how), EINVAL);
	b.how.resolve = 0;
	b.how.mode = 0644;
	CHECK_ERR("mode without O_CREAT", o2(".", &b, sizeof b.how), EINVAL);
	b.how.flags = O_CREAT | O_WRONLY;
	CHECK_RET("mode with O_CREAT", o2("f", &b, sizeof b.how), 0);
	b.how.mode = 010000;
	CHECK_ERR("mode above 07777", o2("g", &b, sizeof b.how), EINVAL);
	CHECK_ERR("bad how pointer", o2(".", (void *)8, sizeof b.how), EFAULT);
	b.how.flags = O_RDONLY;
	b.how.mode = 0;
	CHECK_ERR("bad path pointer", o2((const char *)8, &b, sizeof b.how), EFAULT);
	return compat_done();
}
