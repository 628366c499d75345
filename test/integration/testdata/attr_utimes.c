/* The older time setters: utime (whole seconds), utimes and futimesat
 * (microseconds), their NULL times and their checks. */
#include "attr.h"
#include <sys/time.h>
#include <utime.h>

static void touched(const char *what, const char *path)
{
	struct stat st;
	lstat(path, &st);
	printf("%s: atime %s mtime %s\n", what, st.st_atim.tv_sec > 1000000 ? "now" : "old",
	       st.st_mtim.tv_sec > 1000000 ? "now" : "old");
}

int main(int argc, char **argv)
{
	enter(argv[1]);
	writefile("f", "data", 0644);
	mkdir("d", 0755);
	writefile("d/g", "data", 0644);
	symlink("f", "link");

	struct utimbuf ub = {12345, 67890};
	T("utime", syscall(SYS_utime, "f", &ub));
	showtimes("  f", "f");
	T("utime link follows", syscall(SYS_utime, "link", &ub));
	T("utime NULL times", syscall(SYS_utime, "f", NULL));
	touched("  f", "f");
	T("utime missing", syscall(SYS_utime, "nope", &ub));
	T("utime bad times", syscall(SYS_utime, "f", (void *)8));
	T("utime NULL path", syscall(SYS_utime, NULL, &ub));

	struct timeval tv[2] = {{111, 222333}, {444, 999999}};
	T("utimes", syscall(SYS_utimes, "f", tv));
	showtimes("  f", "f");
	struct timeval neg[2] = {{-5, 1}, {-6, 0}};
	T("utimes negative seconds", syscall(SYS_utimes, "f", neg));
	showtimes("  f", "f");
	struct timeval big[2] = {{1, 1000000}, {2, 0}};
	T("utimes usec 1e6", syscall(SYS_utimes, "f", big));
	struct timeval negusec[2] = {{1, 0}, {2, -1}};
	T("utimes usec -1", syscall(SYS_utimes, "f", negusec));
	struct timeval nowish[2] = {{1, UTIME_NOW}, {2, UTIME_OMIT}};
	T("utimes UTIME_NOW is not special", syscall(SYS_utimes, "f", nowish));
	T("utimes bad usec missing file", syscall(SYS_utimes, "nope", big));
	T("utimes NULL times", syscall(SYS_utimes, "f", NULL));
	touched("  f", "f");
	T("utimes missing", syscall(SYS_utimes, "nope", tv));
	T("utimes bad times", syscall(SYS_utimes, "f", (void *)8));

	int dfd = open("d", O_RDONLY | O_DIRECTORY);
	struct timeval tv2[2] = {{10, 20}, {30, 40}};
	T("futimesat relative", syscall(SYS_futimesat, dfd, "g", tv2));
	showtimes("  d/g", "d/g");
	int fd = open("f", O_RDONLY);
	struct timeval tv3[2] = {{50, 60}, {70, 80}};
	T("futimesat NULL path", syscall(SYS_futimesat, fd, NULL, tv3));
	showtimes("  f", "f");
	T("futimesat NULL path AT_FDCWD", syscall(SYS_futimesat, AT_FDCWD, NULL, tv3));
	int pfd = open("f", O_PATH);
	T("futimesat NULL path O_PATH", syscall(SYS_futimesat, pfd, NULL, tv3));
	T("futimesat bad dirfd", syscall(SYS_futimesat, 9999, "g", tv3));
	T("futimesat file dirfd", syscall(SYS_futimesat, fd, "g", tv3));
	T("futimesat bad usec", syscall(SYS_futimesat, dfd, "g", big));
	T("futimesat NULL times", syscall(SYS_futimesat, dfd, "g", NULL));
	touched("  d/g", "d/g");
	T("futimesat empty path", syscall(SYS_futimesat, dfd, "", tv3));
	close(fd);
	leave();
	return 0;
}
