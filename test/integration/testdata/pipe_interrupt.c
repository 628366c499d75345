/*
 * pipe_interrupt: blocking pipe reads and writes end when a signal comes:
 * EINTR without SA_RESTART, a restart with it; a write that has written
 * something returns its count.
 */
#include "pipetest.h"
#include <signal.h>
#include <sys/time.h>

static int p[2];
static volatile int alarms;

static void on_alarm(int sig) { alarms++; }

static void feed(int sig)
{
	alarms++;
	write(p[1], "fed", 3);
}

static void arm(void (*fn)(int), int flags)
{
	struct sigaction sa = {0};
	sa.sa_handler = fn;
	sa.sa_flags = flags;
	sigaction(SIGALRM, &sa, NULL);
	struct itimerval it = {{0, 0}, {0, 50000}};
	setitimer(ITIMER_REAL, &it, NULL);
}

static char big[200000];

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	char buf[16];
	MUST(pipe(p));
	arm(on_alarm, 0);
	SHOW("read interrupted", read(p[0], buf, sizeof buf));
	printf("alarms %d\n", alarms);

	arm(feed, SA_RESTART);
	SHOW("read restarted", read(p[0], buf, sizeof buf));
	printf("alarms %d got %.3s\n", alarms, buf);

	arm(on_alarm, SA_RESTART);
	SHOW("write of 200000 interrupted", write(p[1], big, sizeof big));
	printf("alarms %d\n", alarms);

	arm(on_alarm, 0);
	SHOW("write into a full pipe interrupted", write(p[1], "x", 1));
	printf("alarms %d\n", alarms);
	return 0;
}
