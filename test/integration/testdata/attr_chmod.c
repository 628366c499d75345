/* chmod, fchmod, fchmodat and fchmodat2 as root: which bits a mode keeps,
 * symlinks, AT_SYMLINK_NOFOLLOW and AT_EMPTY_PATH, and the errors. */
#include "attr.h"

int main(int argc, char **argv)
{
	enter(argv[1]);
	writefile("f", "data", 0644);
	mkdir("d", 0755);
	symlink("f", "link");
	symlink("missing", "dangling");

	T("chmod 0600", syscall(SYS_chmod, "f", 0600));
	show("f", "f");
	T("chmod all bits", syscall(SYS_chmod, "f", 07777));
	show("f", "f");
	T("chmod type bits ignored", syscall(SYS_chmod, "f", S_IFDIR | 0640));
	show("f", "f");
	T("chmod high bits ignored", syscall(SYS_chmod, "f", 0xfff0000 | 0604));
	show("f", "f");
	T("chmod dir sticky setgid", syscall(SYS_chmod, "d", 03775));
	show("d", "d");
	T("chmod follows link", syscall(SYS_chmod, "link", 0640));
	show("f", "f");
	show("link", "link");
	T("chmod dangling", syscall(SYS_chmod, "dangling", 0640));
	T("chmod missing", syscall(SYS_chmod, "nope", 0640));
	T("chmod empty", syscall(SYS_chmod, "", 0640));
	T("chmod NULL", syscall(SYS_chmod, NULL, 0640));
	T("chmod through file", syscall(SYS_chmod, "f/x", 0640));
	T("chmod trailing slash on file", syscall(SYS_chmod, "f/", 0640));
	T("chmod trailing slash on dir", syscall(SYS_chmod, "d/", 0750));
	show("d", "d");

	int dfd = open(".", O_RDONLY | O_DIRECTORY);
	T("fchmodat", syscall(SYS_fchmodat, dfd, "f", 0611));
	show("f", "f");
	char abs[4200];
	snprintf(abs, sizeof abs, "%s/f", attr_dir);
	T("fchmodat abs ignores dirfd", syscall(SYS_fchmodat, 9999, abs, 0615));
	show("f", "f");
	T("fchmodat bad dirfd", syscall(SYS_fchmodat, 9999, "f", 0611));
	T("fchmodat file dirfd", syscall(SYS_fchmodat, open("f", O_RDONLY), "x", 0611));
	T("fchmodat flags are not read", syscall(SYS_fchmodat, dfd, "f", 0644, 0xffff));
	show("f", "f");

	T("fchmodat2 nofollow regular", syscall(SYS_fchmodat2, dfd, "f", 0640, AT_SYMLINK_NOFOLLOW));
	show("f", "f");
	T("fchmodat2 nofollow link", syscall(SYS_fchmodat2, dfd, "link", 0600, AT_SYMLINK_NOFOLLOW));
	show("f", "f");
	T("fchmodat2 follow link", syscall(SYS_fchmodat2, dfd, "link", 0604, 0));
	show("f", "f");
	T("fchmodat2 bad flags", syscall(SYS_fchmodat2, dfd, "f", 0600, 0x8000));
	T("fchmodat2 bad flags missing", syscall(SYS_fchmodat2, dfd, "nope", 0600, 0x8000));
	T("fchmodat2 empty path no flag", syscall(SYS_fchmodat2, dfd, "", 0700, 0));
	T("fchmodat2 empty path dir", syscall(SYS_fchmodat2, dfd, "", 0711, AT_EMPTY_PATH));
	show("dot", ".");
	int pfd = open("f", O_PATH);
	T("fchmodat2 empty path O_PATH", syscall(SYS_fchmodat2, pfd, "", 0620, AT_EMPTY_PATH));
	show("f", "f");
	int lfd = open("link", O_PATH | O_NOFOLLOW);
	T("fchmodat2 empty path on link", syscall(SYS_fchmodat2, lfd, "", 0620, AT_EMPTY_PATH));
	chdir("d");
	T("fchmodat2 cwd empty path", syscall(SYS_fchmodat2, AT_FDCWD, "", 0750, AT_EMPTY_PATH));
	chdir("..");
	show("d", "d");

	int fd = open("f", O_RDONLY);
	T("fchmod read-only fd", syscall(SYS_fchmod, fd, 04755));
	showfd("fd", fd);
	show("f", "f");
	T("fchmod O_PATH", syscall(SYS_fchmod, pfd, 0644));
	T("fchmod bad fd", syscall(SYS_fchmod, 9999, 0644));
	T("fchmod -1", syscall(SYS_fchmod, -1, 0644));
	T("fchmod dir fd", syscall(SYS_fchmod, dfd, 0755));
	show("dot", ".");
	unlink("f");
	T("fchmod unlinked", syscall(SYS_fchmod, fd, 0600));
	showfd("unlinked fd", fd);
	close(fd);
	leave();
	return 0;
}
