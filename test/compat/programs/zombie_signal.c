/*
 * zombie_signal: a child that has exited but is not yet reaped can still
 * be signalled: kill(pid, 0), kill(pid, SIGTERM) and pidfd_send_signal
 * return 0 (Linux finds the zombie); only after waitpid do they give
 * ESRCH.
 */
#include "compat.h"
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
	pid_t pid = fork();
	if (pid == 0)
		_exit(0);
	int pfd = syscall(SYS_pidfd_open, pid, 0);
	siginfo_t si;
	waitid(P_PID, pid, &si, WEXITED | WNOWAIT); /* now it is a zombie */
	CHECK_RET("kill(zombie, 0)", kill(pid, 0), 0);
	CHECK_RET("kill(zombie, SIGTERM)", kill(pid, SIGTERM), 0);
	CHECK_RET("pidfd_send_signal(zombie, 0)", syscall(SYS_pidfd_send_signal, pfd, 0, NULL, 0), 0);
	waitpid(pid, NULL, 0);
	CHECK_ERR("kill after reaping", kill(pid, 0), ESRCH);
	return compat_done();
}
