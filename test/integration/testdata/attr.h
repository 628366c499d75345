/* attr.h: what the attr_*.c programs share. Each program runs natively and
 * in moat and the outputs are compared, so every line states a result, never
 * a time, an inode number or a block count: "what: 0" or "what: -1 ENAME".
 * Programs work in a fresh directory made under argv[1] and remove it. */
#ifndef ATTR_H
#define ATTR_H

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452
#endif

static const char *ename(int e)
{
	const char *s = strerrorname_np(e);
	return s ? s : "E?";
}

/* T prints what a call returned: its value, or -1 and the errno's name. */
#define T(what, call) do { \
	errno = 0; long r_ = (long)(call); \
	if (r_ == -1) printf("%s: -1 %s\n", (what), ename(errno)); \
	else printf("%s: %ld\n", (what), r_); \
} while (0)

/* OK prints whether a call that returns a descriptor or 0 succeeded. */
#define OK(what, call) do { \
	errno = 0; long r_ = (long)(call); \
	if (r_ < 0) printf("%s: -1 %s\n", (what), ename(errno)); \
	else printf("%s: ok\n", (what)); \
} while (0)

/* show prints a file's type and mode, owner, and size (regular files). */
static __attribute__((unused)) void show(const char *what, const char *path)
{
	struct stat st;
	if (lstat(path, &st) < 0) {
		printf("%s: lstat -1 %s\n", what, ename(errno));
		return;
	}
	printf("%s: mode %06o uid %u gid %u", what, st.st_mode, st.st_uid, st.st_gid);
	if (S_ISREG(st.st_mode))
		printf(" size %lld", (long long)st.st_size);
	printf("\n");
}

static __attribute__((unused)) void showfd(const char *what, int fd)
{
	struct stat st;
	if (fstat(fd, &st) < 0) {
		printf("%s: fstat -1 %s\n", what, ename(errno));
		return;
	}
	printf("%s: mode %06o uid %u gid %u size %lld\n", what, st.st_mode, st.st_uid, st.st_gid,
	       (long long)st.st_size);
}

/* showtimes prints a file's access and modification times. */
static __attribute__((unused)) void showtimes(const char *what, const char *path)
{
	struct stat st;
	if (lstat(path, &st) < 0) {
		printf("%s: lstat -1 %s\n", what, ename(errno));
		return;
	}
	printf("%s: atime %lld.%09ld mtime %lld.%09ld\n", what, (long long)st.st_atim.tv_sec,
	       st.st_atim.tv_nsec, (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
}

/* showdata prints a regular file's bytes, '.' for a zero byte. */
static __attribute__((unused)) void showdata(const char *what, const char *path)
{
	char buf[256];
	int fd = open(path, O_RDONLY);
	if (fd < 0) {
		printf("%s: open -1 %s\n", what, ename(errno));
		return;
	}
	ssize_t n = read(fd, buf, sizeof buf);
	close(fd);
	printf("%s: %zd \"", what, n);
	for (ssize_t i = 0; i < n; i++)
		putchar(buf[i] ? buf[i] : '.');
	printf("\"\n");
}

static __attribute__((unused)) void writefile(const char *path, const char *data, mode_t mode)
{
	int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, mode);
	if (fd < 0 || write(fd, data, strlen(data)) != (ssize_t)strlen(data)) {
		printf("writefile %s: %s\n", path, ename(errno));
		exit(2);
	}
	close(fd);
}

static char attr_dir[4096];

/* enter makes a fresh directory under base and changes into it. */
static __attribute__((unused)) void enter(const char *base)
{
	umask(022);
	snprintf(attr_dir, sizeof attr_dir, "%s/attr.XXXXXX", base);
	if (!mkdtemp(attr_dir) || chdir(attr_dir) < 0) {
		printf("enter %s: %s\n", base, ename(errno));
		exit(2);
	}
}

static int rm_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st; (void)type; (void)ftw;
	return remove(path);
}

/* leave removes the directory enter made. */
static __attribute__((unused)) void leave(void)
{
	if (chdir("/") < 0 || nftw(attr_dir, rm_one, 16, FTW_DEPTH | FTW_PHYS) < 0)
		printf("leave: %s\n", ename(errno));
}

#endif
