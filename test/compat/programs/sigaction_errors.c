/*
 * sigaction_errors: sigaction and rt_sigprocmask argument rules: handlers
 * for SIGKILL and SIGSTOP give EINVAL (but reading their action works),
 * signal 0 and 65 EINVAL; the old action comes back exactly (flags and
 * mask); a wrong sigsetsize gives EINVAL; SIGKILL and SIGSTOP cannot be
 * blocked (silently dropped from the mask); bad "how" gives EINVAL;
 * sigpending and sigprocmask round-trip.
 */
#include "compat.h"
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

static void handler(int sig) {}

int main(void)
{
	struct sigaction sa = {.sa_handler = handler}, old;
	CHECK_ERR("handler for SIGKILL", sigaction(SIGKILL, &sa, NULL), EINVAL);
	CHECK_ERR("handler for SIGSTOP", sigaction(SIGSTOP, &sa, NULL), EINVAL);
	CHECK_RET("reading SIGKILL's action", sigaction(SIGKILL, NULL, &old), 0);
	check("it is SIG_DFL", old.sa_handler == SIG_DFL);
	CHECK_ERR("signal 0", sigaction(0, &sa, NULL), EINVAL);
	CHECK_ERR("signal 65", sigaction(65, &sa, NULL), EINVAL);
	sa.sa_flags = SA_RESTART | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGUSR2);
	sigaddset(&sa.sa_mask, SIGKILL);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR1, NULL, &old);
	check("old handler", old.sa_handler == handler);
	check("old flags have SA_RESTART|SA_NODEFER", (old.sa_flags & (SA_RESTART | SA_NODEFER)) == (SA_RESTART | SA_NODEFER));
	check("old mask has SIGUSR2", sigismember(&old.sa_mask, SIGUSR2));
	check("old mask dropped SIGKILL", !sigismember(&old.sa_mask, SIGKILL));
	CHECK_ERR("rt_sigaction sigsetsize 4", syscall(SYS_rt_sigaction, SIGUSR1, NULL, &old, 4), EINVAL);
	sigset_t s, got;
	sigemptyset(&s);
	sigaddset(&s, SIGKILL);
	sigaddset(&s, SIGSTOP);
	sigaddset(&s, SIGTERM);
	CHECK_RET("block SIGKILL, SIGSTOP, SIGTERM", sigprocmask(SIG_BLOCK, &s, NULL), 0);
	sigprocmask(SIG_BLOCK, NULL, &got);
	check("only SIGTERM got blocked", sigismember(&got, SIGTERM) && !sigismember(&got, SIGKILL) && !sigismember(&got, SIGSTOP));
	CHECK_ERR("bad how", sigprocmask(7, &s, NULL), EINVAL);
	CHECK_ERR("rt_sigprocmask sigsetsize 16", syscall(SYS_rt_sigprocmask, SIG_BLOCK, &s, NULL, 16), EINVAL);
	CHECK_RET("SIG_SETMASK empty", sigprocmask(SIG_SETMASK, &(sigset_t){0}, &got), 0);
	check("old mask returned had SIGTERM", sigismember(&got, SIGTERM));
	CHECK_RET("bad how with a NULL set is fine", syscall(SYS_rt_sigprocmask, 7, NULL, &got, 8), 0);
	sigset_t p;
	CHECK_RET("sigpending", sigpending(&p), 0);
	check("nothing pending", sigisemptyset(&p));
	CHECK_ERR("raw rt_sigpending sigsetsize 16", syscall(SYS_rt_sigpending, &p, 16), EINVAL);
	return compat_done();
}
