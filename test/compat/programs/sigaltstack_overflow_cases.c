/*
 * sigaltstack_overflow_cases: a handler on a 16 KiB alternate stack (an
 * inaccessible page below it) recurses until it overflows. With no
 * SIGSEGV handler the process dies of SIGSEGV. With an SA_ONSTACK SIGSEGV
 * handler, Linux finds the faulting stack pointer below the alternate
 * stack, so it is "not on it" and the SIGSEGV frame goes at the top of
 * the alternate stack again: the handler runs (and here exits 3). Each
 * case runs in a child.
 */
#include "compat.h"
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static void on_segv(int sig) { _exit(3); }

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

static void child(int segv_handler)
{
	char *m = mmap(NULL, 4096 + 16384, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	mprotect(m, 4096, PROT_NONE);
	stack_t ss = {.ss_sp = m + 4096, .ss_size = 16384};
	sigaltstack(&ss, NULL);
	if (segv_handler) {
		struct sigaction sa = {.sa_handler = on_segv, .sa_flags = SA_ONSTACK};
		sigaction(SIGSEGV, &sa, NULL);
	}
	struct sigaction su = {.sa_handler = on_usr1, .sa_flags = SA_ONSTACK};
	sigaction(SIGUSR1, &su, NULL);
	raise(SIGUSR1);
	_exit(0);
}

static void run(const char *what, int segv_handler)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0)
		child(segv_handler);
	int st;
	waitpid(pid, &st, 0);
	if (WIFSIGNALED(st))
		printf("%s: killed by signal %d\n", what, WTERMSIG(st));
	else
		printf("%s: exit %d\n", what, WEXITSTATUS(st));
}

int main(void)
{
	run("no SIGSEGV handler", 0);
	run("SA_ONSTACK SIGSEGV handler", 1);
	return compat_done();
}
