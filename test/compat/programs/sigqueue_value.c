/*
 * sigqueue_value: sigqueue (rt_sigqueueinfo) delivers si_value, si_code
 * SI_QUEUE and the sender's pid to an SA_SIGINFO handler; real-time
 * signals queue (three sent while blocked arrive three times, in order of
 * sending with their values) while a standard signal sent three times
 * arrives once. When unblocked all at once, Linux sets up a frame for each
 * pending signal, lowest number first, before returning to user space, so
 * the handlers run in the opposite order; each handler's return unblocks
 * its signal and delivers the next queued instance. rt_sigqueueinfo with
 * si_code SI_USER or SI_KERNEL is allowed to oneself but gives EPERM for
 * another process.
 */
#include "compat.h"
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile int log_sig[16], log_val[16], n;
static volatile int code;
static volatile pid_t sender;

static void handler(int sig, siginfo_t *si, void *uc)
{
	if (n < 16) {
		log_sig[n] = sig;
		log_val[n] = si->si_value.sival_int;
		n++;
	}
	code = si->si_code;
	sender = si->si_pid;
}

int main(void)
{
	struct sigaction sa = {.sa_sigaction = handler, .sa_flags = SA_SIGINFO};
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGRTMIN, &sa, NULL);
	sigaction(SIGRTMIN + 1, &sa, NULL);
	union sigval v = {.sival_int = 77};
	CHECK_RET("sigqueue to itself", sigqueue(getpid(), SIGUSR1, v), 0);
	check("value 77, SI_QUEUE, sender is itself", n == 1 && log_val[0] == 77 && code == SI_QUEUE && sender == getpid());

	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	sigaddset(&s, SIGRTMIN);
	sigaddset(&s, SIGRTMIN + 1);
	sigprocmask(SIG_BLOCK, &s, NULL);
	n = 0;
	for (int i = 1; i <= 3; i++) {
		v.sival_int = 100 + i;
		sigqueue(getpid(), SIGRTMIN + 1, v);
		v.sival_int = i;
		sigqueue(getpid(), SIGRTMIN, v);
		sigqueue(getpid(), SIGUSR1, v);
	}
	sigprocmask(SIG_UNBLOCK, &s, NULL);
	printf("deliveries: %d\n", n);
	for (int i = 0; i < n; i++)
		printf("  %s value %d\n", log_sig[i] == SIGUSR1 ? "SIGUSR1" : log_sig[i] == SIGRTMIN ? "SIGRTMIN" : "SIGRTMIN+1",
		       log_val[i]);

	siginfo_t si = {0};
	si.si_signo = SIGUSR1;
	si.si_code = SI_USER;
	n = 0;
	CHECK_RET("rt_sigqueueinfo SI_USER to itself", syscall(SYS_rt_sigqueueinfo, getpid(), SIGUSR1, &si), 0);
	check("delivered as SI_USER", n == 1 && code == SI_USER);
	fflush(stdout);
	pid_t child = fork();
	if (child == 0)
		for (;;)
			pause();
	CHECK_ERR("rt_sigqueueinfo SI_USER to a child", syscall(SYS_rt_sigqueueinfo, child, SIGUSR1, &si), EPERM);
	si.si_code = SI_KERNEL;
	CHECK_ERR("rt_sigqueueinfo SI_KERNEL to a child", syscall(SYS_rt_sigqueueinfo, child, SIGUSR1, &si), EPERM);
	si.si_code = SI_QUEUE;
	CHECK_RET("rt_sigqueueinfo SI_QUEUE to a child (SIGKILL)", syscall(SYS_rt_sigqueueinfo, child, SIGKILL, &si), 0);
	waitpid(child, NULL, 0);
	CHECK_ERR("sigqueue to a bad signal", sigqueue(getpid(), 99, v), EINVAL);
	return compat_done();
}
