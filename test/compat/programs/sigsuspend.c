/*
 * sigsuspend: waiting for a signal with a temporary mask: a signal pending
 * and blocked is delivered at once by sigsuspend with it unblocked; the
 * mask in force during the handler is the suspend mask plus the handler's;
 * the original mask is back when sigsuspend returns EINTR; a signal the
 * suspend mask still blocks does not wake it.
 */
#include "compat.h"
#include <signal.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>

static volatile int got_usr1, got_alrm;
static volatile int hup_blocked_in_handler;

static void handler(int sig)
{
	sigset_t s;
	sigprocmask(SIG_BLOCK, NULL, &s);
	if (sig == SIGUSR1) {
		got_usr1++;
		hup_blocked_in_handler = sigismember(&s, SIGHUP);
	} else {
		got_alrm++;
	}
}

int main(void)
{
	signal(SIGUSR1, handler);
	signal(SIGALRM, handler);
	sigset_t block, wait_mask, now;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigaddset(&block, SIGALRM);
	sigprocmask(SIG_BLOCK, &block, NULL);

	/* Already pending: delivered as soon as sigsuspend unblocks it. */
	raise(SIGUSR1);
	sigemptyset(&wait_mask);
	sigaddset(&wait_mask, SIGHUP);
	errno = 0;
	int r = sigsuspend(&wait_mask);
	check("pending SIGUSR1: sigsuspend returns -1 EINTR", r == -1 && errno == EINTR);
	check("handler ran once", got_usr1 == 1);
	check("handler ran with the suspend mask (SIGHUP blocked)", hup_blocked_in_handler);
	sigprocmask(SIG_BLOCK, NULL, &now);
	check("old mask restored", sigismember(&now, SIGUSR1) && sigismember(&now, SIGALRM) && !sigismember(&now, SIGHUP));

	/* A timer signal wakes it; a signal still blocked does not. */
	sigemptyset(&wait_mask);
	sigaddset(&wait_mask, SIGUSR1);
	raise(SIGUSR1); /* stays pending: the suspend mask blocks it */
	struct itimerval it = {{0, 0}, {0, 100000}};
	setitimer(ITIMER_REAL, &it, NULL);
	r = sigsuspend(&wait_mask);
	check("woken by SIGALRM, not the blocked SIGUSR1", r == -1 && got_alrm == 1 && got_usr1 == 1);
	sigset_t pend;
	sigpending(&pend);
	check("SIGUSR1 still pending", sigismember(&pend, SIGUSR1));
	sigprocmask(SIG_UNBLOCK, &block, NULL);
	check("unblocking delivers it", got_usr1 == 2);

	/* pause() waits for any handled signal. */
	it.it_value.tv_usec = 50000;
	setitimer(ITIMER_REAL, &it, NULL);
	errno = 0;
	r = pause();
	check("pause woken by SIGALRM: EINTR", r == -1 && errno == EINTR && got_alrm == 2);

	unsigned long raw = 0;
	CHECK_ERR("rt_sigsuspend sigset size 4", syscall(SYS_rt_sigsuspend, &raw, 4), EINVAL);
	CHECK_ERR("rt_sigsuspend unmapped mask", syscall(SYS_rt_sigsuspend, (void *)8, 8), EFAULT);
	return compat_done();
}
