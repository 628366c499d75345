/*
 * openat_dirfd: *at calls resolve relative paths from the directory fd,
 * AT_FDCWD means the working directory, absolute paths ignore the fd
 * (even a bad one); a relative path with a non-directory fd gives
 * ENOTDIR and with a closed fd EBADF; the dirfd keeps naming the directory
 * after it is renamed.
 */
#include "compat.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

int main(void)
{
	const char *tmp = compat_tmpdir();
	mkdir("a", 0755);
	mkdir("a/b", 0755);
	close(open("a/b/f", O_CREAT | O_WRONLY, 0644));
	struct stat st;

	int a = open("a", O_RDONLY | O_DIRECTORY);
	int fd = openat(a, "b/f", O_RDONLY);
	check("openat(dirfd, \"b/f\")", fd >= 0);
	close(fd);
	fd = openat(AT_FDCWD, "a/b/f", O_RDONLY);
	check("openat(AT_FDCWD, \"a/b/f\")", fd >= 0);
	close(fd);
	char abs[64];
	snprintf(abs, sizeof abs, "%s/a/b/f", tmp);
	fd = openat(99, abs, O_RDONLY);
	check("absolute path ignores a bad dirfd", fd >= 0);
	close(fd);
	CHECK_ERR("relative path with a closed dirfd", openat(99, "b/f", O_RDONLY), EBADF);
	int file = open("a/b/f", O_RDONLY);
	CHECK_ERR("relative path with a file as dirfd", openat(file, "x", O_RDONLY), ENOTDIR);
	CHECK_ERR("mkdirat with a file as dirfd", mkdirat(file, "x", 0755), ENOTDIR);
	CHECK_ERR("fstatat with a file as dirfd", fstatat(file, "x", &st, 0), ENOTDIR);
	check("fstatat(file, \"\", AT_EMPTY_PATH) stats the file",
	      fstatat(file, "", &st, AT_EMPTY_PATH) == 0 && S_ISREG(st.st_mode));
	CHECK_ERR("fstatat(file, \"\") without AT_EMPTY_PATH", fstatat(file, "", &st, 0), ENOENT);
	close(file);

	CHECK_RET("mkdirat(dirfd, \"c\")", mkdirat(a, "c", 0700), 0);
	check("a/c exists", stat("a/c", &st) == 0 && S_ISDIR(st.st_mode));
	CHECK_RET("rename a to z", rename("a", "z"), 0);
	fd = openat(a, "b/f", O_RDONLY);
	check("the dirfd still names the renamed directory", fd >= 0);
	close(fd);
	CHECK_RET("unlinkat(dirfd, \"c\", AT_REMOVEDIR)", unlinkat(a, "c", AT_REMOVEDIR), 0);
	check("z/c gone", stat("z/c", &st) == -1 && errno == ENOENT);
	CHECK_ERR("unlinkat with a bad flag", unlinkat(a, "b", 0x1), EINVAL);
	close(a);
	return compat_done();
}
