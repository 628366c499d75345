/*
 * chmod_umask: umask returns the old mask and applies to open, mkdir,
 * mkfifo and mknod; chmod, fchmod and fchmodat set all 12 bits; chmod of
 * a symlink changes its target; fchmodat AT_SYMLINK_NOFOLLOW on a symlink
 * is EOPNOTSUPP; file type bits in the mode are ignored.
 */
#include "compat.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452
#endif

static int mode(const char *p)
{
	struct stat st;
	return lstat(p, &st) == 0 ? (int)(st.st_mode & 07777) : -1;
}

int main(void)
{
	compat_tmpdir();
	umask(0);
	printf("umask(027) returns the old mask: %04o\n", umask(027));
	printf("umask(027) again returns: %04o\n", umask(027));
	close(open("f", O_CREAT | O_WRONLY, 0666));
	mkdir("d", 0777);
	mkfifo("p", 0666);
	mknod("n", S_IFREG | 0666, 0);
	printf("f %04o d %04o p %04o n %04o\n", mode("f"), mode("d"), mode("p"), mode("n"));
	umask(022);
	CHECK_RET("chmod 04755", chmod("f", 04755), 0);
	printf("f %04o\n", mode("f"));
	CHECK_RET("chmod 07777", chmod("f", 07777), 0);
	printf("f %04o\n", mode("f"));
	CHECK_RET("chmod with type bits S_IFDIR|0600", chmod("f", S_IFDIR | 0600), 0);
	struct stat st;
	check("still a regular file, mode 0600", stat("f", &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 07777) == 0600);
	int fd = open("f", O_RDONLY);
	CHECK_RET("fchmod 0444 (read-only fd)", fchmod(fd, 0444), 0);
	printf("f %04o\n", mode("f"));
	CHECK_RET("fchmodat 0640", fchmodat(AT_FDCWD, "f", 0640, 0), 0);
	printf("f %04o\n", mode("f"));
	symlink("f", "l");
	CHECK_RET("chmod through a symlink", chmod("l", 0604), 0);
	printf("f %04o l %04o\n", mode("f"), mode("l"));
	CHECK_ERR("fchmodat2 AT_SYMLINK_NOFOLLOW on the symlink",
		  syscall(SYS_fchmodat2, AT_FDCWD, "l", 0600, AT_SYMLINK_NOFOLLOW), EOPNOTSUPP);
	CHECK_RET("fchmodat2 AT_SYMLINK_NOFOLLOW on a file",
		  syscall(SYS_fchmodat2, AT_FDCWD, "f", 0660, AT_SYMLINK_NOFOLLOW), 0);
	printf("f %04o\n", mode("f"));
	CHECK_ERR("fchmodat unknown flag", syscall(SYS_fchmodat2, AT_FDCWD, "f", 0600, 0x1), EINVAL);
	CHECK_ERR("chmod missing", chmod("none", 0600), ENOENT);
	CHECK_ERR("fchmod closed fd", fchmod(99, 0600), EBADF);
	CHECK_RET("chmod a directory 01777", chmod("d", 01777), 0);
	printf("d %04o\n", mode("d"));
	return compat_done();
}
