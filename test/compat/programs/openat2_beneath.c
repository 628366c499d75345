/*
 * openat2_beneath: RESOLVE_BENEATH keeps resolution inside the dirfd's
 * tree: ".." above it, absolute paths and symlinks leading out give EXDEV;
 * ".." that stays inside and symlinks that stay inside work.
 */
#include "compat.h"
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

static long o2(int dfd, const char *p, unsigned long long flags, unsigned long long resolve)
{
	struct open_how how = {.flags = flags, .resolve = resolve};
	long fd = syscall(SYS_openat2, dfd, p, &how, sizeof how);
	if (fd >= 0)
		close(fd);
	return fd >= 0 ? 0 : -1;
}

int main(void)
{
	compat_tmpdir();
	mkdir("root", 0755);
	mkdir("root/sub", 0755);
	close(open("root/sub/f", O_CREAT | O_WRONLY, 0644));
	close(open("outside", O_CREAT | O_WRONLY, 0644));
	symlink("sub/f", "root/in");
	symlink("../outside", "root/out");
	symlink("/etc/passwd", "root/abs");
	symlink("../sub/f", "root/sub/up_in");
	int root = open("root", O_PATH | O_DIRECTORY);

	CHECK_RET("plain path", o2(root, "sub/f", O_RDONLY, RESOLVE_BENEATH), 0);
	CHECK_RET("\"..\" staying inside", o2(root, "sub/../sub/f", O_RDONLY, RESOLVE_BENEATH), 0);
	CHECK_RET("\".\"", o2(root, ".", O_RDONLY, RESOLVE_BENEATH), 0);
	CHECK_RET("symlink staying inside", o2(root, "in", O_RDONLY, RESOLVE_BENEATH), 0);
	CHECK_RET("relative symlink with \"..\" staying inside", o2(root, "sub/up_in", O_RDONLY, RESOLVE_BENEATH), 0);
	CHECK_ERR("\"..\"", o2(root, "..", O_RDONLY, RESOLVE_BENEATH), EXDEV);
	CHECK_ERR("\"../outside\"", o2(root, "../outside", O_RDONLY, RESOLVE_BENEATH), EXDEV);
	CHECK_ERR("\"sub/../../outside\"", o2(root, "sub/../../outside", O_RDONLY, RESOLVE_BENEATH), EXDEV);
	CHECK_ERR("absolute path", o2(root, "/etc/passwd", O_RDONLY, RESOLVE_BENEATH), EXDEV);
	CHECK_ERR("symlink to ../outside", o2(root, "out", O_RDONLY, RESOLVE_BENEATH), EXDEV);
	CHECK_ERR("absolute symlink", o2(root, "abs", O_RDONLY, RESOLVE_BENEATH), EXDEV);
	CHECK_RET("without RESOLVE_BENEATH \"../outside\" works", o2(root, "../outside", O_RDONLY, 0), 0);
	CHECK_ERR("missing file inside", o2(root, "sub/none", O_RDONLY, RESOLVE_BENEATH), ENOENT);
	CHECK_RET("O_CREAT inside", o2(root, "sub/new", O_CREAT | O_WRONLY, RESOLVE_BENEATH), 0);
	CHECK_ERR("O_CREAT outside", o2(root, "../new", O_CREAT | O_WRONLY, RESOLVE_BENEATH), EXDEV);
	check("../new was not created", access("new", F_OK) == -1);
	return compat_done();
}
