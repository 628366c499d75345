/*
 * pipe_epipe: writing to a pipe with no reader raises SIGPIPE (default:
 * death by it) and fails with EPIPE when SIGPIPE is ignored, handled or
 * blocked (then it stays pending); a partial write before the reader
 * closes still reports EPIPE for the next write.
 */
#include "compat.h"
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile int caught;
static void handler(int sig) { caught = sig; }

int main(void)
{
	int p[2];
	pipe(p);
	close(p[0]);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		write(p[1], "x", 1);
		_exit(0);
	}
	int st;
	waitpid(pid, &st, 0);
	check("default: child killed by SIGPIPE", WIFSIGNALED(st) && WTERMSIG(st) == SIGPIPE);

	signal(SIGPIPE, SIG_IGN);
	CHECK_ERR("ignored: write gives EPIPE", write(p[1], "x", 1), EPIPE);
	signal(SIGPIPE, handler);
	CHECK_ERR("handled: write gives EPIPE", write(p[1], "x", 1), EPIPE);
	check("handler ran with SIGPIPE", caught == SIGPIPE);
	caught = 0;
	sigset_t s, pend;
	sigemptyset(&s);
	sigaddset(&s, SIGPIPE);
	sigprocmask(SIG_BLOCK, &s, NULL);
	CHECK_ERR("blocked: write gives EPIPE", write(p[1], "x", 1), EPIPE);
	sigpending(&pend);
	check("SIGPIPE pending", sigismember(&pend, SIGPIPE));
	check("handler not run yet", caught == 0);
	sigprocmask(SIG_UNBLOCK, &s, NULL);
	check("unblocking runs it", caught == SIGPIPE);

	int q[2];
	pipe(q);
	CHECK_RET("write with a reader", write(q[1], "ok", 2), 2);
	close(q[0]);
	signal(SIGPIPE, SIG_IGN);
	CHECK_ERR("after the reader closed", write(q[1], "x", 1), EPIPE);
	return compat_done();
}
