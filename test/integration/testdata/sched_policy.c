/* Scheduling policies and priorities: sched_setscheduler(2) and friends
 * (sched(7)). */
#include "proc_attr.h"
#include <time.h>

#ifndef SCHED_RESET_ON_FORK
#define SCHED_RESET_ON_FORK 0x40000000
#endif

static void show(const char *what)
{
	struct sched_param p = {-1};
	sched_getparam(0, &p);
	printf("%s: policy %#x priority %d slack %d\n", what, sched_getscheduler(0), p.sched_priority,
	       prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0));
}

static int set(int policy, int prio)
{
	struct sched_param p = {prio};
	return sched_setscheduler(0, policy, &p);
}

static void in_child(void)
{
	show("child of reset-on-fork");
}

static void unprivileged(void)
{
	T("setuid(1000)", setuid(1000));
	T("SCHED_FIFO 1", set(SCHED_FIFO, 1));
	T("SCHED_BATCH", set(SCHED_BATCH, 0));
	T("SCHED_IDLE", set(SCHED_IDLE, 0));
	show("idle");
	T("back to SCHED_OTHER", set(SCHED_OTHER, 0));
	T("parent's policy", sched_setscheduler(getppid(), SCHED_OTHER, &(struct sched_param){0}));
	T("sched_getscheduler(parent)", sched_getscheduler(getppid()));
}

static void rr_interval(void)
{
	struct timespec ts = {-1, -1};
	T("SCHED_RR 5", set(SCHED_RR, 5));
	T("sched_rr_get_interval RR", sched_rr_get_interval(0, &ts));
	B("RR quantum positive", ts.tv_sec > 0 || ts.tv_nsec > 0);
	T("SCHED_FIFO 5", set(SCHED_FIFO, 5));
	T("sched_rr_get_interval FIFO", sched_rr_get_interval(0, &ts));
	printf("FIFO quantum: %ld.%09ld\n", (long)ts.tv_sec, ts.tv_nsec);
	T("sched_rr_get_interval(-1)", sched_rr_get_interval(-1, &ts));
	T("sched_rr_get_interval(none)", sched_rr_get_interval(4194303, &ts));
	T("sched_rr_get_interval bad", syscall(SYS_sched_rr_get_interval, 0, (void *)8));
	T("SCHED_OTHER", set(SCHED_OTHER, 0));
}

int main(void)
{
	show("start");
	static const int policies[] = {SCHED_OTHER, SCHED_FIFO, SCHED_RR, SCHED_BATCH, 4, SCHED_IDLE, 6, 7, -1};
	for (unsigned i = 0; i < sizeof policies / sizeof *policies; i++) {
		int p = policies[i];
		errno = 0;
		int mx = sched_get_priority_max(p);
		int e1 = errno;
		errno = 0;
		int mn = sched_get_priority_min(p);
		printf("policy %d: max %d %s min %d %s\n", p, mx, mx < 0 ? ename(e1) : "", mn, mn < 0 ? ename(errno) : "");
	}

	T("SCHED_FIFO 0", set(SCHED_FIFO, 0));
	T("SCHED_FIFO 100", set(SCHED_FIFO, 100));
	T("SCHED_FIFO -1", set(SCHED_FIFO, -1));
	T("SCHED_OTHER 1", set(SCHED_OTHER, 1));
	T("SCHED_DEADLINE 0", set(6, 0));
	T("policy 4", set(4, 0));
	T("policy -1", set(-1, 0));
	T("pid -1", sched_setscheduler(-1, SCHED_OTHER, &(struct sched_param){0}));
	T("NULL param", syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, NULL));
	T("bad param", syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, (void *)8));
	T("no such pid", sched_setscheduler(4194303, SCHED_OTHER, &(struct sched_param){0}));
	T("sched_getscheduler(-1)", sched_getscheduler(-1));
	T("sched_getscheduler(none)", sched_getscheduler(4194303));
	T("sched_getparam(-1)", sched_getparam(-1, &(struct sched_param){0}));
	T("sched_getparam NULL", syscall(SYS_sched_getparam, 0, NULL));
	T("sched_getparam bad", syscall(SYS_sched_getparam, 0, (void *)8));
	T("sched_setparam NULL", syscall(SYS_sched_setparam, 0, NULL));
	show("unchanged");

	T("SCHED_FIFO 10", set(SCHED_FIFO, 10));
	show("fifo");
	T("PR_SET_TIMERSLACK under FIFO", prctl(PR_SET_TIMERSLACK, 1234, 0, 0, 0));
	T("sched_setparam 20", sched_setparam(0, &(struct sched_param){20}));
	T("sched_setparam 0", sched_setparam(0, &(struct sched_param){0}));
	show("fifo 20");
	T("SCHED_RR 3", set(SCHED_RR, 3));
	show("rr");
	T("SCHED_OTHER", set(SCHED_OTHER, 0));
	show("other");
	T("sched_setparam 1", sched_setparam(0, &(struct sched_param){1}));
	T("SCHED_BATCH", set(SCHED_BATCH, 0));
	show("batch");
	T("by pid", sched_setscheduler(getpid(), SCHED_OTHER | SCHED_RESET_ON_FORK, &(struct sched_param){0}));
	show("reset on fork");
	T("SCHED_FIFO|RESET 7", set(SCHED_FIFO | SCHED_RESET_ON_FORK, 7));
	show("fifo reset on fork");
	child("reset on fork", in_child);
	T("SCHED_OTHER", set(SCHED_OTHER, 0));
	show("flag dropped");
	child("rr interval", rr_interval);
	child("unprivileged", unprivileged);
	show("end");
	return 0;
}
