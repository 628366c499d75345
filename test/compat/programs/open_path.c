/*
 * open_path: an O_PATH descriptor names a file without opening it for I/O:
 * read, write and fchmod fail with EBADF (open_path_ebadf: more calls); fstat, fchdir (of a
 * directory), openat relative to it, dup and fcntl work; F_GETFL shows
 * O_PATH; reopening it through /proc/self/fd gives a real descriptor;
 * O_PATH ignores other flags but O_CLOEXEC, O_DIRECTORY and O_NOFOLLOW.
 */
#include "compat.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
	compat_tmpdir();
	mkdir("d", 0755);
	int w = open("d/f", O_CREAT | O_WRONLY, 0644);
	write(w, "data", 4);
	close(w);
	struct stat st;
	char c;

	int fd = open("d/f", O_PATH);
	check("open O_PATH", fd >= 0);
	CHECK_ERR("read", read(fd, &c, 1), EBADF);
	CHECK_ERR("write", write(fd, "x", 1), EBADF);
	CHECK_ERR("fchmod", fchmod(fd, 0600), EBADF);
	check("fstat works", fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 4);
	int fl = fcntl(fd, F_GETFL);
	check("F_GETFL shows O_PATH", fl != -1 && (fl & O_PATH));
	int d = dup(fd);
	check("dup works", d >= 0);
	close(d);
	char path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	int r = open(path, O_RDONLY);
	check("reopen via /proc/self/fd", r >= 0 && read(r, path, 4) == 4 && memcmp(path, "data", 4) == 0);
	close(r);
	close(fd);

	int dfd = open("d", O_PATH | O_DIRECTORY);
	check("open directory O_PATH", dfd >= 0);
	r = openat(dfd, "f", O_RDONLY);
	check("openat relative to an O_PATH directory", r >= 0);
	close(r);
	check("fstatat relative to it", fstatat(dfd, "f", &st, 0) == 0 && st.st_size == 4);
	CHECK_RET("fchdir to it", fchdir(dfd), 0);
	check("now in d", access("f", F_OK) == 0);
	CHECK_RET("fchdir back", chdir(".."), 0);
	close(dfd);

	fd = open("d/f", O_PATH | O_TRUNC | O_CREAT, 0600);
	check("O_PATH ignores O_TRUNC (size still 4)", fd >= 0 && fstat(fd, &st) == 0 && st.st_size == 4);
	close(fd);
	fd = open("d/f", O_PATH | O_CLOEXEC);
	check("O_PATH|O_CLOEXEC sets FD_CLOEXEC", fd >= 0 && fcntl(fd, F_GETFD) == FD_CLOEXEC);
	close(fd);
	CHECK_ERR("O_PATH|O_DIRECTORY on a file", open("d/f", O_PATH | O_DIRECTORY), ENOTDIR);
	CHECK_ERR("O_PATH of a missing file", open("d/missing", O_PATH), ENOENT);
	return compat_done();
}
