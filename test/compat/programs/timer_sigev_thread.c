/*
 * timer_sigev_thread: a POSIX timer with SIGEV_THREAD runs its function
 * (glibc starts a helper thread that waits for the timer's signal) with
 * the given sival, on a thread other than main, once per expiration.
 */
#include "compat.h"
#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static volatile int calls, val;
static volatile pid_t ran_on;

static void notify(union sigval v)
{
	val = v.sival_int;
	ran_on = syscall(SYS_gettid);
	calls++;
}

int main(void)
{
	struct sigevent ev = {.sigev_notify = SIGEV_THREAD, .sigev_notify_function = notify, .sigev_value.sival_int = 5};
	timer_t t;
	CHECK_RET("timer_create SIGEV_THREAD", timer_create(CLOCK_MONOTONIC, &ev, &t), 0);
	struct itimerspec its = {.it_value = {0, 10000000}};
	timer_settime(t, 0, &its, NULL);
	for (int i = 0; i < 2000 && !calls; i++)
		usleep(1000);
	check("function ran once", calls == 1);
	check("with sival 5", val == 5);
	check("on a thread other than main", ran_on != 0 && ran_on != getpid());
	timer_settime(t, 0, &its, NULL);
	for (int i = 0; i < 2000 && calls < 2; i++)
		usleep(1000);
	check("and again when re-armed", calls == 2);
	timer_delete(t);
	return compat_done();
}
