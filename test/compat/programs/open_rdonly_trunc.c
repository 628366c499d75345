/*
 * open_rdonly_trunc: O_TRUNC truncates a regular file even when it is
 * opened O_RDONLY (the caller may write to it; Linux leaves this
 * undefined in POSIX terms but truncates).
 */
#include "compat.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

int main(void)
{
	compat_tmpdir();
	int fd = open("f", O_CREAT | O_WRONLY, 0644);
	write(fd, "0123456789", 10);
	close(fd);
	fd = open("f", O_RDONLY | O_TRUNC);
	check("open O_RDONLY|O_TRUNC", fd >= 0);
	struct stat st;
	check("size is 0 after it", stat("f", &st) == 0 && st.st_size == 0);
	return compat_done();
}
