/*
 * tgkill_thread: tgkill and tkill aim a signal at one thread: its handler
 * runs on that thread (gettid seen in the handler); a thread blocking the
 * signal keeps it pending for itself while process-directed signals go to
 * a thread that accepts them; tgkill with a mismatched tgid gives ESRCH,
 * a bad tid EINVAL, pthread_kill works too.
 */
#include "compat.h"
#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

static volatile pid_t handled_on;
static volatile int stop;
static pid_t tids[3];
static pthread_barrier_t bar;

static void handler(int sig) { handled_on = syscall(SYS_gettid); }

static void *worker(void *arg)
{
	long i = (long)arg;
	tids[i] = syscall(SYS_gettid);
	if (i == 2) {
		sigset_t s;
		sigemptyset(&s);
		sigaddset(&s, SIGUSR1);
		pthread_sigmask(SIG_BLOCK, &s, NULL);
	}
	pthread_barrier_wait(&bar);
	while (!stop)
		usleep(1000);
	if (i == 2) {
		sigset_t p;
		sigpending(&p);
		return (void *)(long)sigismember(&p, SIGUSR1);
	}
	return NULL;
}

static pid_t wait_handled(void)
{
	for (int i = 0; i < 2000 && !handled_on; i++)
		usleep(1000);
	pid_t r = handled_on;
	handled_on = 0;
	return r;
}

int main(void)
{
	signal(SIGUSR1, handler);
	pthread_barrier_init(&bar, NULL, 4);
	pthread_t t[3];
	for (long i = 0; i < 3; i++)
		pthread_create(&t[i], NULL, worker, (void *)i);
	pthread_barrier_wait(&bar);
	pid_t pid = getpid();
	CHECK_RET("tgkill thread 0", syscall(SYS_tgkill, pid, tids[0], SIGUSR1), 0);
	check("ran on thread 0", wait_handled() == tids[0]);
	CHECK_RET("tgkill thread 1", syscall(SYS_tgkill, pid, tids[1], SIGUSR1), 0);
	check("ran on thread 1", wait_handled() == tids[1]);
	CHECK_RET("tkill thread 1", syscall(SYS_tkill, tids[1], SIGUSR1), 0);
	check("ran on thread 1", wait_handled() == tids[1]);
	CHECK_RET("pthread_kill thread 0", pthread_kill(t[0], SIGUSR1), 0);
	check("ran on thread 0", wait_handled() == tids[0]);
	CHECK_RET("tgkill the blocking thread 2", syscall(SYS_tgkill, pid, tids[2], SIGUSR1), 0);
	usleep(50000);
	check("nothing ran", handled_on == 0);
	CHECK_ERR("tgkill with another tgid", syscall(SYS_tgkill, pid + 100000, tids[0], SIGUSR1), ESRCH);
	CHECK_ERR("tgkill tid 0", syscall(SYS_tgkill, pid, 0, SIGUSR1), EINVAL);
	CHECK_ERR("tgkill signal 0 of a live thread", syscall(SYS_tgkill, pid, tids[0], 0) == 0 ? -1 : 0, 0);
	stop = 1;
	void *pend;
	pthread_join(t[0], NULL);
	pthread_join(t[1], NULL);
	pthread_join(t[2], &pend);
	check("thread 2 still had it pending", pend == (void *)1L);
	return compat_done();
}
