/*
 * unixtest.h: what the unix_* socket programs share. SHOW prints a call's
 * result ("what: 5" or "what: -1 EAGAIN") so that a run under moat and a
 * native one compare line by line; MUST stops the program when a setup
 * step fails. Nothing printed may depend on pids, inode numbers or
 * addresses.
 */
#ifndef UNIXTEST_H
#define UNIXTEST_H

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static inline void show_(const char *what, long r, int e)
{
	if (r == -1)
		printf("%s: -1 %s\n", what, strerrorname_np(e));
	else
		printf("%s: %ld\n", what, r);
	fflush(stdout);
}
#define SHOW(what, call) do { errno = 0; long r_ = (long)(call); show_((what), r_, errno); } while (0)

#define MUST(call) do { if ((long)(call) < 0) { printf("setup failed at line %d: %s\n", __LINE__, strerrorname_np(errno)); exit(2); } } while (0)

/* addr fills a sockaddr_un with a path (or, with a leading '@', an
 * abstract name) and returns the length to pass: the exact one. */
static inline socklen_t addr(struct sockaddr_un *a, const char *name)
{
	memset(a, 0, sizeof *a);
	a->sun_family = AF_UNIX;
	size_t n = strlen(name);
	memcpy(a->sun_path, name, n);
	if (name[0] == '@') {
		a->sun_path[0] = 0;
		return offsetof(struct sockaddr_un, sun_path) + n;
	}
	return offsetof(struct sockaddr_un, sun_path) + n + 1;
}

/* revents names the poll bits set, in a fixed order. */
static inline const char *events(int ev)
{
	static char buf[128];
	buf[0] = 0;
	if (ev & POLLIN) strcat(buf, "IN ");
	if (ev & POLLPRI) strcat(buf, "PRI ");
	if (ev & POLLOUT) strcat(buf, "OUT ");
	if (ev & POLLERR) strcat(buf, "ERR ");
	if (ev & POLLHUP) strcat(buf, "HUP ");
	if (ev & POLLNVAL) strcat(buf, "NVAL ");
	if (ev & POLLRDHUP) strcat(buf, "RDHUP ");
	if (!buf[0]) strcpy(buf, "none");
	return buf;
}

static inline void show_poll(const char *what, int fd)
{
	struct pollfd p = { fd, POLLIN | POLLOUT | POLLRDHUP | POLLPRI, 0 };
	int r = poll(&p, 1, 0);
	printf("%s: %d %s\n", what, r, events(p.revents));
	fflush(stdout);
}

/* reap waits for a child and prints how it ended. */
static inline void reap(const char *what, pid_t pid)
{
	int st;
	if (waitpid(pid, &st, 0) != pid) {
		printf("%s: waitpid failed\n", what);
		return;
	}
	if (WIFEXITED(st))
		printf("%s: exit %d\n", what, WEXITSTATUS(st));
	else
		printf("%s: signal %d\n", what, WTERMSIG(st));
	fflush(stdout);
}

#endif
