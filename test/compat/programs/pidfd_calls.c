/*
 * pidfd_calls: pidfd_open of a child gives a close-on-exec descriptor;
 * pidfd_send_signal kills through it (and sends a siginfo's si_value to a
 * handler); after the child is reaped, signal 0 gives ESRCH (zombie_signal:
 * before it is reaped); errors: pidfd_open of a missing pid ESRCH, unknown
 * flags EINVAL, pidfd_send_signal on a non-pidfd EBADF.
 */
#include "compat.h"
#include <fcntl.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int sigval_pipe[2];

static void on_usr1(int sig, siginfo_t *si, void *uc)
{
	int v = si->si_value.sival_int;
	write(sigval_pipe[1], &v, sizeof v);
	int code = si->si_code;
	write(sigval_pipe[1], &code, sizeof code);
}

int main(void)
{
	pipe(sigval_pipe);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		struct sigaction sa = {.sa_sigaction = on_usr1, .sa_flags = SA_SIGINFO};
		sigaction(SIGUSR1, &sa, NULL);
		for (;;)
			pause();
	}
	int pfd = syscall(SYS_pidfd_open, pid, 0);
	check("pidfd_open", pfd >= 0);
	check("close-on-exec", fcntl(pfd, F_GETFD) == FD_CLOEXEC);
	usleep(100000); /* let the child install its handler */
	siginfo_t si = {0};
	si.si_signo = SIGUSR1;
	si.si_code = SI_QUEUE;
	si.si_pid = getpid();
	si.si_uid = getuid();
	si.si_value.sival_int = 4242;
	CHECK_RET("pidfd_send_signal SIGUSR1 with siginfo", syscall(SYS_pidfd_send_signal, pfd, SIGUSR1, &si, 0), 0);
	int v = 0, code = 0;
	read(sigval_pipe[0], &v, sizeof v);
	read(sigval_pipe[0], &code, sizeof code);
	check("handler got si_value 4242 and SI_QUEUE", v == 4242 && code == SI_QUEUE);
	CHECK_RET("pidfd_send_signal signal 0", syscall(SYS_pidfd_send_signal, pfd, 0, NULL, 0), 0);
	CHECK_RET("pidfd_send_signal SIGKILL", syscall(SYS_pidfd_send_signal, pfd, SIGKILL, NULL, 0), 0);
	int st;
	waitpid(pid, &st, 0);
	check("child died of SIGKILL", WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	CHECK_ERR("after reaping", syscall(SYS_pidfd_send_signal, pfd, 0, NULL, 0), ESRCH);
	CHECK_ERR("pidfd_open of the reaped pid", syscall(SYS_pidfd_open, pid, 0), ESRCH);
	CHECK_ERR("pidfd_open unknown flag", syscall(SYS_pidfd_open, getpid(), 1), EINVAL);
	CHECK_ERR("pidfd_send_signal on a pipe", syscall(SYS_pidfd_send_signal, sigval_pipe[0], 0, NULL, 0), EBADF);
	int self = syscall(SYS_pidfd_open, getpid(), 0);
	CHECK_ERR("pidfd_send_signal unknown flag", syscall(SYS_pidfd_send_signal, self, 0, NULL, 0x100), EINVAL);
	CHECK_RET("pidfd of itself, signal 0", syscall(SYS_pidfd_send_signal, self, 0, NULL, 0), 0);
	return compat_done();
}
