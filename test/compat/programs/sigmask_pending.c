/*
 * sigmask_pending: rt_sigprocmask blocks signals, which then show in
 * rt_sigpending until unblocked, when they are delivered before
 * sigprocmask returns; standard signals coalesce, real-time signals queue;
 * the order several pending signals run in; SIGKILL and SIGSTOP cannot be
 * blocked; errors for a bad "how" and sigset size.
 */
#include "compat.h"
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

static char order[128];
static int pos;

static void handler(int sig)
{
	if (pos < (int)sizeof order - 8)
		pos += sprintf(order + pos, "%s%d", pos ? " " : "", sig);
}

static void reset(void)
{
	pos = 0;
	order[0] = 0;
}

int main(void)
{
	struct sigaction sa = {0};
	sa.sa_handler = handler;
	sigemptyset(&sa.sa_mask);
	int sigs[] = {SIGHUP, SIGINT, SIGUSR1, SIGUSR2, SIGTERM, SIGRTMIN, SIGRTMIN + 1, SIGRTMAX};
	for (int i = 0; i < 8; i++)
		sigaction(sigs[i], &sa, NULL);

	sigset_t s, old, pend;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	CHECK_RET("block SIGUSR1", sigprocmask(SIG_BLOCK, &s, &old), 0);
	check("old mask empty", !sigismember(&old, SIGUSR1));
	reset();
	raise(SIGUSR1);
	raise(SIGUSR1);
	check("blocked: handler not run", pos == 0);
	sigpending(&pend);
	check("sigpending shows SIGUSR1", sigismember(&pend, SIGUSR1) && !sigismember(&pend, SIGUSR2));
	CHECK_RET("unblock", sigprocmask(SIG_UNBLOCK, &s, NULL), 0);
	printf("delivered on unblock: %s\n", order);
	check("two raises coalesced into one delivery", strcmp(order, "10") == 0);
	sigpending(&pend);
	check("nothing pending after", !sigismember(&pend, SIGUSR1));

	/* Real-time signals queue: three sends, three deliveries. */
	sigemptyset(&s);
	sigaddset(&s, SIGRTMIN);
	sigprocmask(SIG_BLOCK, &s, NULL);
	reset();
	for (int i = 0; i < 3; i++)
		kill(getpid(), SIGRTMIN);
	sigprocmask(SIG_UNBLOCK, &s, NULL);
	printf("SIGRTMIN sent 3 times while blocked, delivered: %s\n", order);
	check("real-time signals queue", strcmp(order, "34 34 34") == 0);

	/* Several pending signals: the order the handlers run in. */
	sigfillset(&s);
	sigprocmask(SIG_SETMASK, &s, &old);
	reset();
	raise(SIGRTMAX);
	raise(SIGUSR2);
	raise(SIGRTMIN + 1);
	raise(SIGHUP);
	raise(SIGTERM);
	raise(SIGINT);
	sigpending(&pend);
	int n = 0;
	for (int i = 1; i < NSIG; i++)
		n += sigismember(&pend, i) == 1;
	printf("pending while all blocked: %d signals\n", n);
	sigprocmask(SIG_SETMASK, &old, NULL);
	printf("handlers ran in order: %s\n", order);

	/* SIGKILL and SIGSTOP are silently left out of the mask. */
	sigfillset(&s);
	sigprocmask(SIG_SETMASK, &s, NULL);
	sigprocmask(SIG_SETMASK, NULL, &old);
	check("SIGKILL not blockable", !sigismember(&old, SIGKILL));
	check("SIGSTOP not blockable", !sigismember(&old, SIGSTOP));
	check("everything else blocked", sigismember(&old, SIGSEGV) && sigismember(&old, SIGRTMAX));
	sigemptyset(&s);
	sigprocmask(SIG_SETMASK, &s, NULL);

	unsigned long raw = 0;
	CHECK_ERR("bad how", syscall(SYS_rt_sigprocmask, 7, &raw, NULL, 8), EINVAL);
	CHECK_RET("bad how with a NULL set is ignored", syscall(SYS_rt_sigprocmask, 7, NULL, &raw, 8), 0);
	CHECK_ERR("sigset size 4", syscall(SYS_rt_sigprocmask, SIG_BLOCK, &raw, NULL, 4), EINVAL);
	CHECK_ERR("sigset size 16", syscall(SYS_rt_sigprocmask, SIG_BLOCK, &raw, NULL, 16), EINVAL);
	CHECK_ERR("rt_sigpending size 16", syscall(SYS_rt_sigpending, &raw, 16), EINVAL);
	CHECK_RET("rt_sigpending size 4", syscall(SYS_rt_sigpending, &raw, 4), 0);
	CHECK_ERR("rt_sigaction sigset size 4", syscall(SYS_rt_sigaction, SIGUSR1, NULL, &raw, 4), EINVAL);
	return compat_done();
}
