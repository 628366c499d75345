/* fsync, fdatasync, sync, syncfs and sync_file_range: which descriptors can
 * sync, and the checks. */
#include "attr.h"

int main(int argc, char **argv)
{
	enter(argv[1]);
	writefile("f", "data", 0644);
	mkdir("d", 0755);
	int fd = open("f", O_RDWR);
	int ro = open("f", O_RDONLY);
	int dfd = open("d", O_RDONLY | O_DIRECTORY);
	int pfd = open("f", O_PATH);
	int nfd = open("/dev/null", O_RDWR);
	int zfd = open("/dev/zero", O_RDONLY);

	T("fsync", fsync(fd));
	T("fdatasync", fdatasync(fd));
	T("fsync read-only", fsync(ro));
	T("fdatasync read-only", fdatasync(ro));
	T("fsync dir", fsync(dfd));
	T("fdatasync dir", fdatasync(dfd));
	T("fsync O_PATH", fsync(pfd));
	T("fsync bad fd", fsync(9999));
	T("fsync -1", fsync(-1));
	T("fsync /dev/null", fsync(nfd));
	T("fdatasync /dev/null", fdatasync(nfd));
	T("fsync /dev/zero", fsync(zfd));
	T("fsync root dir", fsync(open("/", O_RDONLY)));
	T("fsync /dev dir", fsync(open("/dev", O_RDONLY)));

	T("sync", syscall(SYS_sync));
	T("syncfs", syncfs(fd));
	T("syncfs dir", syncfs(dfd));
	T("syncfs /dev/null", syncfs(nfd));
	T("syncfs O_PATH", syncfs(pfd));
	T("syncfs bad fd", syncfs(9999));

	T("sync_file_range", sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE));
	T("sync_file_range all flags", sync_file_range(fd, 0, 4, 7));
	T("sync_file_range no flags", sync_file_range(fd, 0, 0, 0));
	T("sync_file_range read-only", sync_file_range(ro, 0, 0, SYNC_FILE_RANGE_WAIT_AFTER));
	T("sync_file_range dir", sync_file_range(dfd, 0, 0, SYNC_FILE_RANGE_WRITE));
	T("sync_file_range bad flags", sync_file_range(fd, 0, 0, 8));
	T("sync_file_range negative offset", sync_file_range(fd, -1, 0, 0));
	T("sync_file_range negative length", sync_file_range(fd, 10, -5, 0));
	T("sync_file_range overflow", sync_file_range(fd, 0x7fffffffffffffffLL, 1, 0));
	T("sync_file_range huge", sync_file_range(fd, 0, 0x7fffffffffffffffLL, 0));
	T("sync_file_range /dev/null", sync_file_range(nfd, 0, 0, 0));
	T("sync_file_range /dev/null bad flags", sync_file_range(nfd, 0, 0, 8));
	T("sync_file_range O_PATH", sync_file_range(pfd, 0, 0, 0));
	T("sync_file_range bad fd bad flags", sync_file_range(9999, 0, 0, 8));

	struct stat st;
	fflush(stdout);
	if (fstat(1, &st) == 0 && S_ISFIFO(st.st_mode)) {
		T("fsync stdout pipe", fsync(1));
		T("fdatasync stdout pipe", fdatasync(1));
		T("syncfs stdout pipe", syncfs(1));
		T("sync_file_range stdout pipe", sync_file_range(1, 0, 0, 0));
	}

	unlink("f");
	T("fsync unlinked", fsync(fd));
	leave();
	return 0;
}
