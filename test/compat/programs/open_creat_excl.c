/*
 * open_creat_excl: O_CREAT makes a regular file with the mode less the
 * umask; O_CREAT on an existing file opens it; O_CREAT|O_EXCL fails with
 * EEXIST on a file, a directory and a dangling symlink (which it does not
 * follow; open_creat_dangling covers O_CREAT alone there); missing files without O_CREAT give ENOENT; creat() truncates.
 */
#include "compat.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

int main(void)
{
	compat_tmpdir();
	umask(022);
	struct stat st;
	int fd = open("f", O_CREAT | O_WRONLY, 0666);
	check("O_CREAT makes a file", fd >= 0);
	check("fstat: regular, mode 0644 (0666 less umask 022)",
	      fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 07777) == 0644);
	check("new file is empty", st.st_size == 0);
	CHECK_RET("write", write(fd, "hello", 5), 5);
	close(fd);

	umask(077);
	fd = open("g", O_CREAT | O_RDWR, 0777);
	check("umask 077: mode 0700", fd >= 0 && fstat(fd, &st) == 0 && (st.st_mode & 07777) == 0700);
	close(fd);
	umask(0);
	fd = open("h", O_CREAT | O_RDWR, 04755);
	check("umask 0: mode 04755 kept", fd >= 0 && fstat(fd, &st) == 0 && (st.st_mode & 07777) == 04755);
	close(fd);
	umask(022);

	fd = open("f", O_CREAT | O_RDONLY, 0600);
	check("O_CREAT on an existing file opens it", fd >= 0);
	check("existing file keeps size and mode",
	      fstat(fd, &st) == 0 && st.st_size == 5 && (st.st_mode & 07777) == 0644);
	close(fd);

	CHECK_ERR("O_CREAT|O_EXCL on a file", open("f", O_CREAT | O_EXCL | O_WRONLY, 0644), EEXIST);
	mkdir("d", 0755);
	CHECK_ERR("O_CREAT|O_EXCL on a directory", open("d", O_CREAT | O_EXCL | O_WRONLY, 0644), EEXIST);
	CHECK_ERR("O_CREAT on a directory", open("d", O_CREAT | O_WRONLY, 0644), EISDIR);
	symlink("nowhere", "dangling");
	CHECK_ERR("O_CREAT|O_EXCL on a dangling symlink", open("dangling", O_CREAT | O_EXCL | O_WRONLY, 0644), EEXIST);
	check("the symlink's target was not created", access("nowhere", F_OK) == -1 && errno == ENOENT);
	CHECK_ERR("open of a missing file", open("missing", O_RDONLY), ENOENT);
	CHECK_ERR("O_CREAT in a missing directory", open("nodir/f", O_CREAT | O_WRONLY, 0644), ENOENT);
	CHECK_ERR("O_EXCL alone on a missing file", open("missing", O_EXCL | O_RDONLY), ENOENT);

	fd = creat("f", 0600);
	check("creat() of an existing file truncates it", fd >= 0 && fstat(fd, &st) == 0 && st.st_size == 0);
	CHECK_ERR("creat() fd is write-only", read(fd, &st, 1), EBADF);
	close(fd);
	return compat_done();
}
