/*
 * fstat_lseek: fstat and newfstatat(fd, "", AT_EMPTY_PATH) of the standard
 * descriptors (stdin /dev/null, stdout and stderr pipes) agree and report
 * the right file types; lseek works on /dev/null and gives ESPIPE on a
 * pipe; errors for bad descriptors, whence values and paths.
 */
#include "compat.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static const char *type(mode_t m)
{
	switch (m & S_IFMT) {
	case S_IFCHR:
		return "character device";
	case S_IFIFO:
		return "fifo";
	case S_IFREG:
		return "regular file";
	case S_IFDIR:
		return "directory";
	case S_IFSOCK:
		return "socket";
	}
	return "other";
}

int main(void)
{
	struct stat a, b;
	for (int fd = 0; fd < 3; fd++) {
		memset(&a, 0x11, sizeof a);
		memset(&b, 0x22, sizeof b);
		int r1 = fstat(fd, &a);
		int r2 = syscall(SYS_newfstatat, fd, "", &b, AT_EMPTY_PATH);
		printf("fd %d: %s\n", fd, type(a.st_mode));
		char what[64];
		snprintf(what, sizeof what, "fd %d: fstat == newfstatat(AT_EMPTY_PATH)", fd);
		check(what, r1 == 0 && r2 == 0 && memcmp(&a, &b, sizeof a) == 0);
	}
	fstat(0, &a);
	check("stdin is /dev/null (char 1:3)", S_ISCHR(a.st_mode) && major(a.st_rdev) == 1 && minor(a.st_rdev) == 3);
	check("/dev/null: size 0, 0666", a.st_size == 0 && (a.st_mode & 0777) == 0666);
	struct stat o, e;
	fstat(1, &o);
	fstat(2, &e);
	check("stdout and stderr are distinct pipes", o.st_ino != e.st_ino);
	check("pipe: blksize 4096", o.st_blksize == 4096);
	check("pipe: mode 0600", (o.st_mode & 0777) == 0600);
	check("pipe: one link", o.st_nlink == 1);

	CHECK_ERR("fstat of a closed fd", fstat(50, &a), EBADF);
	CHECK_ERR("newfstatat of a closed fd", syscall(SYS_newfstatat, 50, "", &a, AT_EMPTY_PATH), EBADF);
	CHECK_ERR("newfstatat without AT_EMPTY_PATH", syscall(SYS_newfstatat, 1, "", &a, 0), ENOENT);

	CHECK_RET("lseek /dev/null SEEK_SET 100", lseek(0, 100, SEEK_SET), 0);
	CHECK_RET("lseek /dev/null SEEK_END", lseek(0, 0, SEEK_END), 0);
	CHECK_RET("lseek /dev/null SEEK_CUR -5", lseek(0, -5, SEEK_CUR), 0);
	CHECK_ERR("lseek /dev/null bad whence", lseek(0, 0, 99), EINVAL);
	CHECK_ERR("lseek on a pipe", lseek(1, 0, SEEK_CUR), ESPIPE);
	CHECK_ERR("lseek on a pipe, bad whence", lseek(1, 0, 99), EINVAL);
	CHECK_ERR("lseek of a closed fd", lseek(50, 0, SEEK_SET), EBADF);
	return compat_done();
}
