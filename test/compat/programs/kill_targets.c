/*
 * kill_targets: kill's targets and permissions: pid > 0 one process,
 * 0 the caller's process group, -pgid another group, -1 every process the
 * caller may signal except itself (run by an unprivileged uid whose only
 * processes are this test's); signal 0 checks existence; an unprivileged
 * user gets EPERM for another user's process; ESRCH for a missing pid or
 * group; EINVAL for a bad signal number.
 */
#include "compat.h"
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

static pid_t sleeper(pid_t pgid)
{
	pid_t pid = fork();
	if (pid == 0) {
		if (pgid >= 0)
			setpgid(0, pgid);
		for (;;)
			pause();
	}
	if (pgid >= 0)
		setpgid(pid, pgid ? pgid : pid);
	return pid;
}

static int killed_by(pid_t pid, int sig)
{
	int st;
	return waitpid(pid, &st, 0) == pid && WIFSIGNALED(st) && WTERMSIG(st) == sig;
}

int main(void)
{
	fflush(stdout);
	pid_t a = sleeper(-1);
	CHECK_RET("kill(pid, 0) of a live child", kill(a, 0), 0);
	CHECK_RET("kill(pid, SIGTERM)", kill(a, SIGTERM), 0);
	check("it died of SIGTERM", killed_by(a, SIGTERM));
	CHECK_ERR("kill of the reaped pid", kill(a, 0), ESRCH);
	CHECK_ERR("bad signal 65", kill(getpid(), 65), EINVAL);
	CHECK_ERR("bad signal -1", kill(getpid(), -1), EINVAL);

	pid_t g1 = sleeper(0);
	pid_t g2 = sleeper(g1);
	CHECK_RET("kill(-pgid, SIGUSR1)", kill(-g1, SIGUSR1), 0);
	check("both group members died", killed_by(g1, SIGUSR1) && killed_by(g2, SIGUSR1));
	CHECK_ERR("kill(-pgid) of an empty group", kill(-g1, SIGUSR1), ESRCH);

	/* kill(0): a child makes its own group with two more children. */
	pid_t leader = fork();
	if (leader == 0) {
		setpgid(0, 0);
		pid_t x = sleeper(-1), y = sleeper(-1);
		signal(SIGUSR2, SIG_IGN);
		kill(0, SIGUSR2);
		_exit(killed_by(x, SIGUSR2) && killed_by(y, SIGUSR2) ? 0 : 1);
	}
	int st;
	waitpid(leader, &st, 0);
	check("kill(0) reached the caller's group, not the caller (ignored)", WIFEXITED(st) && WEXITSTATUS(st) == 0);

	/* kill(-1) and EPERM as an unprivileged uid of our own. */
	uid_t uid = 40000 + getpid() % 20000;
	pid_t root_child = sleeper(-1);
	pid_t boss = fork();
	if (boss == 0) {
		if (setresuid(uid, uid, uid) != 0)
			_exit(10);
		pid_t x = sleeper(-1), y = sleeper(-1);
		signal(SIGTERM, SIG_IGN);
		int ok = 1;
		errno = 0;
		ok &= kill(root_child, SIGTERM) == -1 && errno == EPERM;
		ok &= kill(-1, SIGTERM) == 0;
		ok &= killed_by(x, SIGTERM) && killed_by(y, SIGTERM);
		_exit(ok ? 0 : 1);
	}
	waitpid(boss, &st, 0);
	check("unprivileged: EPERM for root's process; kill(-1) hit its own others", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK_RET("root's child survived kill(-1)", kill(root_child, 0), 0);
	kill(root_child, SIGKILL);
	check("then SIGKILL", killed_by(root_child, SIGKILL));
	return compat_done();
}
