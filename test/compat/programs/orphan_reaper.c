/*
 * orphan_reaper: an orphan is re-parented to the nearest reaper and the
 * reaper can wait for it. Natively this program makes itself a child
 * subreaper; in moat it is PID 1, the init of its sandbox, which needs no
 * subreaper flag. Either way: a child forks a grandchild and exits; the
 * grandchild's getppid() becomes this process's pid; this process reaps
 * both and then wait gives ECHILD.
 */
#include "compat.h"
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
	pid_t me = getpid();
	if (me != 1)
		prctl(PR_SET_CHILD_SUBREAPER, 1);
	int p[2];
	pipe(p);
	fflush(stdout);
	pid_t child = fork();
	if (child == 0) {
		pid_t g = fork();
		if (g == 0) {
			/* wait for the parent to die and check who adopted us */
			for (int i = 0; i < 2000 && getppid() != me; i++)
				usleep(1000);
			char r = getppid() == me ? 'y' : 'n';
			write(p[1], &r, 1);
			_exit(21);
		}
		_exit(20);
	}
	close(p[1]);
	int st;
	CHECK_RET("reap the child", waitpid(child, &st, 0), child);
	check("child exit 20", WIFEXITED(st) && WEXITSTATUS(st) == 20);
	char r = 0;
	read(p[0], &r, 1);
	check("grandchild's getppid() is this process", r == 'y');
	pid_t g = wait(&st);
	check("wait reaps the adopted grandchild", g > 0 && g != child);
	check("its status 21", WIFEXITED(st) && WEXITSTATUS(st) == 21);
	CHECK_ERR("then no children", wait(&st), ECHILD);
	return compat_done();
}
