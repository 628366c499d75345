/*
 * open_nofollow_directory: O_NOFOLLOW|O_DIRECTORY on a symlink to a
 * directory: Linux gives ENOTDIR (the symlink itself is not a directory)
 * rather than O_NOFOLLOW's ELOOP.
 */
#include "compat.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

int main(void)
{
	compat_tmpdir();
	mkdir("dir", 0755);
	symlink("dir", "ldir");
	CHECK_ERR("O_NOFOLLOW|O_DIRECTORY on a symlink to a directory",
		  open("ldir", O_RDONLY | O_NOFOLLOW | O_DIRECTORY), ENOTDIR);
	return compat_done();
}
