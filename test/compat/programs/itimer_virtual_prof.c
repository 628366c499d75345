/*
 * itimer_virtual_prof: ITIMER_VIRTUAL (user CPU time) sends SIGVTALRM
 * and ITIMER_PROF (user+system CPU time) sends SIGPROF once the process
 * has used that much CPU; neither fires while the process sleeps; with an
 * interval they fire repeatedly; getitimer counts down only with CPU use.
 */
#include "compat.h"
#include <signal.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static volatile int vt, prof;
static volatile unsigned long spin_sink;

static void on_vt(int sig) { vt++; }
static void on_prof(int sig) { prof++; }

/* Burns CPU until cond is true or 5 s of wall time pass. */
static void spin_until(volatile int *counter, int want)
{
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	while (*counter < want) {
		for (int i = 0; i < 100000; i++)
			spin_sink += i;
		clock_gettime(CLOCK_MONOTONIC, &b);
		if (b.tv_sec - a.tv_sec > 5)
			break;
	}
}

int main(void)
{
	signal(SIGVTALRM, on_vt);
	signal(SIGPROF, on_prof);
	struct itimerval v = {.it_value = {0, 50000}};
	setitimer(ITIMER_VIRTUAL, &v, NULL);
	usleep(200000);
	check("ITIMER_VIRTUAL does not fire while sleeping", vt == 0);
	struct itimerval cur;
	getitimer(ITIMER_VIRTUAL, &cur);
	check("and has barely counted down", cur.it_value.tv_sec == 0 && cur.it_value.tv_usec > 30000);
	spin_until(&vt, 1);
	check("ITIMER_VIRTUAL fired after CPU use", vt == 1);

	struct itimerval p = {.it_value = {0, 30000}, .it_interval = {0, 30000}};
	setitimer(ITIMER_PROF, &p, NULL);
	spin_until(&prof, 3);
	check("periodic ITIMER_PROF fired 3 times", prof >= 3);
	struct itimerval off = {0};
	setitimer(ITIMER_PROF, &off, &cur);
	check("setitimer returned the old interval", cur.it_interval.tv_sec == 0 && cur.it_interval.tv_usec == 30000);
	int before = prof;
	usleep(100000);
	check("disarmed: no more", prof == before);
	return compat_done();
}
