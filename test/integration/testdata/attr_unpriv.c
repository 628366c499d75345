/* The permission rules of chmod, chown, utimensat, truncate and mlock for a
 * user without capabilities: uid 1000, gid 1000, groups 1000 and 1001. The
 * files are made as root; the program then drops to that user (keeping
 * root as its saved user ID, to clean up) and tries each call. */
#include "attr.h"
#include <grp.h>
#include <sys/mman.h>
#include <sys/resource.h>

static void mk(const char *path, uid_t uid, gid_t gid, mode_t mode)
{
	writefile(path, "data", 0600);
	if (chown(path, uid, gid) < 0 || chmod(path, mode) < 0) {
		printf("mk %s: %s\n", path, ename(errno));
		exit(2);
	}
}

/* as_root runs the next few lines with root's capabilities back. */
static int as_root(void) { return syscall(SYS_setresuid, -1, 0, -1); }
static int as_user(void) { return syscall(SYS_setresuid, 1000, 1000, 0); }

int main(int argc, char **argv)
{
	(void)argc;
	enter(argv[1]);
	chmod(".", 0777);
	mk("own", 1000, 1000, 0644);
	mk("own_g3000", 1000, 3000, 0644);
	mk("other", 2000, 2000, 0666);
	mk("other_ro", 2000, 2000, 0644);
	mk("own_suid", 1000, 1000, 04755);
	mk("own_sgid_gx", 1000, 1000, 02755);
	mk("own_sgid", 1000, 1000, 02745);
	mk("own_g3000_sgid", 1000, 3000, 02745);
	mk("own_both", 1000, 1000, 06745);
	mk("other_suid", 2000, 2000, 04755);
	mk("t_other_suid", 2000, 2000, 04766);
	mk("t_other_sgid_gx", 2000, 2000, 02776);
	mk("t_other_sgid", 2000, 2000, 02766);
	mk("t_own_sgid", 1000, 1000, 02764);
	mk("ft_other_suid", 2000, 2000, 04766);
	symlink("own", "link");
	lchown("link", 1000, 1000);

	gid_t groups[] = {1000, 1001};
	errno = 0;
	if (setgroups(2, groups) < 0 || syscall(SYS_setresgid, 1000, 1000, 1000) < 0 || as_user() < 0) {
		printf("setup: %s\n", ename(errno));
		as_root();
		leave();
		return 0;
	}
	printf("ids: %d %d\n", (int)geteuid(), (int)getegid());

	/* chmod: the owner only; S_ISGID only within one's groups. */
	T("chmod own", chmod("own", 0640));
	show("  own", "own");
	T("chmod own suid", chmod("own", 04755));
	T("chmod own sgid", chmod("own", 02755));
	show("  own", "own");
	T("chmod own in foreign group sgid", chmod("own_g3000", 02755));
	show("  own_g3000", "own_g3000");
	T("chmod other", chmod("other", 0777));
	T("fchmodat2 link nofollow", syscall(SYS_fchmodat2, AT_FDCWD, "link", 0644, AT_SYMLINK_NOFOLLOW));
	int fd = open("other", O_RDWR);
	T("fchmod other writable fd", fchmod(fd, 0777));
	close(fd);

	/* chown: no giving away; groups the owner is in. */
	T("chown own to 2000", chown("own", 2000, -1));
	T("chown own to self", chown("own", 1000, -1));
	T("chown own group 1001", chown("own", -1, 1001));
	show("  own", "own");
	T("chown own group 3000", chown("own", -1, 3000));
	T("chown own group 1000 and uid self", chown("own", 1000, 1000));
	show("  own", "own");
	T("chown other group 1000", chown("other", -1, 1000));
	T("chown other -1 -1", chown("other", -1, -1));
	T("chown other suid -1 -1", chown("other_suid", -1, -1));
	show("  other_suid", "other_suid");
	T("chown own suid -1 -1", chown("own_suid", -1, -1));
	show("  own_suid", "own_suid");
	T("chgrp own sgid gx", chown("own_sgid_gx", -1, 1001));
	show("  own_sgid_gx", "own_sgid_gx");
	T("chgrp own sgid no gx", chown("own_sgid", -1, 1001));
	show("  own_sgid", "own_sgid");
	T("chgrp own sgid foreign group", chown("own_g3000_sgid", -1, 1001));
	show("  own_g3000_sgid", "own_g3000_sgid");
	T("chgrp own both no gx", chown("own_both", -1, 1001));
	show("  own_both", "own_both");
	T("lchown link", lchown("link", -1, 1001));
	show("  link", "link");

	/* utimensat: now needs write access or ownership, a time ownership. */
	struct timespec now2[2] = {{0, UTIME_NOW}, {0, UTIME_NOW}};
	struct timespec now_omit[2] = {{0, UTIME_NOW}, {0, UTIME_OMIT}};
	struct timespec some[2] = {{1000, 0}, {2000, 0}};
	struct timespec omit2[2] = {{0, UTIME_OMIT}, {0, UTIME_OMIT}};
	T("utimensat other NULL", utimensat(AT_FDCWD, "other", NULL, 0));
	T("utimensat other now now", utimensat(AT_FDCWD, "other", now2, 0));
	T("utimensat other now omit", utimensat(AT_FDCWD, "other", now_omit, 0));
	T("utimensat other times", utimensat(AT_FDCWD, "other", some, 0));
	T("utimensat other omit omit", utimensat(AT_FDCWD, "other", omit2, 0));
	T("utimensat other_ro NULL", utimensat(AT_FDCWD, "other_ro", NULL, 0));
	T("utimensat other_ro times", utimensat(AT_FDCWD, "other_ro", some, 0));
	T("utimensat own times", utimensat(AT_FDCWD, "own", some, 0));
	showtimes("  own", "own");
	T("utime other_ro NULL", syscall(SYS_utime, "other_ro", NULL));
	T("utimes other NULL", syscall(SYS_utimes, "other", NULL));
	fd = open("other", O_RDONLY);
	T("futimens other read-only fd", futimens(fd, NULL));
	close(fd);

	/* truncate: write access; set-ID bits go without CAP_FSETID. */
	T("truncate other_ro", truncate("other_ro", 0));
	T("truncate other suid", truncate("t_other_suid", 1));
	show("  t_other_suid", "t_other_suid");
	T("truncate other sgid gx", truncate("t_other_sgid_gx", 1));
	show("  t_other_sgid_gx", "t_other_sgid_gx");
	T("truncate other sgid foreign", truncate("t_other_sgid", 1));
	show("  t_other_sgid", "t_other_sgid");
	T("truncate own sgid in group", truncate("t_own_sgid", 1));
	show("  t_own_sgid", "t_own_sgid");
	fd = open("ft_other_suid", O_WRONLY);
	T("ftruncate other suid", ftruncate(fd, 2));
	showfd("  ft_other_suid", fd);
	close(fd);

	/* mlock: RLIMIT_MEMLOCK without CAP_IPC_LOCK. */
	char *p = mmap(NULL, 4 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct rlimit one = {4096, 4096}, none = {0, 0};
	setrlimit(RLIMIT_MEMLOCK, &one);
	T("mlock one page", mlock(p, 4096));
	T("munlock one page", munlock(p, 4096));
	T("mlock two pages", mlock(p, 2 * 4096));
	T("mlock2 two pages", syscall(SYS_mlock2, p, 2 * 4096, 0));
	T("mlock straddling", mlock(p + 4000, 200));
	T("mlockall current", mlockall(MCL_CURRENT));
	T("mlockall future", mlockall(MCL_FUTURE));
	T("munlockall", munlockall());
	setrlimit(RLIMIT_MEMLOCK, &none);
	T("mlock without limit", mlock(p, 4096));
	T("mlockall without limit", mlockall(MCL_FUTURE));
	T("munlock without limit", munlock(p, 4096));

	as_root();
	leave();
	return 0;
}
