/* utimensat as root: explicit times, UTIME_NOW and UTIME_OMIT, NULL times,
 * symlinks, futimens (a NULL path), AT_EMPTY_PATH, and the errors in
 * Linux's order. Times set to now are checked against the clock read
 * around the call, never printed. */
#include "attr.h"

static struct timespec clock_now(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return ts;
}

static int before(struct timespec a, struct timespec b)
{
	return a.tv_sec < b.tv_sec || (a.tv_sec == b.tv_sec && a.tv_nsec <= b.tv_nsec);
}

/* recent reports whether path's atime and mtime were set within
 * [lo, hi]: "now", "old" (untouched) or "?". */
static void recent(const char *what, const char *path, struct timespec lo, struct timespec hi)
{
	struct stat st;
	lstat(path, &st);
	const char *a = before(lo, st.st_atim) && before(st.st_atim, hi) ? "now" : st.st_atim.tv_sec < 1000000 ? "old" : "?";
	const char *m = before(lo, st.st_mtim) && before(st.st_mtim, hi) ? "now" : st.st_mtim.tv_sec < 1000000 ? "old" : "?";
	printf("%s: atime %s mtime %s\n", what, a, m);
}

#define NOW_CHECK(what, path, call) do { \
	struct timespec lo_ = clock_now(CLOCK_REALTIME_COARSE); \
	T(what, call); \
	struct timespec hi_ = clock_now(CLOCK_REALTIME); \
	recent("  " path, path, lo_, hi_); \
} while (0)

static struct timespec atime_of(const char *path)
{
	struct stat st;
	lstat(path, &st);
	return st.st_atim;
}

static struct timespec mtime_of(const char *path)
{
	struct stat st;
	lstat(path, &st);
	return st.st_mtim;
}

static void reset(const char *path)
{
	struct timespec old[2] = {{100, 1}, {200, 2}};
	utimensat(AT_FDCWD, path, old, AT_SYMLINK_NOFOLLOW);
}

