/*
 * stop_cont: SIGSTOP stops a child: waitpid with WUNTRACED reports
 * WIFSTOPPED/WSTOPSIG; without WUNTRACED it does not (WNOHANG gives 0);
 * SIGCONT resumes it: WCONTINUED reports WIFCONTINUED once; waitid
 * reports CLD_STOPPED and CLD_CONTINUED; SIGKILL ends a stopped child.
 * (Not SIGTSTP: its default stop is dropped in an orphaned process group,
 * and whether the harness's group is orphaned differs between runs.)
 */
#include "compat.h"
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
	int p[2];
	pipe(p);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		for (;;) {
			char c;
			if (read(p[0], &c, 1) == 1 && c == 'q')
				_exit(12);
		}
	}
	int st;
	kill(pid, SIGSTOP);
	CHECK_RET("waitpid WUNTRACED", waitpid(pid, &st, WUNTRACED), pid);
	check("WIFSTOPPED, WSTOPSIG SIGSTOP", WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP);
	printf("raw status: 0x%x\n", st);
	CHECK_RET("stop reported once: WUNTRACED|WNOHANG gives 0", waitpid(pid, &st, WUNTRACED | WNOHANG), 0);
	kill(pid, SIGCONT);
	CHECK_RET("waitpid WCONTINUED", waitpid(pid, &st, WCONTINUED), pid);
	check("WIFCONTINUED", WIFCONTINUED(st));
	printf("raw status: 0x%x\n", st);
	CHECK_RET("continue reported once", waitpid(pid, &st, WCONTINUED | WNOHANG), 0);

	kill(pid, SIGSTOP);
	siginfo_t si = {0};
	CHECK_RET("waitid WSTOPPED", waitid(P_PID, pid, &si, WSTOPPED), 0);
	check("CLD_STOPPED, si_status SIGSTOP, si_pid", si.si_code == CLD_STOPPED && si.si_status == SIGSTOP && si.si_pid == pid);
	kill(pid, SIGCONT);
	memset(&si, 0, sizeof si);
	CHECK_RET("waitid WCONTINUED", waitid(P_PID, pid, &si, WCONTINUED), 0);
	check("CLD_CONTINUED, si_status SIGCONT", si.si_code == CLD_CONTINUED && si.si_status == SIGCONT);

	write(p[1], "q", 1);
	waitpid(pid, &st, 0);
	check("resumed child exits 12", WIFEXITED(st) && WEXITSTATUS(st) == 12);

	pid = fork();
	if (pid == 0)
		for (;;)
			pause();
	kill(pid, SIGSTOP);
	waitpid(pid, &st, WUNTRACED);
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	check("SIGKILL ends a stopped child", WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	return compat_done();
}
