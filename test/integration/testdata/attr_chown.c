/* chown, fchown, lchown and fchownat as root: -1 keeps an ID, what happens
 * to the set-user-ID and set-group-ID bits, symlinks, AT_EMPTY_PATH, and the
 * errors. */
#include "attr.h"

static void mode_after(const char *what, mode_t mode, uid_t uid, gid_t gid)
{
	char label[128];
	chown("f", 0, 0);
	chmod("f", mode);
	snprintf(label, sizeof label, "%s %04o -> %d:%d", what, mode, (int)uid, (int)gid);
	T(label, syscall(SYS_chown, "f", uid, gid));
	show("  f", "f");
}

int main(int argc, char **argv)
{
	enter(argv[1]);
	writefile("f", "data", 0644);
	mkdir("d", 0755);
	symlink("f", "link");
	mknod("fifo", S_IFIFO | 0644, 0);

	T("chown 1000:1001", syscall(SYS_chown, "f", 1000, 1001));
	show("f", "f");
	T("chown -1:2000", syscall(SYS_chown, "f", -1, 2000));
	show("f", "f");
	T("chown 3000:-1", syscall(SYS_chown, "f", 3000, -1));
	show("f", "f");
	T("chown -1:-1", syscall(SYS_chown, "f", -1, -1));
	show("f", "f");
	T("chown 0:0", syscall(SYS_chown, "f", 0, 0));
	show("f", "f");

	/* Set-ID bits: S_ISUID always goes from a non-directory, S_ISGID only
	 * with group execute, even for root and even when nothing changes. */
	mode_after("suid", 04755, 1, -1);
	mode_after("suid", 04755, -1, -1);
	mode_after("sgid gx", 02755, -1, 5);
	mode_after("sgid no gx", 02745, -1, 5);
	mode_after("both", 06755, 0, 0);
	mode_after("both no gx", 06745, 7, 7);
	mode_after("sticky", 01755, 7, 7);
	mode_after("suid no x", 04644, 2, 2);
	T("chmod dir set-ID", syscall(SYS_chmod, "d", 06755));
	T("chown dir", syscall(SYS_chown, "d", 10, 10));
	show("d", "d");
	T("chmod fifo set-ID", syscall(SYS_chmod, "fifo", 06755));
	T("chown fifo", syscall(SYS_chown, "fifo", 10, 10));
	show("fifo", "fifo");

	/* Links: chown follows, lchown and AT_SYMLINK_NOFOLLOW do not. */
	T("chown through link", syscall(SYS_chown, "link", 20, 21));
	show("f", "f");
	show("link", "link");
	T("lchown link", syscall(SYS_lchown, "link", 30, 31));
	show("f", "f");
	show("link", "link");
	T("lchown regular", syscall(SYS_lchown, "f", 40, 41));
	show("f", "f");
	int dfd = open(".", O_RDONLY | O_DIRECTORY);
	T("fchownat nofollow", syscall(SYS_fchownat, dfd, "link", 50, 51, AT_SYMLINK_NOFOLLOW));
	show("f", "f");
	show("link", "link");
	T("fchownat follow", syscall(SYS_fchownat, dfd, "link", 60, 61, 0));
	show("f", "f");
	T("fchownat bad flags", syscall(SYS_fchownat, dfd, "f", 0, 0, 0x1));
	T("fchownat AT_SYMLINK_FOLLOW", syscall(SYS_fchownat, dfd, "f", 0, 0, AT_SYMLINK_FOLLOW));
	T("fchownat empty no flag", syscall(SYS_fchownat, dfd, "", 0, 0, 0));
	T("fchownat empty dir", syscall(SYS_fchownat, dfd, "", 70, 71, AT_EMPTY_PATH));
	show("dot", ".");
	int lfd = open("link", O_PATH | O_NOFOLLOW);
	T("fchownat empty on link", syscall(SYS_fchownat, lfd, "", 80, 81, AT_EMPTY_PATH));
	show("link", "link");
	show("f", "f");
	int pfd = open("f", O_PATH);
	T("fchownat empty O_PATH", syscall(SYS_fchownat, pfd, "", 90, 91, AT_EMPTY_PATH));
	show("f", "f");
	T("fchownat bad dirfd", syscall(SYS_fchownat, 9999, "f", 0, 0, 0));
	T("fchownat missing", syscall(SYS_fchownat, dfd, "nope", 0, 0, 0));
	T("chown dangling", syscall(SYS_chown, "nope/x", 0, 0));
	T("chown NULL", syscall(SYS_chown, NULL, 0, 0));
	T("lchown empty", syscall(SYS_lchown, "", 0, 0));

	int fd = open("f", O_RDONLY);
	chmod("f", 06755);
	T("fchown read-only fd", syscall(SYS_fchown, fd, 100, 101));
	showfd("fd", fd);
	T("fchown O_PATH", syscall(SYS_fchown, pfd, 0, 0));
	T("fchown bad fd", syscall(SYS_fchown, 9999, 0, 0));
	T("fchown dir", syscall(SYS_fchown, dfd, 0, 0));
	show("dot", ".");
	T("fchown high ids", syscall(SYS_fchown, fd, 0xfffffffe, 0xfffffffe));
	showfd("fd", fd);
	close(fd);
	leave();
	return 0;
}
