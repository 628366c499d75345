/* Changes to files that already exist in argv[1] (on the host: inside moat,
 * the read-only lower layer under the in-memory one): write, chmod, chown,
 * utimensat, truncate and fallocate on files, a directory and a symlink,
 * each seen back through stat and read. The test made the tree:
 *   f (0644, "lower data\n"), suid (04755), sub/ (0755) with sub/g, link -> f,
 * every file with mtime 1000000000. */
#include "attr.h"
#include <linux/falloc.h>

static void mtime(const char *what, const char *path)
{
	struct stat st;
	lstat(path, &st);
	printf("%s: mtime %lld\n", what, (long long)st.st_mtim.tv_sec);
}

int main(int argc, char **argv)
{
	if (chdir(argv[1]) < 0) {
		printf("chdir: %s\n", ename(errno));
		return 2;
	}
	show("f", "f");
	mtime("f", "f");
	showdata("f", "f");

	int fd = open("f", O_WRONLY);
	T("pwrite", pwrite(fd, "UPPER", 5, 0));
	close(fd);
	showdata("f after write", "f");
	T("chmod", chmod("f", 0600));
	show("f after chmod", "f");
	T("truncate", truncate("f", 7));
	showdata("f after truncate", "f");
	T("chown", chown("f", 123, 456));
	show("f after chown", "f");
	struct timespec ts[2] = {{5, 0}, {6, 0}};
	T("utimensat", utimensat(AT_FDCWD, "f", ts, 0));
	mtime("f after utimensat", "f");

	/* Each change alone copies the file up with its data. */
	T("chmod suid", chmod("suid", 0700));
	show("suid", "suid");
	showdata("suid", "suid");
	T("chown suid", chown("suid", 1, 1));
	show("suid", "suid");
	T("utimensat sub/g", utimensat(AT_FDCWD, "sub/g", ts, 0));
	mtime("sub/g", "sub/g");
	showdata("sub/g", "sub/g");
	show("sub", "sub");
	T("chmod sub", chmod("sub", 0700));
	show("sub", "sub");
	mtime("sub", "sub");
	T("chown sub", chown("sub", 7, 8));
	show("sub", "sub");
	T("utimensat sub", utimensat(AT_FDCWD, "sub", ts, 0));
	mtime("sub", "sub");

	/* The symlink itself, and through it. */
	T("lchown link", lchown("link", 9, 9));
	show("link", "link");
	T("utimensat link nofollow", utimensat(AT_FDCWD, "link", ts, AT_SYMLINK_NOFOLLOW));
	mtime("link", "link");
	T("fchmodat2 link nofollow", syscall(SYS_fchmodat2, AT_FDCWD, "link", 0600, AT_SYMLINK_NOFOLLOW));
	T("chmod through link", chmod("link", 0640));
	show("f", "f");

	/* Through descriptors opened for writing. */
	fd = open("sub/g", O_RDWR);
	T("ftruncate", ftruncate(fd, 3));
	T("fallocate", fallocate(fd, 0, 0, 10));
	T("punch hole", fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 1, 1));
	T("fchmod", fchmod(fd, 0604));
	T("fchown", fchown(fd, 3, 4));
	T("futimens", futimens(fd, ts));
	T("fsync", fsync(fd));
	T("fdatasync", fdatasync(fd));
	showfd("sub/g fd", fd);
	close(fd);
	showdata("sub/g", "sub/g");
	show("sub/g", "sub/g");
	mtime("sub/g", "sub/g");

	/* New names next to the old ones. */
	writefile("new", "new", 0644);
	T("chmod new", chmod("new", 0444));
	show("new", "new");
	return 0;
}
