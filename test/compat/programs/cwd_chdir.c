/*
 * cwd_chdir: getcwd follows chdir (relative, absolute, ".."), fchdir and
 * symlinks (getcwd shows the real path); errors: chdir to a file ENOTDIR,
 * to a missing directory ENOENT, fchdir to a file ENOTDIR, getcwd into a
 * small buffer ERANGE, size 0 EINVAL; once the working directory is
 * removed getcwd gives ENOENT while "." still works for fstat.
 */
#include "compat.h"
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char *tmp;

static void show(void)
{
	char buf[PATH_MAX];
	if (!getcwd(buf, sizeof buf)) {
		printf("getcwd: %s\n", errname(errno));
		return;
	}
	size_t n = strlen(tmp);
	if (strncmp(buf, tmp, n) == 0)
		printf("cwd: TMP%s\n", buf + n);
	else
		printf("cwd: %s\n", buf);
}

int main(void)
{
	tmp = compat_tmpdir();
	show();
	mkdir("a", 0755);
	mkdir("a/b", 0755);
	close(open("file", O_CREAT | O_WRONLY, 0644));
	symlink("a/b", "lb");
	CHECK_RET("chdir a/b", chdir("a/b"), 0);
	show();
	CHECK_RET("chdir ..", chdir(".."), 0);
	show();
	CHECK_RET("chdir through a symlink", chdir("../lb"), 0);
	show();
	CHECK_RET("chdir /", chdir("/"), 0);
	show();
	CHECK_RET("chdir absolute", chdir(tmp), 0);
	int a = open("a", O_RDONLY | O_DIRECTORY);
	CHECK_RET("fchdir", fchdir(a), 0);
	show();
	chdir(tmp);
	CHECK_ERR("chdir to a file", chdir("file"), ENOTDIR);
	CHECK_ERR("chdir missing", chdir("none"), ENOENT);
	int f = open("file", O_RDONLY);
	CHECK_ERR("fchdir to a file", fchdir(f), ENOTDIR);
	CHECK_ERR("fchdir closed fd", fchdir(99), EBADF);
	char small[4];
	check("getcwd small buffer: ERANGE", getcwd(small, sizeof small) == NULL && errno == ERANGE);
	CHECK_ERR("raw getcwd size 0", syscall(SYS_getcwd, small, 0), ERANGE);
	CHECK_ERR("raw getcwd bad buffer", syscall(SYS_getcwd, (char *)8, 4096), EFAULT);
	long n = syscall(SYS_getcwd, NULL, 0);
	printf("raw getcwd NULL, 0: %s\n", n == -1 ? errname(errno) : "ok");
	char buf[PATH_MAX];
	CHECK_RET("raw getcwd returns the length with the NUL", syscall(SYS_getcwd, buf, sizeof buf), (long)strlen(tmp) + 1);
	mkdir("doomed", 0755);
	chdir("doomed");
	rmdir(tmp[0] ? "../doomed" : "x");
	show();
	struct stat st;
	check("stat \".\" still works", stat(".", &st) == 0 && st.st_nlink == 0);
	CHECK_ERR("creating in it gives ENOENT", open("new", O_CREAT | O_WRONLY, 0644), ENOENT);
	return compat_done();
}
