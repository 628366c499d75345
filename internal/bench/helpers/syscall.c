/*
 * syscall: time one raw system call in a loop.
 *
 *   syscall NAME COUNT
 *
 * NAME is getppid or gettimeofday. Each call goes through the syscall
 * instruction (libc's syscall(2) wrapper, never the vDSO). After a short
 * warm-up, COUNT calls are timed with clock_gettime(CLOCK_MONOTONIC), which
 * runs in the vDSO and so costs no system call under an intercepting runtime.
 * Prints one line:
 *
 *   syscall=NAME calls=COUNT ns_per_call=X
 *
 * Exits 1, with a message on stderr, if any call fails: a runtime that
 * answers ENOSYS must not look fast.
 *
 * Built by moat bench with: gcc -static -O2
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static long loop_getppid(long n)
{
	long bad = 0;
	for (long i = 0; i < n; i++)
		if (syscall(SYS_getppid) < 0)
			bad++;
	return bad;
}

static long loop_gettimeofday(long n)
{
	struct timeval tv;
	long bad = 0;
	for (long i = 0; i < n; i++)
		if (syscall(SYS_gettimeofday, &tv, 0) != 0)
			bad++;
	return bad;
}

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s getppid|gettimeofday COUNT\n", argv[0]);
		return 2;
	}
	long (*loop)(long);
	if (strcmp(argv[1], "getppid") == 0)
		loop = loop_getppid;
	else if (strcmp(argv[1], "gettimeofday") == 0)
		loop = loop_gettimeofday;
	else {
		fprintf(stderr, "unknown syscall %s (have: getppid, gettimeofday)\n", argv[1]);
		return 2;
	}
	char *end;
	long n = strtol(argv[2], &end, 10);
	if (*end != '\0' || n <= 0) {
		fprintf(stderr, "bad count %s\n", argv[2]);
		return 2;
	}

	long warm = n / 10 > 100 ? n / 10 : 100;
	errno = 0;
	if (loop(warm) != 0) {
		fprintf(stderr, "%s failed: %s\n", argv[1], strerror(errno));
		return 1;
	}

	double t0 = now_ns();
	long bad = loop(n);
	double t1 = now_ns();
	if (bad != 0) {
		fprintf(stderr, "%s failed %ld of %ld times: %s\n", argv[1], bad, n, strerror(errno));
		return 1;
	}
	printf("syscall=%s calls=%ld ns_per_call=%.2f\n", argv[1], n, (t1 - t0) / (double)n);
	return 0;
}
