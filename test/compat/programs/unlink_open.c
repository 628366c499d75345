/*
 * unlink_open: an unlinked file stays usable through open descriptors
 * (nlink 0, data intact, writes still work) and is gone by name; unlink of
 * a directory gives EISDIR; unlinkat AT_REMOVEDIR removes directories
 * only; unlink of a symlink removes the link, not its target; a name can
 * be reused at once.
 */
#include "compat.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

int main(void)
{
	compat_tmpdir();
	int fd = open("f", O_CREAT | O_RDWR, 0644);
	write(fd, "keep", 4);
	CHECK_RET("unlink an open file", unlink("f"), 0);
	struct stat st;
	check("fstat: nlink 0, size 4", fstat(fd, &st) == 0 && st.st_nlink == 0 && st.st_size == 4);
	CHECK_ERR("stat by name", stat("f", &st), ENOENT);
	char buf[8] = {0};
	CHECK_RET("pread", pread(fd, buf, 8, 0), 4);
	CHECK_RET("write more", write(fd, "more", 4), 4);
	check("size 8", fstat(fd, &st) == 0 && st.st_size == 8);
	int g = open("f", O_CREAT | O_RDWR | O_EXCL, 0644);
	check("the name can be reused", g >= 0 && fstat(g, &st) == 0 && st.st_size == 0);
	close(fd);

	mkdir("d", 0755);
	CHECK_ERR("unlink a directory", unlink("d"), EISDIR);
	CHECK_ERR("unlinkat AT_REMOVEDIR on a file", unlinkat(AT_FDCWD, "f", AT_REMOVEDIR), ENOTDIR);
	CHECK_RET("unlinkat AT_REMOVEDIR on a directory", unlinkat(AT_FDCWD, "d", AT_REMOVEDIR), 0);
	symlink("f", "l");
	CHECK_RET("unlink a symlink", unlink("l"), 0);
	check("its target remains", stat("f", &st) == 0);
	CHECK_ERR("unlink missing", unlink("none"), ENOENT);
	CHECK_ERR("unlink with a trailing slash", unlink("f/"), ENOTDIR);
	CHECK_ERR("unlink \"\"", unlink(""), ENOENT);
	link("f", "f2");
	unlink("f");
	check("the other hard link remains", stat("f2", &st) == 0 && st.st_nlink == 1);
	return compat_done();
}
