/*
 * itimer: ITIMER_REAL with an interval fires repeatedly; getitimer reports
 * the time left (never more than was set) and the interval; setitimer
 * returns the old value; disarming stops it; alarm and ITIMER_REAL are one
 * timer; errors for bad values and unknown timers.
 */
#include "compat.h"
#include <signal.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static volatile int ticks;

static void on_alarm(int sig) { ticks++; }

static long us(struct timeval t) { return t.tv_sec * 1000000L + t.tv_usec; }

int main(void)
{
	signal(SIGALRM, on_alarm);
	struct itimerval it, old, cur;
	CHECK_RET("getitimer while disarmed", getitimer(ITIMER_REAL, &cur), 0);
	check("disarmed: all zero", us(cur.it_value) == 0 && us(cur.it_interval) == 0);

	it.it_value.tv_sec = 5;
	it.it_value.tv_usec = 0;
	it.it_interval.tv_sec = 0;
	it.it_interval.tv_usec = 250000;
	CHECK_RET("setitimer 5 s, interval 250 ms", setitimer(ITIMER_REAL, &it, &old), 0);
	check("old value was disarmed", us(old.it_value) == 0);
	getitimer(ITIMER_REAL, &cur);
	check("time left in (4 s, 5 s]", us(cur.it_value) > 4000000 && us(cur.it_value) <= 5000000);
	check("interval reported", us(cur.it_interval) == 250000);
	check("alarm(0) sees the same timer (returns 5)", alarm(0) == 5);
	getitimer(ITIMER_REAL, &cur);
	check("alarm(0) disarmed it", us(cur.it_value) == 0);

	/* Periodic: 3 ticks of 30 ms. */
	it.it_value.tv_sec = 0;
	it.it_value.tv_usec = 30000;
	it.it_interval.tv_usec = 30000;
	setitimer(ITIMER_REAL, &it, NULL);
	while (ticks < 3)
		pause();
	getitimer(ITIMER_REAL, &cur);
	check("still armed after 3 ticks", us(cur.it_value) > 0 && us(cur.it_value) <= 30000);
	memset(&it, 0, sizeof it);
	CHECK_RET("disarm", setitimer(ITIMER_REAL, &it, &old), 0);
	check("old value: the 30 ms interval", us(old.it_interval) == 30000);
	int seen = ticks;
	struct timespec nap = {0, 100000000};
	nanosleep(&nap, NULL);
	check("no ticks after disarming", ticks == seen && seen == 3);

	/* One-shot: fires once. */
	ticks = 0;
	it.it_value.tv_usec = 20000;
	setitimer(ITIMER_REAL, &it, NULL);
	nap.tv_nsec = 150000000;
	while (nanosleep(&nap, &nap) == -1 && errno == EINTR)
		;
	check("one-shot fired once", ticks == 1);
	getitimer(ITIMER_REAL, &cur);
	check("and is disarmed", us(cur.it_value) == 0);

	it.it_value.tv_usec = 1000000;
	CHECK_ERR("tv_usec = 1000000", setitimer(ITIMER_REAL, &it, NULL), EINVAL);
	it.it_value.tv_usec = -1;
	CHECK_ERR("tv_usec = -1", setitimer(ITIMER_REAL, &it, NULL), EINVAL);
	it.it_value.tv_usec = 0;
	CHECK_ERR("unknown timer", syscall(SYS_setitimer, 7, &it, NULL), EINVAL);
	CHECK_ERR("getitimer unknown timer", syscall(SYS_getitimer, 7, &cur), EINVAL);
	CHECK_ERR("getitimer into unmapped", syscall(SYS_getitimer, ITIMER_REAL, (void *)8), EFAULT);
	return compat_done();
}
