/*
 * open_directory_nofollow: O_DIRECTORY opens directories only (ENOTDIR
 * otherwise, also through a symlink to a file); a directory cannot be
 * opened for writing (EISDIR); O_NOFOLLOW fails with ELOOP on a final
 * symlink (open_nofollow_directory: with O_DIRECTORY too) but follows symlinks in earlier components; O_NOFOLLOW|O_PATH
 * opens the symlink itself.
 */
#include "compat.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

int main(void)
{
	compat_tmpdir();
	mkdir("dir", 0755);
	close(open("dir/file", O_CREAT | O_WRONLY, 0644));
	symlink("dir", "ldir");
	symlink("dir/file", "lfile");
	struct stat st;

	int fd = open("dir", O_RDONLY | O_DIRECTORY);
	check("O_DIRECTORY on a directory", fd >= 0 && fstat(fd, &st) == 0 && S_ISDIR(st.st_mode));
	close(fd);
	CHECK_ERR("O_DIRECTORY on a file", open("dir/file", O_RDONLY | O_DIRECTORY), ENOTDIR);
	CHECK_ERR("O_DIRECTORY through a symlink to a file", open("lfile", O_RDONLY | O_DIRECTORY), ENOTDIR);
	fd = open("ldir", O_RDONLY | O_DIRECTORY);
	check("O_DIRECTORY through a symlink to a directory", fd >= 0);
	close(fd);
	CHECK_ERR("directory O_WRONLY", open("dir", O_WRONLY), EISDIR);
	CHECK_ERR("directory O_RDWR", open("dir", O_RDWR), EISDIR);
	CHECK_ERR("O_DIRECTORY on /dev/null", open("/dev/null", O_RDONLY | O_DIRECTORY), ENOTDIR);

	CHECK_ERR("O_NOFOLLOW on a symlink to a file", open("lfile", O_RDONLY | O_NOFOLLOW), ELOOP);
	CHECK_ERR("O_NOFOLLOW on a symlink to a directory", open("ldir", O_RDONLY | O_NOFOLLOW), ELOOP);
	fd = open("ldir/file", O_RDONLY | O_NOFOLLOW);
	check("O_NOFOLLOW follows symlinks before the last component", fd >= 0);
	close(fd);
	fd = open("lfile", O_PATH | O_NOFOLLOW);
	check("O_PATH|O_NOFOLLOW opens the symlink itself",
	      fd >= 0 && fstat(fd, &st) == 0 && S_ISLNK(st.st_mode));
	close(fd);
	fd = open("lfile", O_RDONLY);
	check("without O_NOFOLLOW the symlink is followed", fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode));
	close(fd);
	return compat_done();
}
