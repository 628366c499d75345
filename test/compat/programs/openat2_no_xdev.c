/*
 * openat2_no_xdev: RESOLVE_NO_XDEV refuses to cross a mount point (EXDEV)
 * in either direction: from / into /proc, /dev/shm and /sys, and from
 * /proc back up with "..".
 */
#include "compat.h"
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

static long o2(int dfd, const char *p, unsigned long long resolve)
{
	struct open_how how = {.flags = O_PATH, .resolve = resolve};
	long fd = syscall(SYS_openat2, dfd, p, &how, sizeof how);
	if (fd >= 0)
		close(fd);
	return fd >= 0 ? 0 : -1;
}

int main(void)
{
	int root = open("/", O_PATH | O_DIRECTORY);
	int proc = open("/proc", O_PATH | O_DIRECTORY);
	CHECK_RET("/etc from /", o2(root, "etc", RESOLVE_NO_XDEV), 0);
	CHECK_ERR("/proc from /", o2(root, "proc", RESOLVE_NO_XDEV), EXDEV);
	CHECK_ERR("/proc/self/status from /", o2(root, "proc/self/status", RESOLVE_NO_XDEV), EXDEV);
	CHECK_ERR("/dev/shm from /dev", o2(AT_FDCWD, "/dev/shm", RESOLVE_NO_XDEV), EXDEV);
	CHECK_ERR("/sys/kernel from /", o2(root, "sys/kernel", RESOLVE_NO_XDEV), EXDEV);
	CHECK_RET("version inside /proc", o2(proc, "version", RESOLVE_NO_XDEV), 0);
	CHECK_ERR("\"..\" from /proc", o2(proc, "..", RESOLVE_NO_XDEV), EXDEV);
	CHECK_ERR("\"../etc\" from /proc", o2(proc, "../etc", RESOLVE_NO_XDEV), EXDEV);
	CHECK_RET("without the flag, /proc/version from /", o2(root, "proc/version", 0), 0);
	return compat_done();
}
