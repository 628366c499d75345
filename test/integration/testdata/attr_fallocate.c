/* fallocate: allocation with and without FALLOC_FL_KEEP_SIZE, hole
 * punching, zeroing (which tmpfs lacks and disk filesystems have), and the
 * checks in Linux's order. Also posix_fadvise's. */
#include "attr.h"
#include <linux/falloc.h>

int main(int argc, char **argv)
{
	enter(argv[1]);
	writefile("f", "abcdefghijklmnopqrstuvwxyz", 0644);
	mkdir("d", 0755);
	int fd = open("f", O_RDWR);

	T("allocate inside", fallocate(fd, 0, 0, 10));
	showdata("  f", "f");
	T("allocate past the end", fallocate(fd, 0, 20, 20));
	showdata("  f", "f");
	T("keep size past the end", fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, 100));
	showdata("  f", "f");
	T("punch hole", fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 2, 3));
	showdata("  f", "f");
	T("punch hole past the end", fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 30, 100));
	showdata("  f", "f");
	T("punch hole without keep size", fallocate(fd, FALLOC_FL_PUNCH_HOLE, 2, 3));
	errno = 0;
	int r = fallocate(fd, FALLOC_FL_ZERO_RANGE, 6, 2);
	printf("zero range: %s\n", r == 0 ? "0" : ename(errno));
	if (r == 0) {
		showdata("  f", "f");
		T("zero range past the end", fallocate(fd, FALLOC_FL_ZERO_RANGE, 40, 8));
		showdata("  f", "f");
		T("zero range keep size", fallocate(fd, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, 44, 100));
		showdata("  f", "f");
	}

	T("length zero", fallocate(fd, 0, 0, 0));
	T("length negative", fallocate(fd, 0, 0, -1));
	T("offset negative", fallocate(fd, 0, -1, 1));
	T("offset negative bad mode", fallocate(fd, 0x100, -1, 1));
	T("unknown mode bit", fallocate(fd, 0x100, 0, 1));
	T("no hide stale", fallocate(fd, FALLOC_FL_NO_HIDE_STALE, 0, 1));
	T("punch and zero", fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, 0, 1));
	T("collapse keep size", fallocate(fd, FALLOC_FL_COLLAPSE_RANGE | FALLOC_FL_KEEP_SIZE, 0, 4096));
	T("insert keep size", fallocate(fd, FALLOC_FL_INSERT_RANGE | FALLOC_FL_KEEP_SIZE, 0, 4096));
	T("overflow", fallocate(fd, 0, 0x7fffffffffffff00LL, 0x1000));
	T("bad fd", fallocate(9999, 0, 0, 1));
	T("bad fd bad args", fallocate(9999, 0x100, -1, 0));
	int ro = open("f", O_RDONLY);
	T("read-only", fallocate(ro, 0, 0, 1));
	T("read-only bad mode", fallocate(ro, 0x100, 0, 1));
	T("read-only bad length", fallocate(ro, 0, 0, 0));
	int pfd = open("f", O_PATH);
	T("O_PATH", fallocate(pfd, 0, 0, 1));
	int dfd = open("d", O_RDONLY);
	T("directory", fallocate(dfd, 0, 0, 1));
	int nfd = open("/dev/null", O_WRONLY);
	T("/dev/null", fallocate(nfd, 0, 0, 1));
	T("/dev/null bad length", fallocate(nfd, 0, 0, 0));
	struct stat st;
	fflush(stdout);
	if (fstat(1, &st) == 0 && S_ISFIFO(st.st_mode)) {
		T("stdout pipe", fallocate(1, 0, 0, 1));
		T("stdout pipe fadvise", syscall(SYS_fadvise64, 1, 0, 0, POSIX_FADV_NORMAL));
		T("stdout pipe fadvise bad advice", syscall(SYS_fadvise64, 1, 0, 0, 99));
	}
	int afd = open("f", O_WRONLY | O_APPEND);
	T("O_APPEND", fallocate(afd, FALLOC_FL_KEEP_SIZE, 0, 1));

	/* posix_fadvise: checked, then only a hint. */
	for (int adv = 0; adv <= 6; adv++) {
		char what[64];
		snprintf(what, sizeof what, "fadvise %d", adv);
		T(what, syscall(SYS_fadvise64, fd, 0, 0, adv));
	}
	T("fadvise negative advice", syscall(SYS_fadvise64, fd, 0, 0, -1));
	T("fadvise negative length", syscall(SYS_fadvise64, fd, 0L, -1L, POSIX_FADV_NORMAL));
	T("fadvise negative offset", syscall(SYS_fadvise64, fd, -5L, 10L, POSIX_FADV_NORMAL));
	T("fadvise huge range", syscall(SYS_fadvise64, fd, 0x7fffffffffffffffLL, 0x7fffffffffffffffLL, POSIX_FADV_WILLNEED));
	T("fadvise read-only", syscall(SYS_fadvise64, ro, 0, 0, POSIX_FADV_DONTNEED));
	T("fadvise directory", syscall(SYS_fadvise64, dfd, 0, 0, POSIX_FADV_SEQUENTIAL));
	T("fadvise /dev/null", syscall(SYS_fadvise64, nfd, 0, 0, POSIX_FADV_RANDOM));
	T("fadvise O_PATH", syscall(SYS_fadvise64, pfd, 0, 0, POSIX_FADV_NORMAL));
	T("fadvise bad fd", syscall(SYS_fadvise64, 9999, 0, 0, POSIX_FADV_NORMAL));
	T("fadvise bad fd bad advice", syscall(SYS_fadvise64, 9999, 0, 0, 99));
	showdata("  f", "f");
	leave();
	return 0;
}
