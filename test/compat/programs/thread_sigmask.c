/*
 * thread_sigmask: signal masks are per thread: a process-directed signal
 * goes to a thread that does not block it; a thread started inherits its
 * creator's mask; sigwait in a dedicated thread collects signals blocked
 * everywhere; pending sets are per thread plus the shared set
 * (sigpending shows both).
 */
#include "compat.h"
#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

static volatile pid_t handled_on;
static volatile pid_t open_tid;
static volatile int stop;

static void handler(int sig) { handled_on = syscall(SYS_gettid); }

static void *open_thread(void *arg)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	pthread_sigmask(SIG_UNBLOCK, &s, NULL);
	open_tid = syscall(SYS_gettid);
	while (!stop)
		usleep(1000);
	return NULL;
}

static void *inherit(void *arg)
{
	sigset_t s;
	pthread_sigmask(SIG_BLOCK, NULL, &s);
	return (void *)(long)(sigismember(&s, SIGUSR1) && sigismember(&s, SIGUSR2));
}

static void *waiter(void *arg)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR2);
	int sig = 0;
	sigwait(&s, &sig);
	return (void *)(long)sig;
}

static void *pender(void *arg)
{
	syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), SIGUSR2);
	sigset_t p;
	sigpending(&p);
	return (void *)(long)sigismember(&p, SIGUSR2);
}

int main(void)
{
	signal(SIGUSR1, handler);
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	sigaddset(&s, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &s, NULL);
	pthread_t t, w, i;
	pthread_create(&t, NULL, open_thread, NULL);
	while (!open_tid)
		usleep(1000);
	kill(getpid(), SIGUSR1);
	for (int n = 0; n < 2000 && !handled_on; n++)
		usleep(1000);
	check("process-directed SIGUSR1 ran on the one thread not blocking it", handled_on == open_tid);
	void *r;
	pthread_create(&i, NULL, inherit, NULL);
	pthread_join(i, &r);
	check("a new thread inherits the creator's mask", r == (void *)1L);
	pthread_create(&w, NULL, waiter, NULL);
	usleep(50000);
	kill(getpid(), SIGUSR2);
	pthread_join(w, &r);
	check("sigwait in a thread collected SIGUSR2", r == (void *)(long)SIGUSR2);
	pthread_create(&i, NULL, pender, NULL);
	pthread_join(i, &r);
	check("a thread sees its own pending signal in sigpending", r == (void *)1L);
	sigset_t p;
	sigpending(&p);
	check("main does not see the other thread's private pending signal", !sigismember(&p, SIGUSR2));
	stop = 1;
	pthread_join(t, NULL);
	return compat_done();
}
