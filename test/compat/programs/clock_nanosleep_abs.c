/*
 * clock_nanosleep_abs: TIMER_ABSTIME sleeps until a point on the clock (a
 * past point returns at once); relative sleeps last at least as long as
 * asked; an interrupted relative sleep returns EINTR and the time left, an
 * absolute one does not touch the remainder; bad values give EINVAL;
 * nanosleep likewise.
 */
#include "compat.h"
#include <signal.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static void handler(int sig) {}

static long ms_since(struct timespec a)
{
	struct timespec b;
	clock_gettime(CLOCK_MONOTONIC, &b);
	return (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
}

int main(void)
{
	struct timespec start, t;
	clock_gettime(CLOCK_MONOTONIC, &start);
	t = start;
	t.tv_nsec += 100000000;
	if (t.tv_nsec >= 1000000000) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000;
	}
	CHECK_RET("absolute MONOTONIC +100 ms", clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL), 0);
	check("woke at or after the deadline", ms_since(start) >= 100);
	clock_gettime(CLOCK_MONOTONIC, &start);
	struct timespec past = {start.tv_sec - 1, 0};
	CHECK_RET("absolute in the past", clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &past, NULL), 0);
	check("returned at once", ms_since(start) < 500);
	struct timespec rt;
	clock_gettime(CLOCK_REALTIME, &rt);
	rt.tv_nsec += 50000000;
	if (rt.tv_nsec >= 1000000000) {
		rt.tv_sec++;
		rt.tv_nsec -= 1000000000;
	}
	clock_gettime(CLOCK_MONOTONIC, &start);
	CHECK_RET("absolute REALTIME +50 ms", clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &rt, NULL), 0);
	check("slept about 50 ms", ms_since(start) >= 45);
	struct timespec rel = {0, 60000000};
	clock_gettime(CLOCK_MONOTONIC, &start);
	CHECK_RET("relative 60 ms", clock_nanosleep(CLOCK_MONOTONIC, 0, &rel, NULL), 0);
	check("at least 60 ms", ms_since(start) >= 60);

	struct sigaction sa = {.sa_handler = handler};
	sigaction(SIGALRM, &sa, NULL);
	struct itimerval it = {.it_value = {0, 100000}};
	setitimer(ITIMER_REAL, &it, NULL);
	struct timespec longer = {2, 0}, rem = {0, 0};
	CHECK_RET("relative sleep interrupted: EINTR (returned, not errno)", clock_nanosleep(CLOCK_MONOTONIC, 0, &longer, &rem), EINTR);
	check("remaining between 1 and 2 s", rem.tv_sec == 1);
	setitimer(ITIMER_REAL, &it, NULL);
	CHECK_ERR("nanosleep interrupted", nanosleep(&longer, &rem), EINTR);
	check("nanosleep remaining between 1 and 2 s", rem.tv_sec == 1);
	clock_gettime(CLOCK_MONOTONIC, &t);
	t.tv_sec += 2;
	rem.tv_sec = 77;
	setitimer(ITIMER_REAL, &it, NULL);
	CHECK_RET("absolute sleep interrupted: EINTR", clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, &rem), EINTR);
	check("remainder untouched", rem.tv_sec == 77);
	struct timespec bad = {0, 1000000000};
	CHECK_RET("tv_nsec 1e9: EINVAL", clock_nanosleep(CLOCK_MONOTONIC, 0, &bad, NULL), EINVAL);
	bad.tv_sec = -1;
	bad.tv_nsec = 0;
	CHECK_RET("negative tv_sec: EINVAL", clock_nanosleep(CLOCK_MONOTONIC, 0, &bad, NULL), EINVAL);
	CHECK_RET("unknown clock: EINVAL", clock_nanosleep(99, 0, &rel, NULL), EINVAL);
	CHECK_RET("CLOCK_THREAD_CPUTIME_ID: EINVAL", clock_nanosleep(CLOCK_THREAD_CPUTIME_ID, 0, &rel, NULL), EINVAL);
	CHECK_ERR("nanosleep negative", nanosleep(&bad, NULL), EINVAL);
	return compat_done();
}
