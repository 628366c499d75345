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
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

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

/*
 * compat_tmpdir makes a fresh directory under /tmp, makes it the working
 * directory and removes it, with everything in it, when the process that
 * made it exits (natively /tmp is shared with programs running in
 * parallel; in moat it is the sandbox's own tmpfs). Programs then use
 * relative paths, which print the same in both runs.
 */
static char compat_tmp_[32];
static pid_t compat_tmp_owner_;

static int compat_rm_(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	if (flag == FTW_DP || flag == FTW_D)
		chmod(p, 0700); /* so that its entries can go */
	remove(p);
	return 0;
}

static void compat_tmp_cleanup_(void)
{
	if (getpid() != compat_tmp_owner_)
		return;
	if (chdir("/") == 0)
		nftw(compat_tmp_, compat_rm_, 16, FTW_DEPTH | FTW_PHYS);
}

static inline __attribute__((unused)) const char *compat_tmpdir(void)
{
	strcpy(compat_tmp_, "/tmp/compat-XXXXXX");
	if (!mkdtemp(compat_tmp_) || chdir(compat_tmp_) != 0) {
		perror("compat_tmpdir");
		exit(2);
	}
	compat_tmp_owner_ = getpid();
	atexit(compat_tmp_cleanup_);
	return compat_tmp_;
}

/*
 * compat_wait_sleeping waits, up to 5 s, until thread tid of process pid
 * sleeps (state S in /proc/PID/task/TID/stat), that is, until it is
 * blocked in a system call; it returns whether it saw that.
 */
static inline __attribute__((unused)) int compat_wait_sleeping(int pid, int tid)
{
	char path[64], buf[512];
	snprintf(path, sizeof path, "/proc/%d/task/%d/stat", pid, tid);
	for (int i = 0; i < 5000; i++) {
		FILE *f = fopen(path, "r");
		if (f) {
			size_t n = fread(buf, 1, sizeof buf - 1, f);
			fclose(f);
			buf[n] = 0;
			char *p = strrchr(buf, ')');
			if (p && p[1] == ' ' && p[2] == 'S')
				return 1;
		}
		usleep(1000);
	}
	return 0;
}

static inline int compat_done(void)
{
	if (compat_failures)
		printf("%d check(s) failed\n", compat_failures);
	return compat_failures ? 1 : 0;
}

#endif
