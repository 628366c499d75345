/* getrusage(2): CPU times of the process, the thread and waited-for
 * children, and the peak resident set. Times are checked as booleans. */
#include "proc_attr.h"
#include <pthread.h>

static double secs(struct timeval tv)
{
	return tv.tv_sec + tv.tv_usec / 1e6;
}

static void *thread(void *arg)
{
	(void)arg;
	struct rusage ru;
	T("thread RUSAGE_THREAD", getrusage(RUSAGE_THREAD, &ru));
	B("new thread has used little CPU", secs(ru.ru_utime) + secs(ru.ru_stime) < 0.15);
	return NULL;
}

int main(void)
{
	struct rusage ru, ch, th;
	T("RUSAGE_CHILDREN", getrusage(RUSAGE_CHILDREN, &ch));
	B("no children yet", secs(ch.ru_utime) + secs(ch.ru_stime) == 0 && ch.ru_maxrss == 0);

	burn(300);
	T("RUSAGE_SELF", getrusage(RUSAGE_SELF, &ru));
	B("self user time >= 0.1s", secs(ru.ru_utime) >= 0.1);
	B("self user time < 10s", secs(ru.ru_utime) < 10);
	B("microseconds in range", ru.ru_utime.tv_usec >= 0 && ru.ru_utime.tv_usec < 1000000 &&
	  ru.ru_stime.tv_usec >= 0 && ru.ru_stime.tv_usec < 1000000);
	B("maxrss > 100 KiB", ru.ru_maxrss > 100);
	B("maxrss < 1 GiB", ru.ru_maxrss < 1 << 20);
	T("RUSAGE_THREAD", getrusage(RUSAGE_THREAD, &th));
	B("thread user time >= 0.1s", secs(th.ru_utime) >= 0.1);
	B("thread maxrss is the process's", th.ru_maxrss >= ru.ru_maxrss);

	pthread_t t;
	pthread_create(&t, NULL, thread, NULL);
	pthread_join(t, NULL);

	/* A child's use counts once it is waited for. */
	pid_t pid = fork();
	if (pid == 0) {
		burn(300);
		static char big[8 << 20];
		memset(big, 1, sizeof big);
		exit(0);
	}
	int st;
	waitpid(pid, &st, 0);
	T("RUSAGE_CHILDREN", getrusage(RUSAGE_CHILDREN, &ch));
	B("children user time >= 0.1s", secs(ch.ru_utime) >= 0.1);
	B("children maxrss >= 8 MiB", ch.ru_maxrss >= 8 << 10);
	T("RUSAGE_SELF again", getrusage(RUSAGE_SELF, &ru));
	B("self excludes the child", secs(ru.ru_utime) < 0.3 + secs(th.ru_utime));

	T("who 2", getrusage(2, &ru));
	T("who -2 (RUSAGE_BOTH)", getrusage(-2, &ru));
	T("bad pointer", syscall(SYS_getrusage, RUSAGE_SELF, (void *)8));
	T("NULL", syscall(SYS_getrusage, RUSAGE_SELF, NULL));
	return 0;
}
