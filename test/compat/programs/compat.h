/*
 * compat.h: the few helpers the compat programs share. Each check prints one
 * line, "what: ok" or "what: FAIL ..." with what was seen, so a difference
 * between Linux and moat shows in the diff as the line that changed.
 * compat_done() returns the exit status: 0, or 1 when a check failed.
 */
#ifndef COMPAT_H
#define COMPAT_H

#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int compat_failures __attribute__((unused));

static inline const char *errname(int e)
{
	const char *s = e ? strerrorname_np(e) : "0";
	return s ? s : "E?";
}

/* check prints "what: ok" when cond holds, else a FAIL line. */
static inline void check(const char *what, int cond)
{
	if (cond) {
		printf("%s: ok\n", what);
	} else {
		printf("%s: FAIL\n", what);
		compat_failures++;
	}
}

/* check_ret checks that a call returned want (errno shown on failure). */
static inline void check_ret_(const char *what, long got, int err, long want)
{
	if (got == want) {
		printf("%s: ok\n", what);
	} else {
		printf("%s: FAIL: got %ld (errno %s), want %ld\n", what, got, errname(err), want);
		compat_failures++;
	}
}
#define CHECK_RET(what, call, want) do { \
	errno = 0; long r_ = (long)(call); check_ret_((what), r_, errno, (want)); \
} while (0)

/* check_err checks that a call failed with -1 and errno want. */
static inline void check_err_(const char *what, long got, int err, int want)
{
	if (got == -1 && err == want) {
		printf("%s: %s ok\n", what, errname(want));
	} else {
		printf("%s: FAIL: got %ld (errno %s), want -1 (%s)\n", what, got, errname(err), errname(want));
		compat_failures++;
	}
}
#define CHECK_ERR(what, call, want) do { \
	errno = 0; long r_ = (long)(call); check_err_((what), r_, errno, (want)); \
} while (0)

static inline int compat_done(void)
{
	if (compat_failures)
		printf("%d check(s) failed\n", compat_failures);
	return compat_failures ? 1 : 0;
}

#endif
