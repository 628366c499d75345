/*
 * futex_signal: a thread blocked in FUTEX_WAIT receives a signal: with a
 * handler installed without SA_RESTART the wait fails with EINTR after the
 * handler ran; with SA_RESTART it keeps waiting until FUTEX_WAKE (returns
 * 0); a FUTEX_WAIT with a timeout interrupted by a handler gives EINTR
 * even with SA_RESTART.
 */
#include "compat.h"
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static uint32_t word;
static volatile int handled;
static volatile long result, err;
static volatile pid_t waiter_tid;
static struct timespec *timeout;

static void on_usr1(int sig) { handled++; }

static void *waiter(void *arg)
{
	waiter_tid = syscall(SYS_gettid);
	errno = 0;
	result = syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 0, timeout, NULL, 0);
	err = errno;
	return NULL;
}

static void run(int flags, int wake, struct timespec *to)
{
	struct sigaction sa = {.sa_handler = on_usr1, .sa_flags = flags};
	sigaction(SIGUSR1, &sa, NULL);
	word = 0;
	handled = 0;
	waiter_tid = 0;
	timeout = to;
	pthread_t t;
	pthread_create(&t, NULL, waiter, NULL);
	while (!waiter_tid)
		usleep(1000);
	compat_wait_sleeping(getpid(), waiter_tid); /* blocked in FUTEX_WAIT */
	syscall(SYS_tgkill, getpid(), waiter_tid, SIGUSR1);
	for (int i = 0; i < 5000 && !handled; i++)
		usleep(1000);
	if (wake) {
		compat_wait_sleeping(getpid(), waiter_tid); /* waiting again */
		word = 1;
		syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
	}
	pthread_join(t, NULL);
}

int main(void)
{
	run(0, 0, NULL);
	check("no SA_RESTART: handler ran", handled == 1);
	check("no SA_RESTART: FUTEX_WAIT gives EINTR", result == -1 && err == EINTR);
	run(SA_RESTART, 1, NULL);
	check("SA_RESTART: handler ran", handled == 1);
	check("SA_RESTART: the wait went on until FUTEX_WAKE (0)", result == 0);
	struct timespec ts = {10, 0};
	run(SA_RESTART, 0, &ts);
	check("timed wait: handler ran", handled == 1);
	check("timed wait: EINTR despite SA_RESTART", result == -1 && err == EINTR);
	return compat_done();
}
