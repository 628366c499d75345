/* sigterm_default: a pending SIGTERM with the default action kills the process when unblocked (status 143). */
#include <signal.h>
#include <stdio.h>

int main(void)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGTERM);
	sigprocmask(SIG_BLOCK, &s, NULL);
	raise(SIGTERM);
	printf("SIGTERM pending while blocked\n");
	fflush(stdout);
	sigprocmask(SIG_UNBLOCK, &s, NULL);
	printf("not reached\n");
	return 1;
}
