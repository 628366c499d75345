/*
 * sigchld_wait: SIGCHLD arrives while the parent waits: a parent blocked
 * in waitpid gets the child's pid and its SIGCHLD handler runs (with
 * si_code CLD_EXITED, si_pid, si_status); a parent in pause() is woken by
 * SIGCHLD (EINTR) when a child exits; a parent in sigsuspend likewise.
 */
#include "compat.h"
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile int chld, code, status;
static volatile pid_t from;

static void on_chld(int sig, siginfo_t *si, void *uc)
{
	chld++;
	code = si->si_code;
	from = si->si_pid;
	status = si->si_status;
}

static void on_alarm(int sig) {}

int main(void)
{
	struct sigaction sa = {.sa_sigaction = on_chld, .sa_flags = SA_SIGINFO};
	sigaction(SIGCHLD, &sa, NULL);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		usleep(100000);
		_exit(5);
	}
	int st;
	CHECK_RET("waitpid returns the child", waitpid(pid, &st, 0), pid);
	check("status 5", WIFEXITED(st) && WEXITSTATUS(st) == 5);
	check("SIGCHLD handler ran", chld == 1);
	check("si_code CLD_EXITED, si_pid, si_status 5", code == CLD_EXITED && from == pid && status == 5);

	/*
	 * Should the child exit before pause() starts (a loaded machine), its
	 * SIGCHLD would be handled already: an alarm then ends the pause, so
	 * the output is the same either way.
	 */
	chld = 0;
	struct sigaction al = {.sa_handler = on_alarm};
	sigaction(SIGALRM, &al, NULL);
	pid = fork();
	if (pid == 0) {
		usleep(100000);
		_exit(6);
	}
	alarm(3);
	CHECK_ERR("pause woken by SIGCHLD", pause(), EINTR);
	alarm(0);
	check("handler ran", chld == 1 && from == pid && status == 6);
	waitpid(pid, NULL, 0);

	sigset_t block, empty;
	sigemptyset(&block);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, NULL);
	chld = 0;
	pid = fork();
	if (pid == 0)
		_exit(8);
	usleep(100000);
	check("blocked: not run yet", chld == 0);
	sigemptyset(&empty);
	CHECK_ERR("sigsuspend", sigsuspend(&empty), EINTR);
	check("handler ran in sigsuspend", chld == 1 && status == 8);
	waitpid(pid, NULL, 0);
	return compat_done();
}
