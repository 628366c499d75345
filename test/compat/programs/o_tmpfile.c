/*
 * o_tmpfile: O_TMPFILE makes an unnamed regular file in a directory
 * (nlink 0, not listed); it can be written, then given a name with linkat
 * through /proc/self/fd; O_TMPFILE|O_EXCL files cannot be linked
 * (ENOENT); O_TMPFILE needs write access mode (EINVAL for O_RDONLY) and a
 * directory (ENOTDIR).
 */
#include "compat.h"
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

static int entries(void)
{
	int n = 0;
	DIR *d = opendir(".");
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

int main(void)
{
	compat_tmpdir();
	umask(022);
	int fd = open(".", O_TMPFILE | O_RDWR, 0640);
	check("open O_TMPFILE", fd >= 0);
	struct stat st;
	check("regular, nlink 0, mode 0640", fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_nlink == 0 &&
						    (st.st_mode & 07777) == 0640);
	CHECK_RET("directory has only . and ..", entries(), 2);
	CHECK_RET("write", write(fd, "anon", 4), 4);
	char p[64];
	snprintf(p, sizeof p, "/proc/self/fd/%d", fd);
	CHECK_RET("linkat through /proc/self/fd", linkat(AT_FDCWD, p, AT_FDCWD, "named", AT_SYMLINK_FOLLOW), 0);
	check("named: 4 bytes, nlink 1", stat("named", &st) == 0 && st.st_size == 4 && st.st_nlink == 1);
	CHECK_RET("linkat AT_EMPTY_PATH", linkat(fd, "", AT_FDCWD, "named2", AT_EMPTY_PATH), 0);
	int ex = open(".", O_TMPFILE | O_WRONLY | O_EXCL, 0600);
	check("O_TMPFILE|O_EXCL", ex >= 0);
	snprintf(p, sizeof p, "/proc/self/fd/%d", ex);
	CHECK_ERR("cannot be linked", linkat(AT_FDCWD, p, AT_FDCWD, "never", AT_SYMLINK_FOLLOW), ENOENT);
	CHECK_ERR("O_TMPFILE|O_RDONLY", open(".", O_TMPFILE | O_RDONLY, 0600), EINVAL);
	CHECK_ERR("O_TMPFILE on a file", open("named", O_TMPFILE | O_RDWR, 0600), ENOTDIR);
	CHECK_ERR("O_TMPFILE in a missing directory", open("none", O_TMPFILE | O_RDWR, 0600), ENOENT);
	return compat_done();
}
