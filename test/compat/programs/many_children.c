/*
 * many_children: 200 children created in waves of 20 exit with distinct
 * codes; every one is reaped exactly once with its own code; no zombies
 * remain (wait gives ECHILD); some children have children of their own
 * and reap them (orphans would be adopted by PID 1, which this program is
 * in moat).
 */
#include "compat.h"
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
	static int seen[200];
	int reaped = 0, wrong = 0;
	fflush(stdout);
	for (int wave = 0; wave < 10; wave++) {
		pid_t pids[20];
		for (int i = 0; i < 20; i++) {
			int n = wave * 20 + i;
			pids[i] = fork();
			if (pids[i] == 0) {
				if (n % 50 == 0) {
					/* a grandchild, waited for by its parent */
					pid_t g = fork();
					if (g == 0)
						_exit(0);
					waitpid(g, NULL, 0);
				}
				_exit(n % 256);
			}
		}
		for (int i = 0; i < 20; i++) {
			int st;
			pid_t p = waitpid(pids[i], &st, 0);
			int n = wave * 20 + i;
			if (p != pids[i] || !WIFEXITED(st) || WEXITSTATUS(st) != n % 256)
				wrong++;
			else
				seen[n]++, reaped++;
		}
	}
	CHECK_RET("reaped", reaped, 200);
	CHECK_RET("wrong statuses", wrong, 0);
	int twice = 0;
	for (int i = 0; i < 200; i++)
		twice += seen[i] != 1;
	CHECK_RET("reaped other than once", twice, 0);
	CHECK_ERR("no zombies left of ours", wait(NULL), ECHILD);
	return compat_done();
}
