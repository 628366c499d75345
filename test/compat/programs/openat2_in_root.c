/*
 * openat2_in_root: RESOLVE_IN_ROOT treats the dirfd as the root: absolute
 * symlinks resolve inside it (openat2_in_root_abspath: absolute paths), ".." at the root stays
 * at the root.
 */
#include "compat.h"
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

static char got[16];

static long o2(int dfd, const char *p, unsigned long long resolve)
{
	struct open_how how = {.flags = O_RDONLY, .resolve = resolve};
	long fd = syscall(SYS_openat2, dfd, p, &how, sizeof how);
	memset(got, 0, sizeof got);
	if (fd >= 0) {
		read(fd, got, sizeof got - 1);
		close(fd);
	}
	return fd >= 0 ? 0 : -1;
}

static void put(const char *p, const char *s)
{
	int fd = open(p, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	write(fd, s, strlen(s));
	close(fd);
}

int main(void)
{
	compat_tmpdir();
	mkdir("root", 0755);
	mkdir("root/etc", 0755);
	put("root/etc/name", "inner");
	put("name", "outer");
	mkdir("etc", 0755);
	put("etc/name", "outer-etc");
	symlink("/etc/name", "root/abs");
	symlink("../../../etc/name", "root/etc/up");
	int root = open("root", O_PATH | O_DIRECTORY);

	CHECK_RET("\"../name\" (.. at the root stays)", o2(root, "../name", RESOLVE_IN_ROOT), -1);
	CHECK_RET("\"../etc/name\"", o2(root, "../etc/name", RESOLVE_IN_ROOT), 0);
	printf("  read: %s\n", got);
	CHECK_RET("\"../../../etc/name\"", o2(root, "../../../etc/name", RESOLVE_IN_ROOT), 0);
	printf("  read: %s\n", got);
	CHECK_RET("absolute symlink", o2(root, "abs", RESOLVE_IN_ROOT), 0);
	printf("  read: %s\n", got);
	CHECK_RET("symlink climbing with ..", o2(root, "etc/up", RESOLVE_IN_ROOT), 0);
	printf("  read: %s\n", got);
	CHECK_RET("without the flag, ../name", o2(root, "../name", 0), 0);
	printf("  read: %s\n", got);
	CHECK_ERR("RESOLVE_IN_ROOT|RESOLVE_BENEATH", o2(root, "etc/name", RESOLVE_IN_ROOT | RESOLVE_BENEATH), EINVAL);
	return compat_done();
}
