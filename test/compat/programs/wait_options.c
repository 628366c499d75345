/*
 * wait_options: WNOHANG returns 0 while children run and ECHILD without
 * any; waitpid of a non-child gives ECHILD; unknown options EINVAL;
 * waitid WNOWAIT leaves the zombie to be waited again; waitid needs one of
 * WEXITED/WSTOPPED/WCONTINUED (EINVAL); waitpid(0) waits for the caller's
 * group and waitpid(-pgid) for another group; wait4 fills rusage.
 */
#include "compat.h"
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
	int st;
	CHECK_ERR("WNOHANG without children", waitpid(-1, &st, WNOHANG), ECHILD);
	CHECK_ERR("wait without children", wait(&st), ECHILD);
	int p[2];
	pipe(p);
	fflush(stdout);
	pid_t a = fork();
	if (a == 0) {
		char c;
		read(p[0], &c, 1);
		_exit(1);
	}
	CHECK_RET("WNOHANG while the child runs", waitpid(-1, &st, WNOHANG), 0);
	CHECK_ERR("waitpid of a non-child (this process)", waitpid(getpid(), &st, 0), ECHILD);
	CHECK_ERR("unknown option", waitpid(-1, &st, 0x10000), EINVAL);
	siginfo_t si;
	CHECK_ERR("waitid without WEXITED etc.", waitid(P_ALL, 0, &si, WNOHANG), EINVAL);
	memset(&si, 0, sizeof si);
	CHECK_RET("waitid WNOHANG while running", waitid(P_ALL, 0, &si, WEXITED | WNOHANG), 0);
	check("si_pid 0 when nothing is ready", si.si_pid == 0);
	write(p[1], "x", 1);
	memset(&si, 0, sizeof si);
	CHECK_RET("waitid WNOWAIT", waitid(P_PID, a, &si, WEXITED | WNOWAIT), 0);
	check("si_pid, CLD_EXITED, status 1", si.si_pid == a && si.si_code == CLD_EXITED && si.si_status == 1);
	struct rusage ru;
	CHECK_RET("wait4 after WNOWAIT still finds it", wait4(a, &st, 0, &ru), a);
	check("WEXITSTATUS 1", WIFEXITED(st) && WEXITSTATUS(st) == 1);
	CHECK_ERR("and now it is gone", waitpid(a, &st, WNOHANG), ECHILD);

	pid_t b = fork();
	if (b == 0)
		_exit(2);
	pid_t c = fork();
	if (c == 0) {
		setpgid(0, 0);
		usleep(50000);
		_exit(3);
	}
	setpgid(c, c);
	CHECK_RET("waitpid(0) takes the child in our group", waitpid(0, &st, 0), b);
	CHECK_ERR("waitpid(0) again: none left in our group", waitpid(0, &st, WNOHANG), ECHILD);
	CHECK_RET("waitpid(-pgid) takes the other", waitpid(-c, &st, 0), c);
	check("status 3", WEXITSTATUS(st) == 3);
	return compat_done();
}
