/*
 * pgrp_session: process groups and sessions: setpgid(0, 0) makes a
 * group; a parent moves a child into a group; errors: setpgid of a
 * non-child ESRCH, of a child after it exec'd EACCES, to a group in
 * another session EPERM, negative pgid EINVAL; setsid by a group leader
 * EPERM, by a non-leader child makes a new session and group (getsid,
 * getpgrp == its pid); getpgid and getsid of a missing pid ESRCH; a
 * session leader cannot change its group (EPERM).
 */
#include "compat.h"
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "wait") == 0) {
		write(4, "r", 1); /* exec'd */
		char c;
		read(0, &c, 1);
		return 0;
	}
	fflush(stdout);
	pid_t leader = fork();
	if (leader == 0) {
		CHECK_RET("child: setpgid(0, 0)", setpgid(0, 0), 0);
		CHECK_RET("child: getpgrp is its pid", getpgrp(), getpid());
		CHECK_ERR("child: setsid as a group leader", setsid(), EPERM);
		pid_t g = fork();
		if (g == 0) {
			CHECK_RET("grandchild: setsid", setsid(), getpid());
			CHECK_RET("grandchild: getsid(0)", getsid(0), getpid());
			CHECK_RET("grandchild: getpgrp", getpgrp(), getpid());
			CHECK_ERR("grandchild: session leader setpgid", setpgid(0, 0), EPERM);
			CHECK_ERR("grandchild: join a group in another session", setpgid(0, getppid()), EPERM);
			fflush(stdout);
			_exit(compat_done());
		}
		int st;
		waitpid(g, &st, 0);
		check("child: grandchild passed", WIFEXITED(st) && WEXITSTATUS(st) == 0);
		fflush(stdout);
		_exit(compat_done());
	}
	int st;
	waitpid(leader, &st, 0);
	check("child passed", WIFEXITED(st) && WEXITSTATUS(st) == 0);

	int p[2], ready[2];
	pipe(p);
	pipe(ready);
	pid_t c = fork();
	if (c == 0) {
		dup2(p[0], 0);
		dup2(ready[1], 4);
		execl("/proc/self/exe", argv[0], "wait", (char *)NULL);
		_exit(127);
	}
	pid_t c2 = fork();
	if (c2 == 0) {
		char ch;
		read(p[0], &ch, 1);
		_exit(0);
	}
	CHECK_RET("parent moves a child into a new group", setpgid(c2, c2), 0);
	CHECK_RET("getpgid of it", getpgid(c2), c2);
	char r;
	read(ready[0], &r, 1); /* c has exec'd */
	CHECK_ERR("setpgid of a child after exec", setpgid(c, c), EACCES);
	int q[2];
	pipe(q);
	pid_t mid = fork();
	if (mid == 0) {
		pid_t g = fork();
		if (g == 0) {
			char ch;
			read(p[0], &ch, 1);
			_exit(0);
		}
		write(q[1], &g, sizeof g);
		waitpid(g, NULL, 0);
		_exit(0);
	}
	pid_t grandchild = 0;
	read(q[0], &grandchild, sizeof grandchild);
	CHECK_ERR("setpgid of a grandchild (not a child)", setpgid(grandchild, 0), ESRCH);
	CHECK_ERR("negative pgid", setpgid(0, -1), EINVAL);
	CHECK_ERR("setpgid to a missing group", setpgid(0, 999999), EPERM);
	write(p[1], "xxx", 3);
	waitpid(c, NULL, 0);
	waitpid(c2, NULL, 0);
	waitpid(mid, NULL, 0);
	CHECK_ERR("getpgid of a reaped pid", getpgid(c2), ESRCH);
	CHECK_ERR("getsid of a reaped pid", getsid(c2), ESRCH);
	CHECK_RET("getpgid(0) is getpgrp", getpgid(0), getpgrp());
	return compat_done();
}
