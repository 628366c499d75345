/*
 * read_directory: read(2) on a directory descriptor gives EISDIR.
 */
#include "compat.h"
#include <fcntl.h>
#include <unistd.h>

int main(void)
{
	char c;
	int fd = open("/", O_RDONLY | O_DIRECTORY);
	CHECK_ERR("read on /", read(fd, &c, 1), EISDIR);
	compat_tmpdir();
	fd = open(".", O_RDONLY | O_DIRECTORY);
	CHECK_ERR("read on a tmpfs directory", read(fd, &c, 1), EISDIR);
	return compat_done();
}
