/* On a read-only mount (argv[1], holding f, sub/ and link -> f, as
 * attr_lower's tree) every change fails with EROFS, checked before who may
 * make it; reading, and calls that change nothing, still work. */
#include "attr.h"
#include <linux/falloc.h>

int main(int argc, char **argv)
{
	if (chdir(argv[1]) < 0) {
		printf("chdir: %s\n", ename(errno));
		return 2;
	}
	struct timespec ts[2] = {{5, 0}, {6, 0}};
	struct timespec omit2[2] = {{0, UTIME_OMIT}, {0, UTIME_OMIT}};
	T("chmod", chmod("f", 0600));
	T("chmod dir", chmod("sub", 0700));
	T("fchmodat2 link nofollow", syscall(SYS_fchmodat2, AT_FDCWD, "link", 0600, AT_SYMLINK_NOFOLLOW));
	T("chown", chown("f", 1, 1));
	T("chown -1 -1", chown("f", -1, -1));
	T("lchown", lchown("link", 1, 1));
	T("utimensat", utimensat(AT_FDCWD, "f", ts, 0));
	T("utimensat NULL", utimensat(AT_FDCWD, "f", NULL, 0));
	T("utimensat omit omit", utimensat(AT_FDCWD, "f", omit2, 0));
	struct timespec bad[2] = {{0, -1}, {0, 0}};
	T("utimensat bad nsec", utimensat(AT_FDCWD, "f", bad, 0));
	T("truncate", truncate("f", 0));
	T("truncate dir", truncate("sub", 0));
	T("truncate missing", truncate("nope", 0));
	T("open for writing", open("f", O_WRONLY));
	int fd = open("f", O_RDONLY);
	T("fchmod", fchmod(fd, 0600));
	T("fchown", fchown(fd, 1, 1));
	T("futimens", futimens(fd, ts));
	T("ftruncate", ftruncate(fd, 0));
	T("fallocate", fallocate(fd, 0, 0, 1));
	T("fsync", fsync(fd));
	T("fdatasync", fdatasync(fd));
	T("syncfs", syncfs(fd));
	T("fadvise", posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED));
	close(fd);
	show("f", "f");
	showdata("f", "f");
	return 0;
}
