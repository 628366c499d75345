/* Nice values: getpriority(2), setpriority(2) for processes, process
 * groups and users, per thread. */
#include "proc_attr.h"
#include <pthread.h>

static pthread_barrier_t bar;
static pid_t thread_tid;

static void *thread(void *arg)
{
	(void)arg;
	thread_tid = syscall(SYS_gettid);
	T("thread setpriority(0, 7)", setpriority(PRIO_PROCESS, 0, 7));
	pthread_barrier_wait(&bar);
	pthread_barrier_wait(&bar);
	return NULL;
}

static void unprivileged(void)
{
	T("setpriority(+2)", setpriority(PRIO_PROCESS, 0, 2));
	T("setuid(54321)", setuid(54321));
	T("getpriority", getpriority(PRIO_PROCESS, 0));
	T("PRIO_USER 0", getpriority(PRIO_USER, 0));
	T("raise to 5", setpriority(PRIO_PROCESS, 0, 5));
	T("lower to 4", setpriority(PRIO_PROCESS, 0, 4));
	T("same 5", setpriority(PRIO_PROCESS, 0, 5));
	T("parent's", setpriority(PRIO_PROCESS, getppid(), 10));
	T("getpriority(parent)", getpriority(PRIO_PROCESS, getppid()));
	T("PRIO_USER 0", setpriority(PRIO_USER, 0, 6));
	T("getpriority", getpriority(PRIO_PROCESS, 0));
}

static void inherit(void)
{
	T("child getpriority", getpriority(PRIO_PROCESS, 0));
}

int main(void)
{
	/* A process group of its own (in moat, init has one already). */
	setsid();
	T("getpriority", getpriority(PRIO_PROCESS, 0));
	T("raw getpriority", syscall(SYS_getpriority, PRIO_PROCESS, 0));
	T("setpriority(3)", setpriority(PRIO_PROCESS, 0, 3));
	T("raw getpriority", syscall(SYS_getpriority, PRIO_PROCESS, 0));
	T("setpriority(100)", setpriority(PRIO_PROCESS, 0, 100));
	T("getpriority", getpriority(PRIO_PROCESS, 0));
	T("setpriority(-100)", setpriority(PRIO_PROCESS, 0, -100));
	T("getpriority", getpriority(PRIO_PROCESS, 0));
	T("setpriority(0)", setpriority(PRIO_PROCESS, 0, 0));
	T("which 3", setpriority(3, 0, 0));
	T("getpriority which -1", getpriority(-1, 0));
	T("no such pid", getpriority(PRIO_PROCESS, 4194303));
	T("set no such pid", setpriority(PRIO_PROCESS, 4194303, 1));
	T("by pid", setpriority(PRIO_PROCESS, getpid(), 4));
	T("PRIO_PGRP 0", getpriority(PRIO_PGRP, 0));
	T("PRIO_PGRP mine", getpriority(PRIO_PGRP, getpgrp()));
	T("PRIO_PGRP none", getpriority(PRIO_PGRP, 4194303));
	T("PRIO_USER 12345", getpriority(PRIO_USER, 12345));
	T("set PRIO_USER 12345", setpriority(PRIO_USER, 12345, 1));
	child("inherited", inherit);
	child("unprivileged", unprivileged);

	/* Nice values belong to threads. */
	pthread_t th;
	pthread_barrier_init(&bar, NULL, 2);
	pthread_create(&th, NULL, thread, NULL);
	pthread_barrier_wait(&bar);
	T("main getpriority", getpriority(PRIO_PROCESS, 0));
	T("thread's by tid", getpriority(PRIO_PROCESS, thread_tid));
	T("set thread's by tid", setpriority(PRIO_PROCESS, thread_tid, 9));
	T("thread's by tid", getpriority(PRIO_PROCESS, thread_tid));
	pthread_barrier_wait(&bar);
	pthread_join(th, NULL);
	T("main getpriority", getpriority(PRIO_PROCESS, 0));
	return 0;
}
