/*
 * exit_status: how wait encodes endings: exit codes 0..255 (256 wraps to
 * 0, -1 to 255) in bits 8-15; death by signal in the low 7 bits (SIGTERM,
 * SIGKILL, SIGUSR1, SIGABRT, SIGSEGV); for SIGQUIT only WTERMSIG is
 * compared, since the core-dump bit depends on the host's core settings;
 * waitid's CLD_EXITED / CLD_KILLED / CLD_DUMPED split likewise.
 */
#include "compat.h"
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static int status_of(int code, int sig)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		struct rlimit no = {0, 0};
		setrlimit(RLIMIT_CORE, &no);
		if (sig) {
			signal(sig, SIG_DFL);
			kill(getpid(), sig);
			for (;;)
				pause();
		}
		_exit(code);
	}
	int st;
	waitpid(pid, &st, 0);
	return st;
}

int main(void)
{
	int codes[] = {0, 1, 42, 127, 128, 255, 256, 257, -1};
	for (unsigned i = 0; i < sizeof codes / sizeof codes[0]; i++) {
		int st = status_of(codes[i], 0);
		printf("_exit(%d): raw 0x%04x WIFEXITED %d WEXITSTATUS %d\n", codes[i], st, WIFEXITED(st), WEXITSTATUS(st));
	}
	int sigs[] = {SIGTERM, SIGKILL, SIGUSR1, SIGABRT, SIGSEGV, SIGPIPE, SIGALRM};
	for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
		int st = status_of(0, sigs[i]);
		printf("signal %d: WIFSIGNALED %d WTERMSIG %d WIFEXITED %d\n", sigs[i], WIFSIGNALED(st), WTERMSIG(st), WIFEXITED(st));
	}
	int st = status_of(0, SIGQUIT);
	printf("SIGQUIT: WIFSIGNALED %d WTERMSIG %d\n", WIFSIGNALED(st), WTERMSIG(st));
	st = status_of(0, SIGTERM);
	printf("SIGTERM raw: 0x%04x\n", st);

	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0)
		_exit(3);
	siginfo_t si;
	waitid(P_PID, pid, &si, WEXITED);
	printf("waitid exit: %s %d\n", si.si_code == CLD_EXITED ? "CLD_EXITED" : "other", si.si_status);
	pid = fork();
	if (pid == 0)
		for (;;)
			pause();
	kill(pid, SIGINT);
	waitid(P_PID, pid, &si, WEXITED);
	printf("waitid SIGINT: %s %d\n", si.si_code == CLD_KILLED ? "CLD_KILLED" : "other", si.si_status);
	return compat_done();
}
