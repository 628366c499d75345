/* prctl(2): names, parent-death signal, dumpability, subreaper,
 * no_new_privs, timer slack, THP, machine-check policy, and the checks of
 * arguments that must be zero. */
#include "proc_attr.h"
#include <signal.h>

static void name(void)
{
	char buf[32];
	memset(buf, 'X', sizeof buf);
	T("PR_GET_NAME", prctl(PR_GET_NAME, buf, 0, 0, 0));
	printf("name: %s, byte 15 %d, byte 16 %c\n", buf, buf[15], buf[16]);
	T("PR_SET_NAME long", prctl(PR_SET_NAME, "abcdefghijklmnopqrstuvwxyz", 0, 0, 0));
	memset(buf, 'X', sizeof buf);
	prctl(PR_GET_NAME, buf, 0, 0, 0);
	printf("name: %s, byte 15 %d, byte 16 %c\n", buf, buf[15], buf[16]);
	T("PR_SET_NAME short", prctl(PR_SET_NAME, "hi", 0, 0, 0));
	memset(buf, 'X', sizeof buf);
	prctl(PR_GET_NAME, buf, 0, 0, 0);
	printf("name: %s, byte 3 %d, byte 15 %d\n", buf, buf[3], buf[15]);
	T("PR_SET_NAME empty", prctl(PR_SET_NAME, "", 0, 0, 0));
	prctl(PR_GET_NAME, buf, 0, 0, 0);
	printf("name: '%s'\n", buf);
	T("PR_SET_NAME bad", prctl(PR_SET_NAME, (void *)8, 0, 0, 0));
	T("PR_GET_NAME bad", prctl(PR_GET_NAME, (void *)8, 0, 0, 0));
	prctl(PR_SET_NAME, "prctl_basic", 0, 0, 0);
}

static void pdeathsig(void)
{
	int sig = -1;
	T("PR_GET_PDEATHSIG", prctl(PR_GET_PDEATHSIG, &sig, 0, 0, 0));
	printf("pdeathsig: %d\n", sig);
	T("PR_SET_PDEATHSIG 65", prctl(PR_SET_PDEATHSIG, 65, 0, 0, 0));
	T("PR_SET_PDEATHSIG 64", prctl(PR_SET_PDEATHSIG, 64, 0, 0, 0));
	T("PR_SET_PDEATHSIG SIGUSR1", prctl(PR_SET_PDEATHSIG, SIGUSR1, 0, 0, 0));
	prctl(PR_GET_PDEATHSIG, &sig, 0, 0, 0);
	printf("pdeathsig: %d\n", sig);
	T("PR_GET_PDEATHSIG bad", prctl(PR_GET_PDEATHSIG, (void *)8, 0, 0, 0));
	/* A change of the effective user ID clears it. */
	T("seteuid(1000)", seteuid(1000));
	prctl(PR_GET_PDEATHSIG, &sig, 0, 0, 0);
	printf("pdeathsig after seteuid: %d\n", sig);
	T("PR_GET_DUMPABLE after seteuid", prctl(PR_GET_DUMPABLE, 0, 0, 0, 0));
	T("seteuid(0)", seteuid(0));
	T("PR_SET_PDEATHSIG 0", prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0));
}

static void dumpable(void)
{
	T("PR_GET_DUMPABLE", prctl(PR_GET_DUMPABLE, 0, 0, 0, 0));
	T("PR_SET_DUMPABLE 2", prctl(PR_SET_DUMPABLE, 2, 0, 0, 0));
	T("PR_SET_DUMPABLE 0", prctl(PR_SET_DUMPABLE, 0, 0, 0, 0));
	T("PR_GET_DUMPABLE", prctl(PR_GET_DUMPABLE, 0, 0, 0, 0));
	T("PR_SET_DUMPABLE 1", prctl(PR_SET_DUMPABLE, 1, 0, 0, 0));
	T("PR_GET_DUMPABLE", prctl(PR_GET_DUMPABLE, 0, 0, 0, 0));
}

static void subreaper(void)
{
	int v = -1;
	T("PR_GET_CHILD_SUBREAPER", prctl(PR_GET_CHILD_SUBREAPER, &v, 0, 0, 0));
	printf("subreaper: %d\n", v);
	T("PR_SET_CHILD_SUBREAPER 7", prctl(PR_SET_CHILD_SUBREAPER, 7, 0, 0, 0));
	prctl(PR_GET_CHILD_SUBREAPER, &v, 0, 0, 0);
	printf("subreaper: %d\n", v);
	T("PR_SET_CHILD_SUBREAPER 0", prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0));
	prctl(PR_GET_CHILD_SUBREAPER, &v, 0, 0, 0);
	printf("subreaper: %d\n", v);
	T("PR_GET_CHILD_SUBREAPER bad", prctl(PR_GET_CHILD_SUBREAPER, (void *)8, 0, 0, 0));
}

