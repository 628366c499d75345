/*
 * fsync_calls: fsync, fdatasync, syncfs and sync_file_range succeed on
 * files and directories; fsync on a pipe gives EINVAL; bad descriptors
 * EBADF; sync_file_range's argument checks.
 */
#include "compat.h"
#include <fcntl.h>
#include <unistd.h>

int main(void)
{
	compat_tmpdir();
	int fd = open("f", O_CREAT | O_RDWR, 0644);
	write(fd, "data", 4);
	CHECK_RET("fsync a file", fsync(fd), 0);
	CHECK_RET("fdatasync a file", fdatasync(fd), 0);
	int d = open(".", O_RDONLY | O_DIRECTORY);
	CHECK_RET("fsync a directory", fsync(d), 0);
	CHECK_RET("syncfs", syncfs(fd), 0);
	int ro = open("f", O_RDONLY);
	CHECK_RET("fsync a read-only descriptor", fsync(ro), 0);
	int p[2];
	pipe(p);
	CHECK_ERR("fsync a pipe", fsync(p[0]), EINVAL);
	CHECK_ERR("fdatasync a pipe", fdatasync(p[1]), EINVAL);
	CHECK_ERR("fsync a closed fd", fsync(99), EBADF);
	CHECK_RET("sync_file_range", sync_file_range(fd, 0, 4, SYNC_FILE_RANGE_WRITE), 0);
	CHECK_ERR("sync_file_range bad flags", sync_file_range(fd, 0, 4, 0x100), EINVAL);
	CHECK_ERR("sync_file_range negative offset", sync_file_range(fd, -1, 4, 0), EINVAL);
	CHECK_ERR("sync_file_range on a pipe", sync_file_range(p[1], 0, 4, 0), ESPIPE);
	sync();
	printf("sync returned\n");
	return compat_done();
}
