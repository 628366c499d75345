/*
 * sched_calls: sched_yield returns 0; sched_getaffinity reports at least
 * the CPUs online and its size rules (EINVAL for a too-small mask);
 * SCHED_OTHER with priority 0 is the default and its priority range is
 * 0..0; SCHED_FIFO's is 1..99; getpriority/setpriority round-trip a nice
 * value; sched_getcpu is within the mask.
 */
#include "compat.h"
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
	CHECK_RET("sched_yield", sched_yield(), 0);
	cpu_set_t set;
	CHECK_RET("sched_getaffinity", sched_getaffinity(0, sizeof set, &set), 0);
	long online = sysconf(_SC_NPROCESSORS_ONLN);
	check("mask has the online CPUs", CPU_COUNT(&set) == online);
	check("sched_getcpu is in the mask", CPU_ISSET(sched_getcpu(), &set));
	CHECK_ERR("raw sched_getaffinity with a 1-byte mask", syscall(SYS_sched_getaffinity, 0, 1, &set), EINVAL);
	long n = syscall(SYS_sched_getaffinity, 0, sizeof set, &set);
	check("raw sched_getaffinity returns a multiple of 8", n > 0 && n % 8 == 0);
	CHECK_RET("sched_getscheduler: SCHED_OTHER", sched_getscheduler(0), SCHED_OTHER);
	struct sched_param sp = {0};
	CHECK_RET("sched_getparam", sched_getparam(0, &sp), 0);
	CHECK_RET("priority 0", sp.sched_priority, 0);
	CHECK_RET("SCHED_OTHER min", sched_get_priority_min(SCHED_OTHER), 0);
	CHECK_RET("SCHED_OTHER max", sched_get_priority_max(SCHED_OTHER), 0);
	CHECK_RET("SCHED_FIFO min", sched_get_priority_min(SCHED_FIFO), 1);
	CHECK_RET("SCHED_FIFO max", sched_get_priority_max(SCHED_FIFO), 99);
	CHECK_ERR("unknown policy", sched_get_priority_max(42), EINVAL);
	sp.sched_priority = 5;
	CHECK_ERR("SCHED_OTHER with priority 5", sched_setscheduler(0, SCHED_OTHER, &sp), EINVAL);
	CHECK_RET("setpriority nice 5", setpriority(PRIO_PROCESS, 0, 5), 0);
	errno = 0;
	CHECK_RET("getpriority", getpriority(PRIO_PROCESS, 0), 5);
	CHECK_ERR("sched_getaffinity of a missing pid", sched_getaffinity(999999, sizeof set, &set), ESRCH);
	return compat_done();
}
