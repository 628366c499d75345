/*
 * subreaper: PR_SET_CHILD_SUBREAPER: PR_GET_CHILD_SUBREAPER reports it;
 * a descendant orphaned two levels down is adopted by the subreaper (its
 * getppid() is the subreaper's pid) and reported to its wait; the flag is
 * not inherited by children.
 */
#include "compat.h"
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
	int v = -1;
	prctl(PR_GET_CHILD_SUBREAPER, &v);
	CHECK_RET("initially not a subreaper", v, 0);
	fflush(stdout);
	pid_t sub = fork();
	if (sub == 0) {
		/* this child is the subreaper */
		prctl(PR_SET_CHILD_SUBREAPER, 1);
		prctl(PR_GET_CHILD_SUBREAPER, &v);
		check("PR_GET_CHILD_SUBREAPER: 1", v == 1);
		pid_t me = getpid();
		int p[2];
		pipe(p);
		fflush(stdout);
		pid_t mid = fork();
		if (mid == 0) {
			int inherited = -1;
			prctl(PR_GET_CHILD_SUBREAPER, &inherited);
			if (fork() == 0) {
				for (int i = 0; i < 2000 && getppid() != me; i++)
					usleep(1000);
				char r = getppid() == me ? 'y' : 'n';
				write(p[1], &r, 1);
				_exit(31);
			}
			_exit(inherited == 0 ? 30 : 1);
		}
		close(p[1]);
		int st;
		waitpid(mid, &st, 0);
		check("middle child: flag not inherited", WIFEXITED(st) && WEXITSTATUS(st) == 30);
		char r = 0;
		read(p[0], &r, 1);
		check("orphan adopted by the subreaper", r == 'y');
		pid_t g = wait(&st);
		check("subreaper reaps it", g > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 31);
		fflush(stdout);
		_exit(compat_done());
	}
	int st;
	waitpid(sub, &st, 0);
	check("subreaper child passed", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	return compat_done();
}
