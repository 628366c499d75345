/*
 * path_resolution: ".", ".." and repeated slashes; ".." of / is /; a
 * trailing slash requires a directory (ENOTDIR on a file, and for a
 * symlink to a directory it follows); empty paths give ENOENT; a
 * component under a file gives ENOTDIR; "//" paths and "/./" work.
 */
#include "compat.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

static int same(const char *p, const char *q)
{
	struct stat a, b;
	return stat(p, &a) == 0 && stat(q, &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev;
}

int main(void)
{
	compat_tmpdir();
	mkdir("a", 0755);
	mkdir("a/b", 0755);
	close(open("a/b/f", O_CREAT | O_WRONLY, 0644));
	symlink("a/b", "lb");
	symlink("a/b/f", "lf");
	struct stat st;
	check("a/./b is a/b", same("a/./b", "a/b"));
	check("a/b/.. is a", same("a/b/..", "a"));
	check("a/../a/b/f is a/b/f", same("a/../a/b/f", "a/b/f"));
	check("a//b///f is a/b/f", same("a//b///f", "a/b/f"));
	check("/.. is /", same("/..", "/"));
	check("/../../.. is /", same("/../../..", "/"));
	check("//tmp is /tmp", same("//tmp", "/tmp"));
	check("/./tmp/. is /tmp", same("/./tmp/.", "/tmp"));
	check("lb/.. is a (.. after a symlink is the target's parent)", same("lb/..", "a"));
	CHECK_RET("a/b/ (trailing slash on a directory)", stat("a/b/", &st), 0);
	CHECK_ERR("a/b/f/ (trailing slash on a file)", stat("a/b/f/", &st), ENOTDIR);
	CHECK_ERR("a/b/f/. ", stat("a/b/f/.", &st), ENOTDIR);
	CHECK_ERR("a/b/f/..", stat("a/b/f/..", &st), ENOTDIR);
	CHECK_ERR("open a/b/f/", open("a/b/f/", O_RDONLY), ENOTDIR);
	CHECK_ERR("open a/b/f/ O_CREAT", open("a/b/f/", O_RDONLY | O_CREAT, 0644), EISDIR);
	CHECK_ERR("open new/ O_CREAT", open("a/new/", O_WRONLY | O_CREAT, 0644), EISDIR);
	check("lb/ follows to the directory", lstat("lb/", &st) == 0 && S_ISDIR(st.st_mode));
	check("lstat lb (no slash) is the link", lstat("lb", &st) == 0 && S_ISLNK(st.st_mode));
	CHECK_ERR("lf/ (symlink to a file)", lstat("lf/", &st), ENOTDIR);
	CHECK_ERR("empty path", stat("", &st), ENOENT);
	CHECK_ERR("open empty path", open("", O_RDONLY), ENOENT);
	CHECK_ERR("component under a file", stat("a/b/f/x", &st), ENOTDIR);
	CHECK_ERR("missing middle component", stat("a/none/f", &st), ENOENT);
	CHECK_ERR("missing then file", stat("none/..", &st), ENOENT);
	return compat_done();
}