int main(int argc, char **argv)
{
	enter(argv[1]);
	writefile("f", "data", 0644);
	mkdir("d", 0755);
	symlink("f", "link");

	struct timespec ts[2] = {{1234567890, 123456789}, {987654321, 999999999}};
	T("explicit", utimensat(AT_FDCWD, "f", ts, 0));
	showtimes("  f", "f");
	struct timespec neg[2] = {{-1, 5}, {-1000, 0}};
	T("before the epoch", utimensat(AT_FDCWD, "f", neg, 0));
	showtimes("  f", "f");
	struct timespec zero[2] = {{0, 0}, {0, 0}};
	T("zero", utimensat(AT_FDCWD, "f", zero, 0));
	showtimes("  f", "f");

	struct timespec omit_a[2] = {{0, UTIME_OMIT}, {555, 5}};
	T("omit atime", utimensat(AT_FDCWD, "f", omit_a, 0));
	showtimes("  f", "f");
	struct timespec omit_m[2] = {{666, 6}, {0, UTIME_OMIT}};
	T("omit mtime", utimensat(AT_FDCWD, "f", omit_m, 0));
	showtimes("  f", "f");
	struct timespec omit2[2] = {{0, UTIME_OMIT}, {0, UTIME_OMIT}};
	T("omit both", utimensat(AT_FDCWD, "f", omit2, 0));
	showtimes("  f", "f");
	T("omit both missing file", utimensat(AT_FDCWD, "nope", omit2, 0));
	T("omit both bad flags", utimensat(AT_FDCWD, "nope", omit2, 0x1234));
	T("omit both bad dirfd", utimensat(9999, "f", omit2, 0));

	reset("f");
	NOW_CHECK("NULL times", "f", utimensat(AT_FDCWD, "f", NULL, 0));
	reset("f");
	struct timespec now2[2] = {{0, UTIME_NOW}, {0, UTIME_NOW}};
	NOW_CHECK("now now", "f", utimensat(AT_FDCWD, "f", now2, 0));
	reset("f");
	struct timespec now_omit[2] = {{7, UTIME_NOW}, {0, UTIME_OMIT}};
	NOW_CHECK("now omit", "f", utimensat(AT_FDCWD, "f", now_omit, 0));
	reset("f");
	struct timespec set_now[2] = {{300, 3}, {0, UTIME_NOW}};
	NOW_CHECK("time now", "f", utimensat(AT_FDCWD, "f", set_now, 0));
	printf("  f atime: %lld.%09ld\n", (long long)atime_of("f").tv_sec, atime_of("f").tv_nsec);

	/* Symlinks: followed unless AT_SYMLINK_NOFOLLOW. */
	reset("f");
	reset("link");
	struct timespec lts[2] = {{11, 0}, {22, 0}};
	T("follow link", utimensat(AT_FDCWD, "link", lts, 0));
	showtimes("  f", "f");
	/* Following the link read it: its atime moved, its mtime did not. */
	printf("  link mtime: %lld\n", (long long)mtime_of("link").tv_sec);
	struct timespec lts2[2] = {{33, 0}, {44, 0}};
	T("nofollow link", utimensat(AT_FDCWD, "link", lts2, AT_SYMLINK_NOFOLLOW));
	showtimes("  f", "f");
	showtimes("  link", "link");
	T("dir", utimensat(AT_FDCWD, "d", lts, 0));
	showtimes("  d", "d");

	/* A NULL path: the file dirfd is open on. */
	int fd = open("f", O_RDONLY);
	struct timespec fts[2] = {{55, 0}, {66, 0}};
	T("futimens", syscall(SYS_utimensat, fd, NULL, fts, 0));
	showtimes("  f", "f");
	T("futimens with flags", syscall(SYS_utimensat, fd, NULL, fts, AT_SYMLINK_NOFOLLOW));
	T("futimens AT_FDCWD", syscall(SYS_utimensat, AT_FDCWD, NULL, fts, 0));
	T("futimens bad fd", syscall(SYS_utimensat, 9999, NULL, fts, 0));
	int pfd = open("f", O_PATH);
	T("futimens O_PATH", syscall(SYS_utimensat, pfd, NULL, fts, 0));
	struct timespec ets[2] = {{77, 0}, {88, 0}};
	T("empty path O_PATH", syscall(SYS_utimensat, pfd, "", ets, AT_EMPTY_PATH));
	showtimes("  f", "f");
	T("empty path without flag", syscall(SYS_utimensat, pfd, "", ets, 0));
	int lfd = open("link", O_PATH | O_NOFOLLOW);
	struct timespec lts3[2] = {{99, 0}, {111, 0}};
	T("empty path on link", syscall(SYS_utimensat, lfd, "", lts3, AT_EMPTY_PATH));
	showtimes("  link", "link");
	showtimes("  f", "f");
	int dfd = open(".", O_RDONLY | O_DIRECTORY);
	T("relative to dirfd", utimensat(dfd, "f", ts, 0));
	showtimes("  f", "f");
	unlink("f");
	T("futimens unlinked", syscall(SYS_utimensat, fd, NULL, lts, 0));
	showfd("  fd", fd);

	/* Errors. */
	writefile("f", "data", 0644);
	struct timespec bad1[2] = {{0, 1000000000}, {0, 0}};
	struct timespec bad2[2] = {{0, 0}, {0, -1}};
	struct timespec bad3[2] = {{0, UTIME_OMIT}, {0, 1000000000}};
	T("nsec 1e9", utimensat(AT_FDCWD, "f", bad1, 0));
	T("nsec -1", utimensat(AT_FDCWD, "f", bad2, 0));
	T("omit and bad nsec", utimensat(AT_FDCWD, "f", bad3, 0));
	T("bad nsec missing file", utimensat(AT_FDCWD, "nope", bad1, 0));
	T("bad nsec bad flags", utimensat(AT_FDCWD, "f", bad1, 0x1234));
	T("bad flags", utimensat(AT_FDCWD, "f", ts, 0x1234));
	T("AT_SYMLINK_FOLLOW", utimensat(AT_FDCWD, "f", ts, AT_SYMLINK_FOLLOW));
	T("bad times pointer", syscall(SYS_utimensat, AT_FDCWD, "f", (void *)8, 0));
	T("bad path pointer", syscall(SYS_utimensat, AT_FDCWD, (void *)8, ts, 0));
	T("NULL path AT_FDCWD", syscall(SYS_utimensat, AT_FDCWD, NULL, NULL, 0));
	T("missing", utimensat(AT_FDCWD, "nope", ts, 0));
	T("not a dir", utimensat(AT_FDCWD, "f/x", ts, 0));
	T("empty", utimensat(AT_FDCWD, "", ts, 0));
	T("file dirfd", utimensat(fd, "x", ts, 0));
	close(fd);
	leave();
	return 0;
}
