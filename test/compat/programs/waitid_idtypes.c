/*
 * waitid_idtypes: waitid with P_PID, P_PGID (a whole group, one at a
 * time), P_ALL and P_PIDFD (a pidfd from pidfd_open); si_code and
 * si_status for exits and kills; P_PIDFD with a closed fd gives EBADF
 * (waitid_pidfd_ebadf: with a non-pidfd); P_PGID 0 means the caller's
 * group.
 */
#include "compat.h"
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

static pid_t spawn(int code, pid_t pgid)
{
	pid_t pid = fork();
	if (pid == 0) {
		if (pgid >= 0)
			setpgid(0, pgid);
		usleep(20000);
		_exit(code);
	}
	if (pgid >= 0)
		setpgid(pid, pgid ? pgid : pid);
	return pid;
}

int main(void)
{
	fflush(stdout);
	siginfo_t si;
	pid_t a = spawn(11, -1);
	memset(&si, 0, sizeof si);
	CHECK_RET("P_PID", waitid(P_PID, a, &si, WEXITED), 0);
	check("si_pid, CLD_EXITED, 11", si.si_pid == a && si.si_code == CLD_EXITED && si.si_status == 11);
	check("si_signo SIGCHLD", si.si_signo == SIGCHLD);

	pid_t g1 = spawn(21, 0);
	pid_t g2 = spawn(22, g1);
	pid_t other = spawn(23, -1);
	int seen = 0;
	for (int i = 0; i < 2; i++) {
		memset(&si, 0, sizeof si);
		if (waitid(P_PGID, g1, &si, WEXITED) == 0 && (si.si_pid == g1 || si.si_pid == g2))
			seen++;
	}
	CHECK_RET("P_PGID reaps both group members", seen, 2);
	CHECK_ERR("P_PGID with the group empty", waitid(P_PGID, g1, &si, WEXITED), ECHILD);
	memset(&si, 0, sizeof si);
	CHECK_RET("P_PGID 0: our own group", waitid(P_PGID, 0, &si, WEXITED), 0);
	check("it was the child in our group", si.si_pid == other && si.si_status == 23);

	pid_t k = fork();
	if (k == 0)
		for (;;)
			pause();
	int pfd = syscall(SYS_pidfd_open, k, 0);
	check("pidfd_open", pfd >= 0);
	kill(k, SIGTERM);
	memset(&si, 0, sizeof si);
	CHECK_RET("P_PIDFD", waitid(P_PIDFD, pfd, &si, WEXITED), 0);
	check("CLD_KILLED, SIGTERM", si.si_pid == k && si.si_code == CLD_KILLED && si.si_status == SIGTERM);
	CHECK_ERR("P_PIDFD on a reaped child's pidfd", waitid(P_PIDFD, pfd, &si, WEXITED | WNOHANG), ECHILD);
	CHECK_ERR("P_PIDFD on a closed fd", waitid(P_PIDFD, 99, &si, WEXITED), EBADF);
	CHECK_ERR("unknown idtype", waitid((idtype_t)9, 0, &si, WEXITED), EINVAL);
	return compat_done();
}
