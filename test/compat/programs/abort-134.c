/* abort: abort() kills the process with SIGABRT (status 134), even with SIGABRT blocked or ignored. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGABRT);
	sigprocmask(SIG_BLOCK, &s, NULL);
	signal(SIGABRT, SIG_IGN);
	printf("calling abort with SIGABRT blocked and ignored\n");
	fflush(stdout);
	abort();
}
