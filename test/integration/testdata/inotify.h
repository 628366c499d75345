/*
 * inotify.h: what the inotify programs share: a fresh directory under /tmp
 * to work in, and drain, which reads every queued event and prints it with
 * names instead of numbers (cookies print as "cookie" when they pair an
 * IN_MOVED_FROM with the IN_MOVED_TO after it).
 */
#ifndef INOTIFY_H
#define INOTIFY_H

#include "evtest.h"
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <ftw.h>
#include <sys/stat.h>

static const struct {
	uint32_t bit;
	const char *name;
} in_names[] = {
	{IN_ACCESS, "ACCESS"}, {IN_MODIFY, "MODIFY"}, {IN_ATTRIB, "ATTRIB"},
	{IN_CLOSE_WRITE, "CLOSE_WRITE"}, {IN_CLOSE_NOWRITE, "CLOSE_NOWRITE"}, {IN_OPEN, "OPEN"},
	{IN_MOVED_FROM, "MOVED_FROM"}, {IN_MOVED_TO, "MOVED_TO"}, {IN_CREATE, "CREATE"},
	{IN_DELETE, "DELETE"}, {IN_DELETE_SELF, "DELETE_SELF"}, {IN_MOVE_SELF, "MOVE_SELF"},
	{IN_UNMOUNT, "UNMOUNT"}, {IN_Q_OVERFLOW, "Q_OVERFLOW"}, {IN_IGNORED, "IGNORED"},
	{IN_ISDIR, "ISDIR"},
};

static inline void print_mask(uint32_t m)
{
	int first = 1;
	for (size_t i = 0; i < sizeof in_names / sizeof in_names[0]; i++) {
		if (m & in_names[i].bit) {
			printf("%s%s", first ? "" : "|", in_names[i].name);
			first = 0;
			m &= ~in_names[i].bit;
		}
	}
	if (m || first)
		printf("%s%#x", first ? "" : "|", m);
}

/* drain prints every event queued on fd (which must be nonblocking). */
static inline void drain(const char *what, int fd)
{
	static char buf[65536] __attribute__((aligned(8)));
	static uint32_t from_cookie;
	printf("%s:\n", what);
	for (;;) {
		ssize_t n = read(fd, buf, sizeof buf);
		if (n < 0) {
			if (errno != EAGAIN)
				printf("  read: %s\n", strerrorname_np(errno));
			return;
		}
		for (char *p = buf; p < buf + n;) {
			struct inotify_event *e = (struct inotify_event *)p;
			printf("  wd %d ", e->wd);
			print_mask(e->mask);
			if (e->mask & IN_MOVED_FROM)
				from_cookie = e->cookie;
			if (e->cookie)
				printf(" %s", (e->mask & IN_MOVED_TO) && e->cookie == from_cookie ? "cookie" : e->mask & IN_MOVED_FROM ? "cookie" : "cookie?");
			if (e->len)
				printf(" \"%s\" len %u", e->name, e->len);
			printf("\n");
			p += sizeof *e + e->len;
		}
	}
}

static char workdir_path[64];

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void remove_workdir(void)
{
	nftw(workdir_path, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* workdir makes a fresh directory under base ("/tmp") and moves into it;
 * it is removed with everything in it at exit. */
static inline void workdir_in(const char *base)
{
	snprintf(workdir_path, sizeof workdir_path, "%s/inotify.XXXXXX", base);
	if (!mkdtemp(workdir_path) || chdir(workdir_path) < 0) {
		printf("setup failed: %s\n", strerrorname_np(errno));
		exit(2);
	}
	atexit(remove_workdir);
}

static inline void workdir(void) { workdir_in("/tmp"); }

#endif
