/*
 * sched_setaffinity_get: after sched_setaffinity to CPU 0 alone,
 * sched_getaffinity reports just CPU 0 and sched_getcpu returns 0; a
 * forked child inherits the mask; an empty mask gives EINVAL.
 */
#include "compat.h"
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
	cpu_set_t one, got;
	CPU_ZERO(&one);
	CPU_SET(0, &one);
	CHECK_RET("sched_setaffinity to CPU 0", sched_setaffinity(0, sizeof one, &one), 0);
	sched_getaffinity(0, sizeof got, &got);
	check("sched_getaffinity: only CPU 0", CPU_COUNT(&got) == 1 && CPU_ISSET(0, &got));
	sched_yield();
	CHECK_RET("sched_getcpu", sched_getcpu(), 0);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		cpu_set_t c;
		sched_getaffinity(0, sizeof c, &c);
		_exit(CPU_COUNT(&c) == 1 && CPU_ISSET(0, &c) ? 0 : 1);
	}
	int st;
	waitpid(pid, &st, 0);
	check("the child inherits the mask", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	cpu_set_t none;
	CPU_ZERO(&none);
	CHECK_ERR("empty mask", sched_setaffinity(0, sizeof none, &none), EINVAL);
	return compat_done();
}
