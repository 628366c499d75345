/*
 * cpu_clocks: the CPU-time clocks of the calling process and thread, by
 * their constants and by the ids clock_getcpuclockid and
 * pthread_getcpuclockid return (pid 0 / self), through clock_gettime and
 * clock_getres.
 */
#include "compat.h"
#include <pthread.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

static int64_t ns(struct timespec t) { return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec; }

/* spin burns CPU until clock c has advanced 1 ms past start, or 2 s of
 * wall time have passed; it returns whether c advanced. */
static int spin(clockid_t c, int64_t start)
{
	struct timespec t, w;
	clock_gettime(CLOCK_MONOTONIC, &w);
	int64_t until = ns(w) + 2000000000;
	for (;;) {
		if (clock_gettime(c, &t) == 0 && ns(t) - start >= 1000000)
			return 1;
		clock_gettime(CLOCK_MONOTONIC, &w);
		if (ns(w) > until)
			return 0;
	}
}

static void clock_checks(const char *name, clockid_t c)
{
	struct timespec t0 = {0, 0}, r = {0, 0};
	char what[100];
	snprintf(what, sizeof what, "%s: clock_gettime", name);
	CHECK_RET(what, clock_gettime(c, &t0), 0);
	snprintf(what, sizeof what, "%s: advances while spinning", name);
	check(what, spin(c, ns(t0)));
	snprintf(what, sizeof what, "%s: clock_getres", name);
	CHECK_RET(what, clock_getres(c, &r), 0);
	snprintf(what, sizeof what, "%s: resolution in (0, 10 ms]", name);
	check(what, r.tv_sec == 0 && r.tv_nsec > 0 && r.tv_nsec <= 10000000);
}

int main(void)
{
	clock_checks("CLOCK_PROCESS_CPUTIME_ID", CLOCK_PROCESS_CPUTIME_ID);
	clock_checks("CLOCK_THREAD_CPUTIME_ID", CLOCK_THREAD_CPUTIME_ID);
	clockid_t c;
	CHECK_RET("clock_getcpuclockid(0)", clock_getcpuclockid(0, &c), 0);
	clock_checks("clock_getcpuclockid(0)", c);
	CHECK_RET("clock_getcpuclockid(getpid())", clock_getcpuclockid(getpid(), &c), 0);
	clock_checks("clock_getcpuclockid(getpid())", c);
	CHECK_RET("pthread_getcpuclockid(self)", pthread_getcpuclockid(pthread_self(), &c), 0);
	clock_checks("pthread_getcpuclockid(self)", c);
	return compat_done();
}
