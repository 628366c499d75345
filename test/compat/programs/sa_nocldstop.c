/*
 * sa_nocldstop: a SIGCHLD handler runs for a child's stop and continue
 * (si_code CLD_STOPPED, CLD_CONTINUED) and exit; with SA_NOCLDSTOP it runs
 * only for the exit.
 */
#include "compat.h"
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile int codes[8], n;

static void handler(int sig, siginfo_t *si, void *uc)
{
	if (n < 8)
		codes[n++] = si->si_code;
}

static const char *name(int c)
{
	return c == CLD_EXITED ? "CLD_EXITED" : c == CLD_STOPPED ? "CLD_STOPPED" : c == CLD_CONTINUED ? "CLD_CONTINUED"
	       : c == CLD_KILLED ? "CLD_KILLED" : "other";
}

static void run(int flags)
{
	struct sigaction sa = {.sa_sigaction = handler, .sa_flags = SA_SIGINFO | SA_RESTART | flags};
	sigaction(SIGCHLD, &sa, NULL);
	n = 0;
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0)
		for (;;)
			pause();
	int st;
	kill(pid, SIGSTOP);
	waitpid(pid, &st, WUNTRACED);
	usleep(50000);
	kill(pid, SIGCONT);
	waitpid(pid, &st, WCONTINUED);
	usleep(50000);
	kill(pid, SIGTERM);
	waitpid(pid, &st, 0);
	usleep(50000);
	printf("%s:", flags ? "SA_NOCLDSTOP" : "plain");
	for (int i = 0; i < n; i++)
		printf(" %s", name(codes[i]));
	printf("\n");
}

int main(void)
{
	run(0);
	run(SA_NOCLDSTOP);
	return compat_done();
}
