/*
 * sigtimedwait_calls: sigtimedwait and sigwaitinfo take a blocked pending
 * signal without running its handler and return its number and siginfo;
 * a zero timeout with nothing pending gives EAGAIN, a short one EAGAIN
 * after waiting; a signal sent by a child while waiting wakes it; an
 * unblocked signal with a handler interrupts it (EINTR); the lowest
 * pending signal comes first, but signals sent to the thread come before
 * those sent to the process; bad timeouts EINVAL.
 */
#include "compat.h"
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile int handled;
static void handler(int sig) { handled = sig; }

int main(void)
{
	signal(SIGUSR1, handler);
	signal(SIGUSR2, handler);
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	sigaddset(&s, SIGUSR2);
	sigprocmask(SIG_BLOCK, &s, NULL);
	kill(getpid(), SIGUSR2);
	kill(getpid(), SIGUSR1);
	siginfo_t si;
	struct timespec zero = {0, 0};
	CHECK_RET("lowest first: SIGUSR1", sigtimedwait(&s, &si, &zero), SIGUSR1);
	check("si_signo, SI_USER (kill) and si_pid", si.si_signo == SIGUSR1 && si.si_code == SI_USER && si.si_pid == getpid());
	CHECK_RET("then SIGUSR2", sigwaitinfo(&s, &si), SIGUSR2);
	kill(getpid(), SIGUSR1);
	syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), SIGUSR2);
	CHECK_RET("thread-directed (tgkill) before process-directed", sigtimedwait(&s, &si, &zero), SIGUSR2);
	CHECK_RET("then the process-directed one", sigtimedwait(&s, &si, &zero), SIGUSR1);
	check("no handler ran", handled == 0);
	CHECK_ERR("nothing pending, zero timeout", sigtimedwait(&s, &si, &zero), EAGAIN);
	struct timespec t = {0, 50000000}, a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	CHECK_ERR("50 ms timeout", sigtimedwait(&s, &si, &t), EAGAIN);
	clock_gettime(CLOCK_MONOTONIC, &b);
	long ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
	check("waited at least 50 ms", ms >= 49);

	fflush(stdout);
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid == 0) {
		usleep(50000);
		kill(parent, SIGUSR2);
		_exit(0);
	}
	CHECK_RET("woken by a child's kill", sigwaitinfo(&s, &si), SIGUSR2);
	check("SI_USER from the child's pid", si.si_code == SI_USER && si.si_pid == pid);
	waitpid(pid, NULL, 0);

	signal(SIGALRM, handler);
	alarm(1);
	sigset_t only1;
	sigemptyset(&only1);
	sigaddset(&only1, SIGUSR1);
	CHECK_ERR("interrupted by SIGALRM's handler", sigwaitinfo(&only1, &si), EINTR);
	check("the handler ran", handled == SIGALRM);
	struct timespec bad = {0, 1000000000};
	CHECK_ERR("tv_nsec 1e9", sigtimedwait(&s, &si, &bad), EINVAL);
	bad.tv_sec = -1;
	bad.tv_nsec = 0;
	CHECK_ERR("negative tv_sec", sigtimedwait(&s, &si, &bad), EINVAL);
	return compat_done();
}
