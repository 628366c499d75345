/*
 * sigaltstack_overflow: a SIGUSR1 handler running on a small (16 KiB)
 * alternate stack, with an inaccessible page below it, overflows it. The
 * SIGSEGV that follows has a handler, but not SA_ONSTACK: its frame would
 * go on the overflowed stack pointer, so it cannot be delivered and the
 * process dies of SIGSEGV (status 139). sigaltstack_overflow_cases covers
 * the other handler set-ups.
 */
#include "compat.h"
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

static void on_segv(int sig)
{
	static const char msg[] = "SIGSEGV handler ran: wrong\n";
	write(1, msg, sizeof msg - 1);
	_exit(1);
}

static volatile int limit = 1 << 30;

__attribute__((noinline)) static int deep(int n)
{
	volatile char pad[512];
	pad[0] = (char)n;
	if (n == limit)
		return 0;
	return deep(n + 1) + pad[0];
}

static void on_usr1(int sig) { deep(0); }

int main(void)
{
	char *m = mmap(NULL, 4096 + 16384, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	mprotect(m, 4096, PROT_NONE);
	stack_t ss = {.ss_sp = m + 4096, .ss_size = 16384};
	check("sigaltstack", sigaltstack(&ss, NULL) == 0);
	struct sigaction sa = {.sa_handler = on_segv};
	sigaction(SIGSEGV, &sa, NULL);
	struct sigaction su = {.sa_handler = on_usr1, .sa_flags = SA_ONSTACK};
	sigaction(SIGUSR1, &su, NULL);
	printf("raising SIGUSR1\n");
	fflush(stdout);
	raise(SIGUSR1);
	printf("still alive: wrong\n");
	return 0;
}
