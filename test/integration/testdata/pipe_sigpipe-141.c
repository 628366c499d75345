/*
 * pipe_sigpipe: writing to a pipe without readers fails with EPIPE and
 * sends SIGPIPE to the writer (si_code SI_USER, from itself); ignored,
 * blocked and caught SIGPIPE; at the end the default action kills the
 * program (status 128 + 13).
 */
#include "pipetest.h"
#include <signal.h>

static volatile int caught, code, frompid;

static void handler(int sig, siginfo_t *si, void *uc)
{
	caught++;
	code = si->si_code;
	frompid = si->si_pid == getpid();
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	int p[2];
	MUST(pipe(p));
	close(p[0]);
	struct sigaction sa = {0};
	sa.sa_sigaction = handler;
	sa.sa_flags = SA_SIGINFO;
	MUST(sigaction(SIGPIPE, &sa, NULL));
	SHOW("write, caught", write(p[1], "x", 1));
	printf("caught %d si_code %d from self %d\n", caught, code, frompid);
	SHOW("empty write", write(p[1], "", 0));
	printf("caught %d\n", caught);

	signal(SIGPIPE, SIG_IGN);
	SHOW("write, ignored", write(p[1], "x", 1));

	sigset_t set, pending;
	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	MUST(sigaction(SIGPIPE, &sa, NULL));
	MUST(sigprocmask(SIG_BLOCK, &set, NULL));
	SHOW("write, blocked", write(p[1], "x", 1));
	sigpending(&pending);
	printf("pending %d caught %d\n", sigismember(&pending, SIGPIPE), caught);
	MUST(sigprocmask(SIG_UNBLOCK, &set, NULL));
	printf("after unblocking: caught %d\n", caught);

	/* A write that fills part of the pipe, then loses its reader. */
	int q[2];
	MUST(pipe(q));
	SHOW("write with a reader", write(q[1], "abc", 3));
	close(q[0]);
	SHOW("write after the reader left", write(q[1], "def", 3));
	printf("caught %d\n", caught);

	signal(SIGPIPE, SIG_DFL);
	write(p[1], "x", 1);
	printf("still alive\n");
	return 0;
}
