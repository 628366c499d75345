/*
 * evtest.h: what the eventfd, timerfd, signalfd and inotify programs
 * share. SHOW prints a call's result ("what: 5" or "what: -1 EAGAIN"), so
 * that the run under moat and the native one compare line by line; MUST
 * ends the program (status 2) when a setup step fails.
 */
#ifndef EVTEST_H
#define EVTEST_H

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static inline void show_(const char *what, long r, int e)
{
	if (r == -1)
		printf("%s: -1 %s\n", what, strerrorname_np(e));
	else
		printf("%s: %ld\n", what, r);
}
#define SHOW(what, call) do { errno = 0; long r_ = (long)(call); show_((what), r_, errno); } while (0)

#define MUST(call) do { if ((long)(call) < 0) { printf("setup failed at line %d: %s\n", __LINE__, strerrorname_np(errno)); exit(2); } } while (0)

/* revents polls fd once without waiting and returns what it reported. */
static inline int revents(int fd, short events)
{
	struct pollfd p = {fd, events, 0};
	if (poll(&p, 1, 0) < 0)
		return -1;
	return p.revents;
}

/* link_of prints what /proc/self/fd/FD names. */
static inline void show_link(const char *what, int fd)
{
	char path[64], buf[128];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	ssize_t n = readlink(path, buf, sizeof buf - 1);
	buf[n < 0 ? 0 : n] = 0;
	printf("%s: %s\n", what, buf);
}

#endif
