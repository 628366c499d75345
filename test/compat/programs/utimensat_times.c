/*
 * utimensat_times: utimensat and futimens set atime and mtime exactly,
 * UTIME_OMIT leaves one alone, UTIME_NOW sets the current time, a NULL
 * times sets both to now; AT_SYMLINK_NOFOLLOW sets a symlink's own times;
 * bad nanoseconds give EINVAL; utimes and utime work too; a write updates
 * mtime.
 */
#include "compat.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <utime.h>

static void show(const char *p, int flags)
{
	struct stat st;
	fstatat(AT_FDCWD, p, &st, flags);
	printf("%s: atime %ld.%09ld mtime %ld.%09ld\n", p, (long)st.st_atim.tv_sec, st.st_atim.tv_nsec,
	       (long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
}

int main(void)
{
	compat_tmpdir();
	int fd = open("f", O_CREAT | O_RDWR, 0644);
	struct timespec ts[2] = {{1000000000, 123456789}, {1234567890, 987654321}};
	CHECK_RET("utimensat exact times", utimensat(AT_FDCWD, "f", ts, 0), 0);
	show("f", 0);
	struct timespec om[2] = {{5, UTIME_OMIT}, {1500000000, 5}};
	CHECK_RET("UTIME_OMIT atime", utimensat(AT_FDCWD, "f", om, 0), 0);
	show("f", 0);
	struct timespec o2[2] = {{1600000000, 0}, {0, UTIME_OMIT}};
	CHECK_RET("futimens UTIME_OMIT mtime", futimens(fd, o2), 0);
	show("f", 0);
	time_t before = time(NULL);
	struct timespec now[2] = {{0, UTIME_NOW}, {0, UTIME_NOW}};
	CHECK_RET("UTIME_NOW", utimensat(AT_FDCWD, "f", now, 0), 0);
	struct stat st;
	stat("f", &st);
	check("atime and mtime now", st.st_atim.tv_sec >= before && st.st_mtim.tv_sec >= before &&
					   st.st_mtim.tv_sec <= time(NULL));
	utimensat(AT_FDCWD, "f", ts, 0);
	CHECK_RET("NULL times", utimensat(AT_FDCWD, "f", NULL, 0), 0);
	stat("f", &st);
	check("NULL times: now", st.st_mtim.tv_sec >= before);

	utimensat(AT_FDCWD, "f", ts, 0);
	write(fd, "x", 1);
	stat("f", &st);
	check("write updates mtime", st.st_mtim.tv_sec >= before);

	symlink("f", "l");
	utimensat(AT_FDCWD, "f", ts, 0);
	struct timespec lt[2] = {{100, 1}, {200, 2}};
	CHECK_RET("AT_SYMLINK_NOFOLLOW on a symlink", utimensat(AT_FDCWD, "l", lt, AT_SYMLINK_NOFOLLOW), 0);
	show("l", AT_SYMLINK_NOFOLLOW);
	show("f", 0);
	struct timespec bad[2] = {{0, 1000000000}, {0, 0}};
	CHECK_ERR("nsec 1e9", utimensat(AT_FDCWD, "f", bad, 0), EINVAL);
	bad[0].tv_nsec = -1;
	CHECK_ERR("nsec -1", utimensat(AT_FDCWD, "f", bad, 0), EINVAL);
	CHECK_ERR("unknown flag", utimensat(AT_FDCWD, "f", ts, 0x1), EINVAL);
	CHECK_ERR("missing file", utimensat(AT_FDCWD, "none", ts, 0), ENOENT);
	struct timeval tv[2] = {{300, 4}, {400, 5}};
	CHECK_RET("utimes (microseconds)", utimes("f", tv), 0);
	show("f", 0);
	struct utimbuf ub = {500, 600};
	CHECK_RET("utime (seconds)", utime("f", &ub), 0);
	show("f", 0);
	return compat_done();
}
