/* sched_setaffinity(2)'s checks, getcpu(2) and sched_yield(2). */
#include "proc_attr.h"

static void unprivileged(void)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(0, &set);
	T("setuid(1000)", setuid(1000));
	T("own", sched_setaffinity(0, sizeof set, &set));
	T("parent's", sched_setaffinity(getppid(), sizeof set, &set));
}

int main(void)
{
	cpu_set_t set;
	int n = sysconf(_SC_NPROCESSORS_ONLN);
	CPU_ZERO(&set);
	CPU_SET(0, &set);
	T("CPU 0", sched_setaffinity(0, sizeof set, &set));
	T("CPU 0 by pid", sched_setaffinity(getpid(), sizeof set, &set));
	T("CPU 0, 8 bytes", sched_setaffinity(0, 8, &set));
	T("CPU 0, 1 byte", syscall(SYS_sched_setaffinity, 0, 1, &set));
	T("0 bytes", syscall(SYS_sched_setaffinity, 0, 0, &set));
	CPU_ZERO(&set);
	T("empty", sched_setaffinity(0, sizeof set, &set));
	CPU_SET(1000, &set);
	T("CPU 1000 only", sched_setaffinity(0, sizeof set, &set));
	CPU_SET(n - 1, &set);
	T("last CPU and 1000", sched_setaffinity(0, sizeof set, &set));
	T("bad mask", syscall(SYS_sched_setaffinity, 0, 8, (void *)8));
	T("no such pid", sched_setaffinity(4194303, sizeof set, &set));
	T("no such pid, bad mask", syscall(SYS_sched_setaffinity, 4194303, 8, (void *)8));
	child("unprivileged", unprivileged);
	for (int i = 0; i < n; i++)
		CPU_SET(i, &set);
	T("all CPUs", sched_setaffinity(0, sizeof set, &set));

	unsigned cpu = 12345, node = 12345;
	T("getcpu", syscall(SYS_getcpu, &cpu, &node, NULL));
	B("cpu online", cpu < (unsigned)n);
	printf("node: %u\n", node);
	T("getcpu NULL NULL", syscall(SYS_getcpu, NULL, NULL, NULL));
	T("getcpu bad cpu", syscall(SYS_getcpu, (void *)8, &node, NULL));
	T("getcpu bad node", syscall(SYS_getcpu, &cpu, (void *)8, NULL));
	B("sched_getcpu", sched_getcpu() >= 0 && sched_getcpu() < n);
	T("sched_yield", sched_yield());
	return 0;
}
