/*
 * sigchld_ign: with SIGCHLD set to SIG_IGN children are reaped
 * automatically: wait blocks until all have exited and then gives ECHILD;
 * SA_NOCLDWAIT with a handler does the same but the handler still runs;
 * with SIGCHLD at SIG_DFL zombies stay for wait.
 */
#include "compat.h"
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile int handled;
static void handler(int sig) { handled++; }

int main(void)
{
	signal(SIGCHLD, SIG_IGN);
	fflush(stdout);
	for (int i = 0; i < 3; i++)
		if (fork() == 0) {
			usleep(50000 * (i + 1));
			_exit(i);
		}
	int st;
	CHECK_ERR("SIG_IGN: wait gives ECHILD (after all exited)", wait(&st), ECHILD);
	CHECK_ERR("SIG_IGN: waitpid(-1, WNOHANG)", waitpid(-1, &st, WNOHANG), ECHILD);

	struct sigaction sa = {.sa_handler = handler, .sa_flags = SA_NOCLDWAIT | SA_RESTART};
	sigaction(SIGCHLD, &sa, NULL);
	pid_t pid = fork();
	if (pid == 0)
		_exit(0);
	CHECK_ERR("SA_NOCLDWAIT: wait gives ECHILD", wait(&st), ECHILD);
	for (int i = 0; i < 1000 && !handled; i++)
		usleep(1000);
	check("SA_NOCLDWAIT: the handler still ran", handled == 1);

	signal(SIGCHLD, SIG_DFL);
	pid = fork();
	if (pid == 0)
		_exit(9);
	usleep(50000);
	CHECK_RET("SIG_DFL: the zombie waits for us", waitpid(pid, &st, 0), pid);
	check("status 9", WEXITSTATUS(st) == 9);
	return compat_done();
}
