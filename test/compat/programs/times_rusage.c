/*
 * times_rusage: CPU accounting: getrusage(RUSAGE_SELF) user time grows
 * with CPU use; RUSAGE_THREAD counts the calling thread only; a waited-for
 * child's CPU time shows in RUSAGE_CHILDREN, times()'s tms_cutime and
 * wait4's rusage; times() returns a growing tick count; ru_maxrss is
 * positive; an unknown who gives EINVAL.
 */
#include "compat.h"
#include <pthread.h>
#include <sys/resource.h>
#include <sys/times.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile unsigned long sink;

static void burn(int ms)
{
	struct timespec a, b;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &a);
	do {
		for (int i = 0; i < 10000; i++)
			sink += i;
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &b);
	} while ((b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000 < ms);
}

static long ms(struct timeval t) { return t.tv_sec * 1000 + t.tv_usec / 1000; }

static void *burner(void *arg)
{
	burn(150);
	return NULL;
}

int main(void)
{
	struct rusage r0, r1, rt;
	getrusage(RUSAGE_SELF, &r0);
	burn(200);
	getrusage(RUSAGE_SELF, &r1);
	check("RUSAGE_SELF user+system time grew by >= 150 ms",
	      ms(r1.ru_utime) + ms(r1.ru_stime) - ms(r0.ru_utime) - ms(r0.ru_stime) >= 150);
	check("ru_maxrss > 0", r1.ru_maxrss > 0);
	pthread_t t;
	pthread_create(&t, NULL, burner, NULL);
	pthread_join(t, NULL);
	getrusage(RUSAGE_THREAD, &rt);
	getrusage(RUSAGE_SELF, &r0);
	long self = ms(r0.ru_utime) + ms(r0.ru_stime), thread = ms(rt.ru_utime) + ms(rt.ru_stime);
	check("RUSAGE_SELF includes the other thread's 150 ms", self - thread >= 120);

	struct tms tm0, tm1;
	clock_t c0 = times(&tm0);
	check("no children's time yet", tm0.tms_cutime == 0);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		burn(200);
		_exit(0);
	}
	struct rusage wr;
	int st;
	wait4(pid, &st, 0, &wr);
	check("wait4 rusage has the child's >= 150 ms", ms(wr.ru_utime) + ms(wr.ru_stime) >= 150);
	struct rusage rc;
	getrusage(RUSAGE_CHILDREN, &rc);
	check("RUSAGE_CHILDREN too", ms(rc.ru_utime) + ms(rc.ru_stime) >= 150);
	clock_t c1 = times(&tm1);
	long hz = sysconf(_SC_CLK_TCK);
	check("times: tms_cutime+cstime >= 15 ticks", (tm1.tms_cutime + tm1.tms_cstime) * 100 / hz >= 15);
	check("times: elapsed ticks grew", c1 > c0);
	check("times: own utime+stime >= 25 ticks (350 ms burnt)", (tm1.tms_utime + tm1.tms_stime) * 100 / hz >= 25);
	CHECK_ERR("getrusage(who=5)", getrusage(5, &rc), EINVAL);
	return compat_done();
}
