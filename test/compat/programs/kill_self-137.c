/*
 * kill_self: signals sent to oneself: signal 0 probes, ignored and blocked
 * signals do nothing, SIGKILL can be neither caught nor blocked and ends the
 * process (status 137).
 */
#include "compat.h"
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
	pid_t pid = getpid(), tid = gettid();
	CHECK_RET("kill(self, 0)", kill(pid, 0), 0);
	CHECK_RET("tkill(self, 0)", syscall(SYS_tkill, tid, 0), 0);
	CHECK_RET("tgkill(self, self, 0)", syscall(SYS_tgkill, pid, tid, 0), 0);
	CHECK_ERR("kill invalid signal 65", kill(pid, 65), EINVAL);
	CHECK_ERR("kill negative signal", kill(pid, -1), EINVAL);
	CHECK_ERR("tgkill invalid signal", syscall(SYS_tgkill, pid, tid, 65), EINVAL);
	CHECK_ERR("tgkill tgid 0", syscall(SYS_tgkill, 0, tid, SIGUSR1), EINVAL);
	CHECK_ERR("tkill tid 0", syscall(SYS_tkill, 0, SIGUSR1), EINVAL);
	CHECK_ERR("tkill tid -1", syscall(SYS_tkill, -1, SIGUSR1), EINVAL);

	signal(SIGTERM, SIG_IGN);
	CHECK_RET("kill(self, SIGTERM) while ignored", kill(pid, SIGTERM), 0);
	printf("survived an ignored SIGTERM\n");
	signal(SIGCHLD, SIG_DFL);
	CHECK_RET("SIGCHLD with the default action is ignored", kill(pid, SIGCHLD), 0);
	CHECK_RET("SIGURG with the default action is ignored", raise(SIGURG), 0);
	CHECK_RET("SIGWINCH with the default action is ignored", raise(SIGWINCH), 0);

	struct sigaction sa = {0};
	sa.sa_handler = SIG_IGN;
	CHECK_ERR("sigaction(SIGKILL) refused", sigaction(SIGKILL, &sa, NULL), EINVAL);
	CHECK_ERR("sigaction(SIGSTOP) refused", sigaction(SIGSTOP, &sa, NULL), EINVAL);
	CHECK_RET("sigaction(SIGKILL) query works", sigaction(SIGKILL, NULL, &sa), 0);
	sigset_t all;
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, NULL);
	printf("all signals blocked; sending SIGKILL\n");
	fflush(stdout);
	kill(pid, SIGKILL);
	printf("not reached\n");
	return 1;
}
