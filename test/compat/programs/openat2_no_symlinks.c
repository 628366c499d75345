/*
 * openat2_no_symlinks: RESOLVE_NO_SYMLINKS refuses any symlink on the
 * path (ELOOP), even with O_PATH|O_NOFOLLOW on the last one? No: a final
 * symlink with O_NOFOLLOW is not followed, so it is allowed.
 * RESOLVE_NO_MAGICLINKS refuses /proc/self/fd/N and /proc/self/cwd but
 * allows ordinary symlinks.
 */
#include "compat.h"
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

static long o2(const char *p, unsigned long long flags, unsigned long long resolve)
{
	struct open_how how = {.flags = flags, .resolve = resolve};
	long fd = syscall(SYS_openat2, AT_FDCWD, p, &how, sizeof how);
	if (fd >= 0)
		close(fd);
	return fd >= 0 ? 0 : -1;
}

int main(void)
{
	compat_tmpdir();
	mkdir("d", 0755);
	close(open("d/f", O_CREAT | O_WRONLY, 0644));
	symlink("d", "ld");
	symlink("d/f", "lf");

	CHECK_RET("no symlink on the path", o2("d/f", O_RDONLY, RESOLVE_NO_SYMLINKS), 0);
	CHECK_ERR("final symlink", o2("lf", O_RDONLY, RESOLVE_NO_SYMLINKS), ELOOP);
	CHECK_ERR("symlink in the middle", o2("ld/f", O_RDONLY, RESOLVE_NO_SYMLINKS), ELOOP);
	CHECK_RET("final symlink with O_PATH|O_NOFOLLOW", o2("lf", O_PATH | O_NOFOLLOW, RESOLVE_NO_SYMLINKS), 0);
	CHECK_ERR("final symlink with O_NOFOLLOW (no O_PATH)", o2("lf", O_RDONLY | O_NOFOLLOW, RESOLVE_NO_SYMLINKS), ELOOP);
	int fd = open("d/f", O_RDONLY);
	char p[64];
	snprintf(p, sizeof p, "/proc/self/fd/%d", fd);
	CHECK_RET("magic link without flags", o2(p, O_RDONLY, 0), 0);
	CHECK_ERR("magic link with RESOLVE_NO_MAGICLINKS", o2(p, O_RDONLY, RESOLVE_NO_MAGICLINKS), ELOOP);
	CHECK_ERR("/proc/self/cwd/d with RESOLVE_NO_MAGICLINKS", o2("/proc/self/cwd/d", O_RDONLY, RESOLVE_NO_MAGICLINKS), ELOOP);
	CHECK_RET("ordinary symlink with RESOLVE_NO_MAGICLINKS", o2("lf", O_RDONLY, RESOLVE_NO_MAGICLINKS), 0);
	close(fd);
	return compat_done();
}
