/*
 * timer_signal: a POSIX timer with SIGEV_SIGNAL delivers its signal with
 * si_code SI_TIMER, the timer's sival and id; a periodic timer fires
 * repeatedly; while the signal is blocked, expirations accumulate as
 * overruns (si_overrun / timer_getoverrun > 0); timer_gettime reports the
 * interval; a deleted timer gives EINVAL.
 */
#include "compat.h"
#include <signal.h>
#include <time.h>
#include <unistd.h>

static volatile int fired, code, value, overrun;
static volatile timer_t tid_seen;

static void handler(int sig, siginfo_t *si, void *uc)
{
	fired++;
	code = si->si_code;
	value = si->si_value.sival_int;
	overrun = si->si_overrun;
	tid_seen = (timer_t)(long)si->si_timerid;
}

int main(void)
{
	struct sigaction sa = {.sa_sigaction = handler, .sa_flags = SA_SIGINFO};
	sigaction(SIGRTMIN, &sa, NULL);
	struct sigevent ev = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGRTMIN, .sigev_value.sival_int = 99};
	timer_t t;
	CHECK_RET("timer_create", timer_create(CLOCK_MONOTONIC, &ev, &t), 0);
	struct itimerspec its = {.it_value = {0, 20000000}};
	timer_settime(t, 0, &its, NULL);
	for (int i = 0; i < 1000 && !fired; i++)
		usleep(1000);
	check("one-shot fired once", fired == 1);
	check("SI_TIMER, sival 99", code == SI_TIMER && value == 99);

	fired = 0;
	struct itimerspec per = {.it_value = {0, 10000000}, .it_interval = {0, 10000000}};
	timer_settime(t, 0, &per, NULL);
	for (int i = 0; i < 2000 && fired < 5; i++)
		usleep(1000);
	check("periodic fired 5 times", fired >= 5);
	struct itimerspec cur;
	timer_gettime(t, &cur);
	check("timer_gettime: interval 10 ms", cur.it_interval.tv_sec == 0 && cur.it_interval.tv_nsec == 10000000);
	check("timer_gettime: armed", cur.it_value.tv_sec > 0 || cur.it_value.tv_nsec > 0);

	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGRTMIN);
	sigprocmask(SIG_BLOCK, &s, NULL);
	usleep(200000);
	fired = 0;
	sigprocmask(SIG_UNBLOCK, &s, NULL);
	check("one delivery for many expirations", fired == 1);
	check("si_overrun > 0", overrun > 0);
	struct itimerspec off = {0};
	timer_settime(t, 0, &off, NULL);
	timer_gettime(t, &cur);
	check("disarmed", cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec == 0);
	CHECK_RET("timer_delete", timer_delete(t), 0);
	CHECK_ERR("timer_gettime of a deleted timer", timer_gettime(t, &cur), EINVAL);
	struct sigevent bad = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = 99};
	CHECK_ERR("timer_create with signal 99", timer_create(CLOCK_MONOTONIC, &bad, &t), EINVAL);
	CHECK_ERR("timer_create on a bad clock", timer_create(99, &ev, &t), EINVAL);
	return compat_done();
}
