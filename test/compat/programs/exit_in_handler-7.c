/*
 * exit_in_handler: _exit(7) from a signal handler ends the process at once
 * with status 7, without running atexit handlers or flushing stdio.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void never(void) { printf("atexit handler ran: wrong\n"); }

static void on_usr1(int sig)
{
	static const char msg[] = "handler: calling _exit(7)\n";
	write(1, msg, sizeof msg - 1);
	_exit(7);
}

int main(void)
{
	atexit(never);
	signal(SIGUSR1, on_usr1);
	printf("raising SIGUSR1\n");
	fflush(stdout);
	printf("still buffered, lost by _exit\n");
	raise(SIGUSR1);
	printf("not reached\n");
	return 1;
}
