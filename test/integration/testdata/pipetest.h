/*
 * pipetest.h: what the pipe, splice, lock and memfd programs share. SHOW
 * prints a call's result ("what: 5" or "what: -1 EAGAIN"), so that the run
 * under moat and the native one can be compared line by line.
 */
#ifndef PIPETEST_H
#define PIPETEST_H

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
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

/* die reports a setup step that failed: the rest would mean nothing. */
#define MUST(call) do { if ((long)(call) < 0) { printf("setup failed at line %d: %s\n", __LINE__, strerrorname_np(errno)); exit(2); } } while (0)

#endif
