/*
 * eventfd_interrupt: a blocking eventfd read or write ends when a signal
 * handler runs: EINTR without SA_RESTART, a restart with it (the handler
 * may meanwhile make the restarted call succeed).
 */
#include "evtest.h"
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/time.h>

static int efd;
static volatile int alarms;

static void on_alarm(int sig) { alarms++; }

static void feed(int sig)
{
	alarms++;
	uint64_t v = 5;
	write(efd, &v, 8);
}

static void drain(int sig)
{
	alarms++;
	uint64_t v;
	read(efd, &v, 8);
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

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	uint64_t v = 0;
	MUST(efd = eventfd(0, 0));

	arm(on_alarm, 0);
	SHOW("read interrupted", read(efd, &v, 8));
	printf("alarms %d\n", alarms);

	arm(feed, SA_RESTART);
	SHOW("read restarted", read(efd, &v, 8));
	printf("alarms %d value %llu\n", alarms, (unsigned long long)v);

	v = 0xfffffffffffffffeULL;
	write(efd, &v, 8);
	arm(on_alarm, 0);
	v = 1;
	SHOW("write interrupted", write(efd, &v, 8));
	printf("alarms %d\n", alarms);

	arm(drain, SA_RESTART);
	v = 9;
	SHOW("write restarted", write(efd, &v, 8));
	printf("alarms %d\n", alarms);
	SHOW("read", read(efd, &v, 8));
	printf("value %llu\n", (unsigned long long)v);
	return 0;
}
