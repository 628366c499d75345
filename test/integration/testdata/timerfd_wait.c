/*
 * timerfd_wait: waiting on timerfds: poll over two timers sees the earlier
 * one first, select and epoll see a timer fire, a blocking read waits for
 * the expiration, and a blocking read ends with a signal handler: EINTR
 * without SA_RESTART, a restart with it.
 */
#include "evtest.h"
#include <signal.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/time.h>
#include <sys/timerfd.h>

static volatile int alarms;

static void on_alarm(int sig) { alarms++; }

static void arm_alarm(int flags)
{
	struct sigaction sa = {0};
	sa.sa_handler = on_alarm;
	sa.sa_flags = flags;
	sigaction(SIGALRM, &sa, NULL);
	struct itimerval it = {{0, 0}, {0, 30000}};
	setitimer(ITIMER_REAL, &it, NULL);
}

static void arm(int fd, long value_ms, long interval_ms)
{
	struct itimerspec s = {
		{interval_ms / 1000, interval_ms % 1000 * 1000000},
		{value_ms / 1000, value_ms % 1000 * 1000000},
	};
	if (timerfd_settime(fd, 0, &s, NULL) < 0) {
		printf("settime: %s\n", strerrorname_np(errno));
		exit(2);
	}
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	uint64_t n;
	int a, b;
	MUST(a = timerfd_create(CLOCK_MONOTONIC, 0));
	MUST(b = timerfd_create(CLOCK_BOOTTIME, TFD_NONBLOCK));

	arm(a, 200, 0);
	arm(b, 30, 0);
	struct pollfd p[2] = {{a, POLLIN, 0}, {b, POLLIN, 0}};
	SHOW("poll two timers", poll(p, 2, 5000));
	printf("revents a %#x b %#x\n", p[0].revents, p[1].revents);
	SHOW("read b", read(b, &n, 8));
	SHOW("poll again", poll(p, 2, 5000));
	printf("revents a %#x b %#x\n", p[0].revents, p[1].revents);
	SHOW("read a", read(a, &n, 8));
	printf("expirations %llu\n", (unsigned long long)n);

	arm(a, 30, 0);
	fd_set rs;
	FD_ZERO(&rs);
	FD_SET(a, &rs);
	FD_SET(b, &rs);
	SHOW("select", select(b + 1, &rs, NULL, NULL, NULL));
	printf("a set %d b set %d\n", FD_ISSET(a, &rs), FD_ISSET(b, &rs));
	read(a, &n, 8);

	int ep;
	MUST(ep = epoll_create1(0));
	struct epoll_event ev = {.events = EPOLLIN, .data.u32 = 77};
	MUST(epoll_ctl(ep, EPOLL_CTL_ADD, b, &ev));
	arm(b, 20, 20);
	struct epoll_event out[2];
	SHOW("epoll_wait", epoll_wait(ep, out, 2, 5000));
	printf("data %u events %#x\n", out[0].data.u32, out[0].events);
	SHOW("read b", read(b, &n, 8));
	arm(b, 0, 0);
	SHOW("epoll_wait disarmed", epoll_wait(ep, out, 2, 50));

	arm(a, 30, 0);
	SHOW("blocking read", read(a, &n, 8));
	printf("expirations %llu\n", (unsigned long long)n);

	arm(a, 0, 0);
	arm_alarm(0);
	SHOW("read interrupted", read(a, &n, 8));
	printf("alarms %d\n", alarms);

	arm(a, 100, 0);
	arm_alarm(SA_RESTART);
	SHOW("read restarted", read(a, &n, 8));
	printf("alarms %d expirations %llu\n", alarms, (unsigned long long)n);
	return 0;
}
