/*
 * sigmask_fork_exec: what fork and execve keep: a forked child inherits
 * the signal mask and handlers but not pending signals; across execve the
 * mask and pending signals stay, caught signals reset to SIG_DFL, ignored
 * ones stay ignored, and the alternate signal stack is cleared.
 */
#include "compat.h"
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

static void handler(int sig) {}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "exec") == 0) {
		sigset_t m, p;
		sigprocmask(SIG_BLOCK, NULL, &m);
		sigpending(&p);
		check("after exec: SIGUSR1 still blocked", sigismember(&m, SIGUSR1));
		check("after exec: SIGUSR1 still pending", sigismember(&p, SIGUSR1));
		struct sigaction sa;
		sigaction(SIGUSR2, NULL, &sa);
		check("after exec: caught SIGUSR2 reset to SIG_DFL", sa.sa_handler == SIG_DFL);
		sigaction(SIGHUP, NULL, &sa);
		check("after exec: ignored SIGHUP still SIG_IGN", sa.sa_handler == SIG_IGN);
		stack_t ss;
		sigaltstack(NULL, &ss);
		check("after exec: no alternate stack", ss.ss_flags == SS_DISABLE);
		return compat_done() ? 1 : 5;
	}
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	sigprocmask(SIG_BLOCK, &s, NULL);
	signal(SIGUSR2, handler);
	signal(SIGHUP, SIG_IGN);
	static char alt[65536];
	stack_t ss = {.ss_sp = alt, .ss_size = sizeof alt};
	sigaltstack(&ss, NULL);
	raise(SIGUSR1);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		sigset_t m, p;
		sigprocmask(SIG_BLOCK, NULL, &m);
		sigpending(&p);
		check("forked child: SIGUSR1 blocked", sigismember(&m, SIGUSR1));
		check("forked child: nothing pending", !sigismember(&p, SIGUSR1));
		struct sigaction sa;
		sigaction(SIGUSR2, NULL, &sa);
		check("forked child: handler kept", sa.sa_handler == handler);
		stack_t cs;
		sigaltstack(NULL, &cs);
		check("forked child: alternate stack kept", cs.ss_sp == alt && cs.ss_flags == 0);
		fflush(stdout);
		_exit(compat_done());
	}
	int st;
	waitpid(pid, &st, 0);
	check("forked child passed", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		raise(SIGUSR1); /* pending in this child */
		execl("/proc/self/exe", argv[0], "exec", (char *)NULL);
		_exit(127);
	}
	waitpid(pid, &st, 0);
	check("exec'd child passed", WIFEXITED(st) && WEXITSTATUS(st) == 5);
	return compat_done();
}
