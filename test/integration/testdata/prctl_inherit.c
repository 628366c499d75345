/* What fork, threads and execve do to prctl(2) attributes: names, timer
 * slack, no_new_privs, dumpability, THP, keepcaps, the parent-death signal
 * and the subreaper flag. */
#include "proc_attr.h"
#include <pthread.h>
#include <signal.h>

/* show prints the attributes; the parent-death signal only for the main
 * thread (Linux keeps one per thread, moat one per process). */
static void show(const char *who)
{
	char name[16] = "";
	int sig = -1, sub = -1;
	prctl(PR_GET_NAME, name, 0, 0, 0);
	prctl(PR_GET_PDEATHSIG, &sig, 0, 0, 0);
	prctl(PR_GET_CHILD_SUBREAPER, &sub, 0, 0, 0);
	if (syscall(SYS_gettid) != getpid())
		sig = -1;
	printf("%s: name %s slack %d nnp %d dumpable %d thp %d keepcaps %d mce %d pdeathsig %d subreaper %d\n",
	       who, name, prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0), prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0),
	       prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0),
	       prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0), prctl(PR_MCE_KILL_GET, 0, 0, 0, 0), sig, sub);
}

static void *thread(void *arg)
{
	(void)arg;
	show("new thread");
	prctl(PR_SET_NAME, "worker", 0, 0, 0);
	prctl(PR_SET_TIMERSLACK, 7000, 0, 0, 0);
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
	prctl(PR_SET_THP_DISABLE, 0, 0, 0, 0);
	show("thread changed");
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc > 1) {
		show("after exec");
		T("PR_SET_TIMERSLACK 0", prctl(PR_SET_TIMERSLACK, 0, 0, 0, 0));
		show("default slack");
		return 0;
	}
	show("start");
	prctl(PR_SET_NAME, "parent-name", 0, 0, 0);
	prctl(PR_SET_TIMERSLACK, 2000, 0, 0, 0);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0);
	prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0);
	prctl(PR_MCE_KILL, PR_MCE_KILL_SET, PR_MCE_KILL_EARLY, 0, 0);
	prctl(PR_SET_PDEATHSIG, SIGUSR2, 0, 0, 0);
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	show("set");

	pthread_t th;
	pthread_create(&th, NULL, thread, NULL);
	pthread_join(th, NULL);
	show("after thread");

	pid_t pid = fork();
	if (pid == 0) {
		show("child");
		prctl(PR_SET_TIMERSLACK, 3000, 0, 0, 0);
		T("PR_SET_NO_NEW_PRIVS", prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0));
		show("child before exec");
		execl(argv[0], argv[0], "exec", NULL);
		printf("exec: %s\n", ename(errno));
		exit(1);
	}
	int st;
	waitpid(pid, &st, 0);
	printf("child status %#x\n", st);

	/* The subreaper gets its orphaned grandchildren. */
	pid = fork();
	if (pid == 0) {
		pid_t mid = getpid();
		if (fork() == 0) {
			for (int i = 0; i < 1000 && getppid() == mid; i++)
				usleep(5000);
			exit(getppid() == mid ? 1 : 0);
		}
		exit(0);
	}
	waitpid(pid, &st, 0);
	printf("middle status %#x\n", st);
	pid_t got = wait(&st);
	printf("reaped the orphan: %s, status %#x\n", got > 0 && got != pid ? "yes" : "no", st);
	return 0;
}
