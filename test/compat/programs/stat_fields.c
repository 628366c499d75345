/*
 * stat_fields: the deterministic fields of stat, lstat, fstat and
 * newfstatat: type and permission bits, size, link count, owner; the same
 * file stats the same through every call; AT_SYMLINK_NOFOLLOW and
 * AT_EMPTY_PATH; st_blksize is positive; unknown flags give EINVAL.
 */
#include "compat.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static void show(const char *what, const struct stat *st)
{
	const char *t = S_ISREG(st->st_mode) ? "regular" : S_ISDIR(st->st_mode) ? "directory"
		      : S_ISLNK(st->st_mode)  ? "symlink" : S_ISFIFO(st->st_mode) ? "fifo"
		      : S_ISCHR(st->st_mode)  ? "char" : "other";
	printf("%s: %s mode %04o size %ld nlink %ld uid %d gid %d\n", what, t, st->st_mode & 07777,
	       S_ISDIR(st->st_mode) ? 0L : (long)st->st_size, (long)st->st_nlink, st->st_uid, st->st_gid);
}

int main(void)
{
	compat_tmpdir();
	umask(0);
	int fd = open("f", O_CREAT | O_RDWR, 0640);
	write(fd, "twelve bytes", 12);
	mkdir("d", 0751);
	symlink("f", "l");
	mkfifo("p", 0600);
	link("f", "f2");
	struct stat st, st2;
	stat("f", &st);
	show("stat f", &st);
	fstat(fd, &st2);
	check("fstat == stat (ino, dev, mode, size)", st.st_ino == st2.st_ino && st.st_dev == st2.st_dev &&
						   st.st_mode == st2.st_mode && st.st_size == st2.st_size);
	check("st_blksize > 0", st.st_blksize > 0);
	stat("d", &st);
	show("stat d", &st);
	lstat("l", &st);
	show("lstat l", &st);
	stat("l", &st);
	show("stat l", &st);
	stat("p", &st);
	show("stat p", &st);
	stat("/dev/null", &st);
	show("stat /dev/null", &st);
	fstatat(AT_FDCWD, "l", &st, AT_SYMLINK_NOFOLLOW);
	show("fstatat l NOFOLLOW", &st);
	fstatat(fd, "", &st, AT_EMPTY_PATH);
	show("fstatat fd AT_EMPTY_PATH", &st);
	int dfd = open("d", O_RDONLY);
	CHECK_ERR("fstatat unknown flag", fstatat(dfd, ".", &st, 0x4), EINVAL);
	CHECK_ERR("stat missing", stat("none", &st), ENOENT);
	CHECK_ERR("fstat closed fd", fstat(99, &st), EBADF);
	CHECK_ERR("stat bad buffer", syscall(SYS_stat, "f", (void *)8), EFAULT);
	return compat_done();
}
