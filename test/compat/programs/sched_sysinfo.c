/*
 * sched_sysinfo: sched_getaffinity reports at least one CPU and its size
 * rules; sched_yield succeeds; sysinfo is sane. Counts and sizes are host
 * specific, so only their plausibility is printed.
 */
#include "compat.h"
#include <sched.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <unistd.h>

int main(void)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	CHECK_RET("sched_getaffinity(0)", sched_getaffinity(0, sizeof set, &set), 0);
	check("at least one CPU", CPU_COUNT(&set) > 0);
	cpu_set_t set2;
	CPU_ZERO(&set2);
	CHECK_RET("sched_getaffinity(getpid())", sched_getaffinity(getpid(), sizeof set2, &set2), 0);
	check("same set for 0 and getpid()", CPU_EQUAL(&set, &set2));
	long n = syscall(SYS_sched_getaffinity, 0, sizeof set, &set);
	check("raw call returns the bytes written, a multiple of 8", n > 0 && n % 8 == 0 && n <= (long)sizeof set);
	CHECK_ERR("size not a multiple of 8", syscall(SYS_sched_getaffinity, 0, 7, &set), EINVAL);
	CHECK_ERR("size 0", syscall(SYS_sched_getaffinity, 0, 0, &set), EINVAL);
	CHECK_ERR("unmapped mask", syscall(SYS_sched_getaffinity, 0, sizeof set, (void *)8), EFAULT);
	CHECK_RET("sched_yield", sched_yield(), 0);

	struct sysinfo si;
	memset(&si, 0, sizeof si);
	CHECK_RET("sysinfo", sysinfo(&si), 0);
	check("uptime > 0", si.uptime > 0);
	check("totalram > 0", si.totalram > 0);
	check("freeram <= totalram", si.freeram <= si.totalram);
	check("mem_unit >= 1", si.mem_unit >= 1);
	check("totalram at least 64 MiB", (unsigned long long)si.totalram * si.mem_unit >= 64ULL << 20);
	check("procs >= 1", si.procs >= 1);
	check("freeswap <= totalswap", si.freeswap <= si.totalswap);
	check("loads non-negative (unsigned) and finite", si.loads[0] < (1UL << 40));
	struct sysinfo si2;
	sysinfo(&si2);
	check("uptime does not go back", si2.uptime >= si.uptime);
	check("totalram stable", si2.totalram == si.totalram);
	return compat_done();
}
