/*
 * getdents_list: getdents64 lists every entry of a directory once,
 * including "." and "..", with the right d_type; printed sorted (the
 * order is filesystem-specific). A too-small buffer gives EINVAL, a file
 * ENOTDIR; the end gives 0; lseek to 0 restarts the listing; an emptied
 * directory lists only "." and "..".
 */
#include "compat.h"
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

struct d64 {
	unsigned long long ino;
	long long off;
	unsigned short reclen;
	unsigned char type;
	char name[];
};

static char names[64][256];
static int n;

static int cmp(const void *a, const void *b) { return strcmp(a, b); }

static int list(int fd, int bufsize)
{
	static char buf[8192];
	n = 0;
	for (;;) {
		long r = syscall(SYS_getdents64, fd, buf, bufsize);
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		for (long off = 0; off < r;) {
			struct d64 *d = (struct d64 *)(buf + off);
			snprintf(names[n++], 256, "%s %d", d->name, d->type);
			off += d->reclen;
		}
	}
	qsort(names, n, sizeof names[0], cmp);
	return n;
}

int main(void)
{
	compat_tmpdir();
	mkdir("dir", 0755);
	mkdir("dir/sub", 0755);
	close(open("dir/file", O_CREAT | O_WRONLY, 0644));
	symlink("file", "dir/link");
	mkfifo("dir/fifo", 0644);
	char longname[201];
	memset(longname, 'x', 200);
	longname[200] = 0;
	char p[256];
	snprintf(p, sizeof p, "dir/%s", longname);
	close(open(p, O_CREAT | O_WRONLY, 0644));
	for (int i = 0; i < 20; i++) {
		snprintf(p, sizeof p, "dir/n%02d", i);
		close(open(p, O_CREAT | O_WRONLY, 0644));
	}
	printf("DT_DIR=%d DT_REG=%d DT_LNK=%d DT_FIFO=%d\n", DT_DIR, DT_REG, DT_LNK, DT_FIFO);
	int fd = open("dir", O_RDONLY | O_DIRECTORY);
	check("list with a 8 KiB buffer", list(fd, 8192) == 27);
	for (int i = 0; i < n; i++)
		printf("  %s\n", strlen(names[i]) > 40 ? "(200 x's) 8" : names[i]);
	CHECK_RET("at the end: 0", syscall(SYS_getdents64, fd, p, sizeof p), 0);
	lseek(fd, 0, SEEK_SET);
	check("after lseek 0, small (300-byte) buffer: all again", list(fd, 300) == 27);
	lseek(fd, 0, SEEK_SET);
	CHECK_ERR("buffer of 10 bytes", syscall(SYS_getdents64, fd, p, 10), EINVAL);
	int f = open("dir/file", O_RDONLY);
	CHECK_ERR("getdents64 on a file", syscall(SYS_getdents64, f, p, sizeof p), ENOTDIR);
	CHECK_ERR("getdents64 on a closed fd", syscall(SYS_getdents64, 99, p, sizeof p), EBADF);
	close(fd);

	mkdir("empty", 0755);
	fd = open("empty", O_RDONLY | O_DIRECTORY);
	check("empty directory", list(fd, 8192) == 2);
	for (int i = 0; i < n; i++)
		printf("  %s\n", names[i]);
	return compat_done();
}
