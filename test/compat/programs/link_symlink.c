/*
 * link_symlink: hard links share the inode and count links; linking a
 * directory gives EPERM, onto an existing name EEXIST; symlinks store any
 * text, dangle freely, and readlink returns it without a NUL (truncating
 * to the buffer); readlink on a non-symlink gives EINVAL; linkat follows a
 * symlink only with AT_SYMLINK_FOLLOW; stat follows and lstat does not.
 */
#include "compat.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

int main(void)
{
	compat_tmpdir();
	close(open("f", O_CREAT | O_WRONLY, 0644));
	struct stat a, b;
	CHECK_RET("link f g", link("f", "g"), 0);
	check("same inode", stat("f", &a) == 0 && stat("g", &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev);
	CHECK_RET("nlink 2", a.st_nlink, 2);
	CHECK_ERR("link onto an existing name", link("f", "g"), EEXIST);
	mkdir("d", 0755);
	CHECK_ERR("link a directory", link("d", "d2"), EPERM);
	CHECK_ERR("link a missing file", link("none", "x"), ENOENT);

	CHECK_RET("symlink to f", symlink("f", "s"), 0);
	CHECK_RET("symlink dangling", symlink("no/such/target", "dang"), 0);
	CHECK_RET("symlink with odd text", symlink("  spaces and //slashes// ", "odd"), 0);
	CHECK_ERR("symlink onto an existing name", symlink("f", "g"), EEXIST);
	CHECK_ERR("symlink with empty target", symlink("", "empty"), ENOENT);
	char buf[64];
	memset(buf, '#', sizeof buf);
	long n = readlink("dang", buf, sizeof buf);
	CHECK_RET("readlink length", n, 14);
	check("no NUL written", buf[14] == '#');
	printf("  target: %.*s\n", (int)n, buf);
	n = readlink("odd", buf, sizeof buf);
	printf("  odd: [%.*s]\n", (int)n, buf);
	CHECK_RET("readlink into 4 bytes truncates", readlink("dang", buf, 4), 4);
	CHECK_ERR("readlink of a file", readlink("f", buf, sizeof buf), EINVAL);
	CHECK_ERR("readlink with size 0", readlink("s", buf, 0), EINVAL);
	CHECK_ERR("readlink missing", readlink("none", buf, sizeof buf), ENOENT);

	check("stat follows the symlink", stat("s", &a) == 0 && S_ISREG(a.st_mode));
	check("lstat does not", lstat("s", &a) == 0 && S_ISLNK(a.st_mode) && a.st_size == 1);
	check("lstat size is the target's length", lstat("dang", &a) == 0 && a.st_size == 14);
	CHECK_ERR("stat of a dangling symlink", stat("dang", &a), ENOENT);
	check("symlink mode is 0777", lstat("s", &a) == 0 && (a.st_mode & 07777) == 0777);

	CHECK_RET("linkat of a symlink (no follow)", linkat(AT_FDCWD, "s", AT_FDCWD, "hs", 0), 0);
	check("the new link is a symlink", lstat("hs", &a) == 0 && S_ISLNK(a.st_mode));
	CHECK_RET("linkat AT_SYMLINK_FOLLOW", linkat(AT_FDCWD, "s", AT_FDCWD, "hf", AT_SYMLINK_FOLLOW), 0);
	check("the new link is the file", lstat("hf", &a) == 0 && S_ISREG(a.st_mode) && a.st_nlink == 3);
	int fd = open("f", O_RDONLY);
	CHECK_RET("linkat AT_EMPTY_PATH of an open file", linkat(fd, "", AT_FDCWD, "he", AT_EMPTY_PATH), 0);
	check("nlink 4", stat("f", &a) == 0 && a.st_nlink == 4);
	CHECK_ERR("linkat unknown flag", linkat(AT_FDCWD, "f", AT_FDCWD, "x", 0x1), EINVAL);
	return compat_done();
}