static void nnp(void)
{
	T("PR_GET_NO_NEW_PRIVS", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
	T("PR_GET_NO_NEW_PRIVS arg", prctl(PR_GET_NO_NEW_PRIVS, 1, 0, 0, 0));
	T("PR_SET_NO_NEW_PRIVS 2", prctl(PR_SET_NO_NEW_PRIVS, 2, 0, 0, 0));
	T("PR_SET_NO_NEW_PRIVS 1 arg5", prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 1));
	T("PR_SET_NO_NEW_PRIVS 1", prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
	T("PR_GET_NO_NEW_PRIVS", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
	T("PR_SET_NO_NEW_PRIVS again", prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
}

static void slack(void)
{
	T("PR_GET_TIMERSLACK", prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0));
	T("PR_SET_TIMERSLACK 1000", prctl(PR_SET_TIMERSLACK, 1000, 0, 0, 0));
	T("PR_GET_TIMERSLACK", prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0));
	T("PR_SET_TIMERSLACK 0", prctl(PR_SET_TIMERSLACK, 0, 0, 0, 0));
	T("PR_GET_TIMERSLACK", prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0));
}

static void thp(void)
{
	T("PR_GET_THP_DISABLE", prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0));
	T("PR_GET_THP_DISABLE arg", prctl(PR_GET_THP_DISABLE, 1, 0, 0, 0));
	T("PR_SET_THP_DISABLE 1", prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0));
	T("PR_GET_THP_DISABLE", prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0));
	T("PR_SET_THP_DISABLE 1 arg4", prctl(PR_SET_THP_DISABLE, 1, 0, 1, 0));
	T("PR_SET_THP_DISABLE 0", prctl(PR_SET_THP_DISABLE, 0, 0, 0, 0));
	T("PR_GET_THP_DISABLE", prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0));
}

static void mce(void)
{
	T("PR_MCE_KILL_GET", prctl(PR_MCE_KILL_GET, 0, 0, 0, 0));
	T("PR_MCE_KILL_GET arg", prctl(PR_MCE_KILL_GET, 1, 0, 0, 0));
	T("PR_MCE_KILL set early", prctl(PR_MCE_KILL, PR_MCE_KILL_SET, PR_MCE_KILL_EARLY, 0, 0));
	T("PR_MCE_KILL_GET", prctl(PR_MCE_KILL_GET, 0, 0, 0, 0));
	T("PR_MCE_KILL set late", prctl(PR_MCE_KILL, PR_MCE_KILL_SET, PR_MCE_KILL_LATE, 0, 0));
	T("PR_MCE_KILL_GET", prctl(PR_MCE_KILL_GET, 0, 0, 0, 0));
	T("PR_MCE_KILL set 3", prctl(PR_MCE_KILL, PR_MCE_KILL_SET, 3, 0, 0));
	T("PR_MCE_KILL clear 1", prctl(PR_MCE_KILL, PR_MCE_KILL_CLEAR, 1, 0, 0));
	T("PR_MCE_KILL clear", prctl(PR_MCE_KILL, PR_MCE_KILL_CLEAR, 0, 0, 0));
	T("PR_MCE_KILL_GET", prctl(PR_MCE_KILL_GET, 0, 0, 0, 0));
	T("PR_MCE_KILL 2", prctl(PR_MCE_KILL, 2, 0, 0, 0));
}

static void misc(void)
{
	int v = -1;
	T("PR_GET_SECCOMP", prctl(PR_GET_SECCOMP, 0, 0, 0, 0));
	T("PR_SET_SECCOMP 7", prctl(PR_SET_SECCOMP, 7, 0, 0, 0));
	T("PR_GET_TSC", prctl(PR_GET_TSC, &v, 0, 0, 0));
	printf("tsc: %d\n", v);
	T("PR_SET_TSC enable", prctl(PR_SET_TSC, PR_TSC_ENABLE, 0, 0, 0));
	T("PR_GET_TIMING", prctl(PR_GET_TIMING, 0, 0, 0, 0));
	T("PR_SET_TIMING 1", prctl(PR_SET_TIMING, 1, 0, 0, 0));
	T("PR_SET_TIMING 0", prctl(PR_SET_TIMING, 0, 0, 0, 0));
	T("PR_TASK_PERF_EVENTS_DISABLE", prctl(PR_TASK_PERF_EVENTS_DISABLE, 0, 0, 0, 0));
	T("PR_TASK_PERF_EVENTS_ENABLE", prctl(PR_TASK_PERF_EVENTS_ENABLE, 0, 0, 0, 0));
	T("PR_SET_MM_MAP_SIZE", prctl(PR_SET_MM, PR_SET_MM_MAP_SIZE, &v, 0, 0));
	printf("prctl_mm_map size: %d\n", v);
	T("PR_SET_MM arg5", prctl(PR_SET_MM, PR_SET_MM_START_BRK, 0, 0, 1));
	T("PR_SET_MM arg4", prctl(PR_SET_MM, PR_SET_MM_START_BRK, 0, 1, 0));
	T("PR_GET_UNALIGN", prctl(PR_GET_UNALIGN, &v, 0, 0, 0));
	T("PR_GET_FPEMU", prctl(PR_GET_FPEMU, &v, 0, 0, 0));
	T("PR_GET_ENDIAN", prctl(PR_GET_ENDIAN, &v, 0, 0, 0));
	T("PR_SET_VMA", prctl(0x53564d41, 7, 0, 0, 0));
	T("unknown option 1000", prctl(1000, 0, 0, 0, 0));
	T("option -1", prctl(-1, 0, 0, 0, 0));
}

int main(void)
{
	prctl(PR_SET_NAME, "prctl_basic", 0, 0, 0);
	name();
	child("pdeathsig", pdeathsig);
	dumpable();
	subreaper();
	child("no_new_privs", nnp);
	T("parent PR_GET_NO_NEW_PRIVS", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
	slack();
	thp();
	mce();
	misc();
	return 0;
}
