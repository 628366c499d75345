/*
 * timer_thread_id: a POSIX timer with SIGEV_THREAD_ID sends its signal to
 * the named thread, whose handler sees its own tid; a SIGEV_THREAD_ID of a
 * thread in another process gives EINVAL; SIGEV_NONE timers do not fire
 * but count down.
 */
#include "compat.h"
#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifndef sigev_notify_thread_id
#define sigev_notify_thread_id _sigev_un._tid
#endif

static volatile pid_t handled_on;
static volatile pid_t target;
static volatile int stop;

static void handler(int sig) { handled_on = syscall(SYS_gettid); }

static void *worker(void *arg)
{
	target = syscall(SYS_gettid);
	while (!stop)
		usleep(1000);
	return NULL;
}

int main(void)
{
	signal(SIGUSR1, handler);
	pthread_t th;
	pthread_create(&th, NULL, worker, NULL);
	while (!target)
		usleep(1000);
	struct sigevent ev = {.sigev_notify = SIGEV_THREAD_ID, .sigev_signo = SIGUSR1};
	ev.sigev_notify_thread_id = target;
	timer_t t;
	CHECK_RET("timer_create SIGEV_THREAD_ID", timer_create(CLOCK_MONOTONIC, &ev, &t), 0);
	for (int round = 0; round < 3; round++) {
		handled_on = 0;
		struct itimerspec its = {.it_value = {0, 10000000}};
		timer_settime(t, 0, &its, NULL);
		for (int i = 0; i < 2000 && !handled_on; i++)
			usleep(1000);
		check("handled on the target thread", handled_on == target);
	}
	stop = 1;
	pthread_join(th, NULL);
	ev.sigev_notify_thread_id = 1;
	if (getpid() == 1)
		ev.sigev_notify_thread_id = 999999;
	CHECK_ERR("SIGEV_THREAD_ID of a thread not in this process", timer_create(CLOCK_MONOTONIC, &ev, &t), EINVAL);

	struct sigevent none = {.sigev_notify = SIGEV_NONE};
	timer_t n;
	timer_create(CLOCK_MONOTONIC, &none, &n);
	struct itimerspec its = {.it_value = {10, 0}}, cur;
	timer_settime(n, 0, &its, NULL);
	usleep(20000);
	timer_gettime(n, &cur);
	check("SIGEV_NONE counts down", cur.it_value.tv_sec < 10 && cur.it_value.tv_sec >= 9);
	return compat_done();
}
