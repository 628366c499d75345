/*
 * time: clocks through the vDSO and through the system call, their
 * ordering and resolution, and sleeps that take at least as long as asked.
 * (The thread CPU clock has its own program, cpu_clocks.)
 */
#include "compat.h"
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static int64_t ns(struct timespec t) { return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec; }

static int64_t now(clockid_t c)
{
	struct timespec t;
	clock_gettime(c, &t);
	return ns(t);
}

static int64_t sys_now(clockid_t c)
{
	struct timespec t;
	syscall(SYS_clock_gettime, c, &t);
	return ns(t);
}

int main(void)
{
	/* Monotonic clocks never go back, vDSO and system call alike. */
	int ok = 1;
	int64_t prev = now(CLOCK_MONOTONIC);
	for (int i = 0; i < 2000; i++) {
		int64_t t = (i & 1) ? now(CLOCK_MONOTONIC) : sys_now(CLOCK_MONOTONIC);
		ok &= t >= prev;
		prev = t;
	}
	check("CLOCK_MONOTONIC never decreases (vDSO and syscall)", ok);
	int64_t a = now(CLOCK_MONOTONIC), b = now(CLOCK_MONOTONIC);
	check("two readings are close", b - a < 100000000);
	check("CLOCK_BOOTTIME >= CLOCK_MONOTONIC", now(CLOCK_BOOTTIME) >= now(CLOCK_MONOTONIC) - 1000);
	check("CLOCK_MONOTONIC_RAW advances", now(CLOCK_MONOTONIC_RAW) > 0);
	check("CLOCK_MONOTONIC_COARSE lags CLOCK_MONOTONIC by < 1 s",
	      now(CLOCK_MONOTONIC) - now(CLOCK_MONOTONIC_COARSE) < 1000000000);

	/* Realtime agrees across interfaces. */
	struct timeval tv;
	gettimeofday(&tv, NULL);
	time_t t1 = time(NULL);
	time_t t2 = syscall(SYS_time, NULL);
	int64_t rt = now(CLOCK_REALTIME) / 1000000000;
	check("time() after 2020", t1 > 1577836800);
	check("gettimeofday, time, syscall time and CLOCK_REALTIME agree",
	      t1 - tv.tv_sec <= 1 && t2 - t1 <= 1 && rt - t2 <= 1 && tv.tv_usec < 1000000);
	time_t t3;
	check("time(&t) stores the result", syscall(SYS_time, &t3) == t3);
	check("gettimeofday syscall agrees", syscall(SYS_gettimeofday, &tv, NULL) == 0 && tv.tv_sec - t1 <= 1);
	check("CLOCK_TAI is ahead of or at CLOCK_REALTIME", now(CLOCK_TAI) / 1000000000 >= rt);

	/* Resolutions: sane, and the same from the vDSO and the kernel. */
	clockid_t clocks[] = {CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_MONOTONIC_RAW, CLOCK_BOOTTIME,
			      CLOCK_REALTIME_COARSE, CLOCK_MONOTONIC_COARSE, CLOCK_PROCESS_CPUTIME_ID};
	const char *names[] = {"REALTIME", "MONOTONIC", "MONOTONIC_RAW", "BOOTTIME", "REALTIME_COARSE",
			       "MONOTONIC_COARSE", "PROCESS_CPUTIME_ID"};
	for (int i = 0; i < 7; i++) {
		struct timespec r1, r2;
		int e1 = clock_getres(clocks[i], &r1);
		int e2 = syscall(SYS_clock_getres, clocks[i], &r2);
		char what[80];
		snprintf(what, sizeof what, "clock_getres(%s) in (0, 10 ms], same both ways", names[i]);
		check(what, e1 == 0 && e2 == 0 && r1.tv_sec == 0 && r1.tv_nsec > 0 && r1.tv_nsec <= 10000000 &&
				    r1.tv_nsec == r2.tv_nsec && r2.tv_sec == 0);
	}
	CHECK_RET("clock_getres with NULL", syscall(SYS_clock_getres, CLOCK_MONOTONIC, NULL), 0);
	struct timespec ts;
	CHECK_ERR("clock_getres bad clock", syscall(SYS_clock_getres, 100, &ts), EINVAL);
	CHECK_ERR("clock_gettime bad clock", syscall(SYS_clock_gettime, 100, &ts), EINVAL);
	CHECK_ERR("clock_gettime bad clock (vDSO)", clock_gettime(100, &ts), EINVAL);
	CHECK_ERR("clock_gettime fd clock of a closed fd", syscall(SYS_clock_gettime, (~99 << 3) | 3, &ts), EINVAL);

	/* CPU time advances while spinning. */
	int64_t c0 = now(CLOCK_PROCESS_CPUTIME_ID);
	int64_t until = now(CLOCK_MONOTONIC) + 30000000;
	while (now(CLOCK_MONOTONIC) < until)
		;
	check("CLOCK_PROCESS_CPUTIME_ID advances while spinning", now(CLOCK_PROCESS_CPUTIME_ID) > c0);

	/* Sleeps. */
	struct timespec req = {0, 50000000}, rem = {7, 7};
	int64_t s0 = now(CLOCK_MONOTONIC);
	CHECK_RET("nanosleep 50 ms", nanosleep(&req, &rem), 0);
	check("nanosleep took >= 50 ms", now(CLOCK_MONOTONIC) - s0 >= 50000000);
	check("nanosleep left rem alone", rem.tv_sec == 7 && rem.tv_nsec == 7);
	req.tv_nsec = 0;
	CHECK_RET("nanosleep 0", nanosleep(&req, NULL), 0);
	req.tv_nsec = 1000000000;
	CHECK_ERR("nanosleep tv_nsec = 1e9", nanosleep(&req, NULL), EINVAL);
	req.tv_sec = -1;
	req.tv_nsec = 0;
	CHECK_ERR("nanosleep negative", nanosleep(&req, NULL), EINVAL);

	req.tv_sec = 0;
	req.tv_nsec = 20000000;
	s0 = now(CLOCK_MONOTONIC);
	CHECK_RET("clock_nanosleep relative 20 ms", clock_nanosleep(CLOCK_MONOTONIC, 0, &req, NULL), 0);
	check("relative sleep took >= 20 ms", now(CLOCK_MONOTONIC) - s0 >= 20000000);
	clock_gettime(CLOCK_MONOTONIC, &req);
	int64_t target = ns(req) + 30000000;
	req.tv_sec = target / 1000000000;
	req.tv_nsec = target % 1000000000;
	CHECK_RET("clock_nanosleep TIMER_ABSTIME +30 ms", clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &req, NULL), 0);
	check("absolute sleep woke at or after the target", now(CLOCK_MONOTONIC) >= target);
	clock_gettime(CLOCK_REALTIME, &req);
	req.tv_sec -= 10;
	s0 = now(CLOCK_MONOTONIC);
	CHECK_RET("clock_nanosleep TIMER_ABSTIME in the past (REALTIME)",
		  clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &req, NULL), 0);
	check("returns at once", now(CLOCK_MONOTONIC) - s0 < 1000000000);
	req.tv_sec = 0;
	req.tv_nsec = 1000;
	CHECK_RET("clock_nanosleep bad clock returns EINVAL", clock_nanosleep(100, 0, &req, NULL), EINVAL);
	CHECK_RET("clock_nanosleep THREAD_CPUTIME returns EINVAL",
		  clock_nanosleep(CLOCK_THREAD_CPUTIME_ID, 0, &req, NULL), EINVAL);
	req.tv_nsec = -1;
	CHECK_RET("clock_nanosleep negative tv_nsec returns EINVAL", clock_nanosleep(CLOCK_MONOTONIC, 0, &req, NULL), EINVAL);
	return compat_done();
}
