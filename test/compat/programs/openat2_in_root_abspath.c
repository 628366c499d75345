/*
 * openat2_in_root_abspath: with RESOLVE_IN_ROOT an absolute path starts at
 * the dirfd, not at the real root.
 */
#include "compat.h"
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
	compat_tmpdir();
	mkdir("root", 0755);
	mkdir("root/inner", 0755);
	int root = open("root", O_PATH | O_DIRECTORY);
	struct open_how how = {.flags = O_PATH, .resolve = RESOLVE_IN_ROOT};
	long fd = syscall(SYS_openat2, root, "/inner", &how, sizeof how);
	check("openat2(root, \"/inner\", RESOLVE_IN_ROOT) finds root/inner", fd >= 0);
	return compat_done();
}
