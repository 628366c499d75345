/* truncate and ftruncate: growing (zeros), shrinking, the times they touch,
 * set-ID bits (kept for root), and the errors. */
#include "attr.h"

static long mtime_sec(const char *path)
{
	struct stat st;
	lstat(path, &st);
	return st.st_mtim.tv_sec;
}

static void oldtimes(const char *path)
{
	struct timespec old[2] = {{100, 0}, {200, 0}};
	utimensat(AT_FDCWD, path, old, 0);
}

int main(int argc, char **argv)
{
	enter(argv[1]);
	writefile("f", "hello world", 0644);
	mkdir("d", 0755);
	symlink("f", "link");
	mknod("fifo", S_IFIFO | 0644, 0);

	T("truncate shrink", truncate("f", 5));
	showdata("  f", "f");
	T("truncate grow", truncate("f", 12));
	showdata("  f", "f");
	T("truncate through link", truncate("link", 3));
	showdata("  f", "f");
	T("truncate to zero", truncate("f", 0));
	showdata("  f", "f");
	T("truncate sparse", truncate("f", 1 << 30));
	show("  f", "f");
	T("truncate back", truncate("f", 2));
	show("  f", "f");

	/* truncate to the same size leaves the times on tmpfs (and as POSIX
	 * says); ext4 updates them: only compared where both sides are tmpfs. */
	if (argc > 2 && strcmp(argv[2], "tmpfs") == 0) {
		oldtimes("f");
		T("truncate same size", truncate("f", 2));
		printf("  mtime %s\n", mtime_sec("f") == 200 ? "unchanged" : "changed");
	}
	oldtimes("f");
	T("truncate new size", truncate("f", 4));
	printf("  mtime %s\n", mtime_sec("f") == 200 ? "unchanged" : "changed");

	chmod("f", 06755);
	T("truncate set-ID as root", truncate("f", 1));
	show("  f", "f");
	chmod("f", 0644);

	T("truncate negative", truncate("f", -1));
	T("truncate negative missing", truncate("nope", -1));
	T("truncate dir", truncate("d", 0));
	T("truncate fifo", truncate("fifo", 0));
	T("truncate missing", truncate("nope", 0));
	T("truncate not a dir", truncate("f/x", 0));
	T("truncate trailing slash", truncate("f/", 0));
	T("truncate empty", truncate("", 0));
	T("truncate NULL", syscall(SYS_truncate, NULL, 0));
	T("truncate /dev/null", truncate("/dev/null", 0));

	writefile("g", "0123456789", 0644);
	int fd = open("g", O_RDWR);
	T("ftruncate shrink", ftruncate(fd, 4));
	showdata("  g", "g");
	T("ftruncate grow", ftruncate(fd, 8));
	showdata("  g", "g");
	char c;
	lseek(fd, 6, SEEK_SET);
	T("ftruncate keeps the offset", ftruncate(fd, 2));
	T("  read past the end", read(fd, &c, 1));
	T("  offset", lseek(fd, 0, SEEK_CUR));
	oldtimes("g");
	T("ftruncate same size", ftruncate(fd, 2));
	printf("  mtime %s\n", mtime_sec("g") == 200 ? "unchanged" : "changed");
	chmod("g", 06755);
	T("ftruncate set-ID as root", ftruncate(fd, 0));
	show("  g", "g");
	T("ftruncate negative", ftruncate(fd, -1));
	T("ftruncate negative bad fd", ftruncate(9999, -1));
	close(fd);

	fd = open("g", O_WRONLY | O_APPEND);
	T("ftruncate O_APPEND", ftruncate(fd, 1));
	show("  g", "g");
	close(fd);
	fd = open("g", O_RDONLY);
	T("ftruncate read-only", ftruncate(fd, 0));
	close(fd);
	fd = open("g", O_PATH);
	T("ftruncate O_PATH", ftruncate(fd, 0));
	close(fd);
	fd = open("d", O_RDONLY);
	T("ftruncate dir", ftruncate(fd, 0));
	close(fd);
	fd = open("/dev/null", O_WRONLY);
	T("ftruncate /dev/null", ftruncate(fd, 0));
	close(fd);
	T("ftruncate bad fd", ftruncate(9999, 0));
	struct stat st;
	fflush(stdout);
	if (fstat(1, &st) == 0 && S_ISFIFO(st.st_mode))
		T("ftruncate stdout pipe", ftruncate(1, 0));

	fd = open("g", O_RDWR);
	unlink("g");
	T("ftruncate unlinked", ftruncate(fd, 3));
	showfd("  fd", fd);
	close(fd);
	leave();
	return 0;
}
