/*
 * enametoolong: a 255-byte component works, 256 gives ENAMETOOLONG (for
 * lookups and creation); a path of PATH_MAX bytes or more gives
 * ENAMETOOLONG even when made of short components.
 */
#include "compat.h"
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

int main(void)
{
	compat_tmpdir();
	char name[300];
	struct stat st;
	memset(name, 'n', sizeof name);
	name[255] = 0;
	int fd = open(name, O_CREAT | O_WRONLY, 0644);
	check("create a 255-byte name", fd >= 0);
	close(fd);
	CHECK_RET("stat it", stat(name, &st), 0);
	name[255] = 'n';
	name[256] = 0;
	CHECK_ERR("create a 256-byte name", open(name, O_CREAT | O_WRONLY, 0644), ENAMETOOLONG);
	CHECK_ERR("stat a 256-byte name", stat(name, &st), ENAMETOOLONG);
	CHECK_ERR("mkdir a 256-byte name", mkdir(name, 0755), ENAMETOOLONG);
	CHECK_ERR("symlink named with 256 bytes", symlink(name, name), ENAMETOOLONG);

	static char path[PATH_MAX + 16];
	int len = 0;
	while (len < PATH_MAX + 8) {
		memcpy(path + len, "./", 2);
		len += 2;
	}
	path[len] = 0;
	CHECK_ERR("path longer than PATH_MAX", stat(path, &st), ENAMETOOLONG);
	path[PATH_MAX - 1] = 0; /* 4095 bytes: ./././.../. */
	CHECK_RET("path of PATH_MAX-1 bytes", stat(path, &st), 0);
	path[PATH_MAX - 1] = '/';
	path[PATH_MAX] = 0;
	CHECK_ERR("path of PATH_MAX bytes", stat(path, &st), ENAMETOOLONG);
	char target[PATH_MAX + 8];
	memset(target, 't', sizeof target);
	target[PATH_MAX - 1] = 0;
	CHECK_RET("symlink with a 4095-byte target", symlink(target, "longlink"), 0);
	target[PATH_MAX - 1] = 't';
	target[PATH_MAX] = 0;
	CHECK_ERR("symlink with a 4096-byte target", symlink(target, "longer"), ENAMETOOLONG);
	return compat_done();
}
