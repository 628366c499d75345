/*
 * rename_basic: rename moves and replaces: a file over a file (the old
 * target's open descriptor keeps its data), a directory over an empty
 * directory; errors: directory over a non-empty directory ENOTEMPTY, file
 * over a directory EISDIR, directory over a file ENOTDIR, into its own
 * subdirectory EINVAL, missing source ENOENT; renaming onto itself or
 * onto another link of the same file does nothing.
 */
#include "compat.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

static void put(const char *p, const char *s)
{
	int fd = open(p, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	write(fd, s, strlen(s));
	close(fd);
}

static void show(const char *p)
{
	char buf[16] = {0};
	int fd = open(p, O_RDONLY);
	if (fd < 0) {
		printf("  %s: %s\n", p, errname(errno));
		return;
	}
	read(fd, buf, sizeof buf - 1);
	close(fd);
	printf("  %s: %s\n", p, buf);
}

int main(void)
{
	compat_tmpdir();
	struct stat st;
	put("a", "A");
	put("b", "B");
	int old = open("b", O_RDONLY);
	CHECK_RET("rename a over b", rename("a", "b"), 0);
	show("a");
	show("b");
	char c = 0;
	read(old, &c, 1);
	check("the replaced file's descriptor still reads B", c == 'B');

	mkdir("d1", 0755);
	mkdir("d2", 0755);
	put("d1/x", "X");
	CHECK_RET("rename d1 over empty d2", rename("d1", "d2"), 0);
	show("d2/x");
	mkdir("d3", 0755);
	CHECK_ERR("rename d3 over non-empty d2", rename("d3", "d2"), ENOTEMPTY);
	CHECK_ERR("rename file over directory", rename("b", "d3"), EISDIR);
	CHECK_ERR("rename directory over file", rename("d3", "b"), ENOTDIR);
	CHECK_ERR("rename directory into itself", rename("d2", "d2/sub"), EINVAL);
	CHECK_ERR("rename missing source", rename("none", "z"), ENOENT);
	CHECK_ERR("rename into a missing directory", rename("b", "nodir/b"), ENOENT);
	CHECK_RET("rename onto itself", rename("b", "b"), 0);
	show("b");
	link("b", "b2");
	CHECK_RET("rename onto another link of the same file", rename("b", "b2"), 0);
	check("both links remain", stat("b", &st) == 0 && stat("b2", &st) == 0 && st.st_nlink == 2);
	CHECK_RET("rename across directories", rename("b2", "d3/moved"), 0);
	show("d3/moved");
	CHECK_RET("rename a directory with a trailing slash", rename("d3/", "d4/"), 0);
	CHECK_ERR("rename a file with a trailing slash", rename("b/", "c"), ENOTDIR);
	symlink("b", "lb");
	CHECK_RET("rename a symlink moves the link", rename("lb", "lc"), 0);
	check("lc is a symlink", lstat("lc", &st) == 0 && S_ISLNK(st.st_mode));
	CHECK_ERR("rename \".\"", rename(".", "x"), EBUSY);
	return compat_done();
}
