/*
 * timerfd_basic: timerfd_create(2)'s clocks and flags, settime's old value
 * and gettime, one-shot and periodic expirations (intervals missed while
 * nobody read are counted), absolute times, 8-byte reads, nonblocking
 * EAGAIN, poll, and what fstat and /proc show. Times vary from run to run:
 * only bounds are printed.
 */
#include "evtest.h"
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <time.h>

static long long ms(const struct timespec *ts) { return ts->tv_sec * 1000LL + ts->tv_nsec / 1000000; }

static void gettime(const char *what, int fd)
{
	struct itimerspec cur;
	if (timerfd_gettime(fd, &cur) < 0) {
		printf("%s: gettime %s\n", what, strerrorname_np(errno));
		return;
	}
	printf("%s: value %s interval %lldms\n", what,
	       cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec == 0 ? "0" : "set", ms(&cur.it_interval));
}

static struct itimerspec spec(long value_ms, long interval_ms)
{
	struct itimerspec s = {
		{interval_ms / 1000, interval_ms % 1000 * 1000000},
		{value_ms / 1000, value_ms % 1000 * 1000000},
	};
	return s;
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	uint64_t n;
	int fd;

	SHOW("bad clock", timerfd_create(CLOCK_PROCESS_CPUTIME_ID, 0));
	SHOW("bad clock 42", timerfd_create(42, 0));
	SHOW("bad flags", timerfd_create(CLOCK_MONOTONIC, 1));
	int clocks[] = {CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_BOOTTIME, CLOCK_REALTIME_ALARM, CLOCK_BOOTTIME_ALARM};
	for (int i = 0; i < 5; i++) {
		int c = timerfd_create(clocks[i], TFD_CLOEXEC);
		printf("clock %d: %s\n", clocks[i], c >= 0 ? "ok" : strerrorname_np(errno));
		if (c >= 0)
			close(c);
	}

	MUST(fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK));
	printf("getfl %#x getfd %d\n", fcntl(fd, F_GETFL), fcntl(fd, F_GETFD));
	struct stat st;
	MUST(fstat(fd, &st));
	printf("mode %o\n", st.st_mode);
	show_link("link", fd);
	gettime("new", fd);
	SHOW("read disarmed", read(fd, &n, 8));
	SHOW("write", write(fd, &n, 8));
	printf("revents disarmed %#x\n", revents(fd, POLLIN | POLLOUT));

	/* One-shot. */
	struct itimerspec s = spec(30, 0), old;
	SHOW("settime 30ms", timerfd_settime(fd, 0, &s, &old));
	printf("old value %lld interval %lld\n", ms(&old.it_value), ms(&old.it_interval));
	gettime("armed", fd);
	SHOW("read early", read(fd, &n, 8));
	struct pollfd p = {fd, POLLIN, 0};
	SHOW("poll", poll(&p, 1, 5000));
	printf("revents %#x\n", p.revents);
	SHOW("read 4 bytes", read(fd, &n, 4));
	SHOW("read 0 bytes", read(fd, &n, 0));
	SHOW("read", read(fd, &n, 8));
	printf("expirations %llu\n", (unsigned long long)n);
	gettime("expired one-shot", fd);
	SHOW("read again", read(fd, &n, 8));

	/* Periodic: 20 ms, nobody reads for 110 ms. */
	s = spec(20, 20);
	MUST(timerfd_settime(fd, 0, &s, NULL));
	usleep(110000);
	SHOW("read periodic", read(fd, &n, 8));
	printf("expirations at least 4 (missed intervals count): %s\n", n >= 4 && n <= 30 ? "yes" : "no");
	gettime("periodic", fd);
	usleep(50000);
	struct itimerspec cur;
	timerfd_gettime(fd, &cur);
	printf("gettime value below 20ms: %s\n", ms(&cur.it_value) < 20 ? "yes" : "no");
	SHOW("read after gettime", read(fd, &n, 8));
	printf("expirations at least 1: %s\n", n >= 1 && n <= 30 ? "yes" : "no");

	/* settime drops unread expirations and returns the old setting. */
	usleep(50000);
	s = spec(0, 0);
	SHOW("disarm", timerfd_settime(fd, 0, &s, &old));
	printf("old interval %lld, old value below 20ms: %s\n", ms(&old.it_interval), ms(&old.it_value) < 20 ? "yes" : "no");
	SHOW("read disarmed", read(fd, &n, 8));
	s = spec(0, 500);
	SHOW("interval without value", timerfd_settime(fd, 0, &s, NULL));
	gettime("disarmed with interval", fd);

	/* Absolute times: in the past fires at once; the periods since count. */
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	s.it_value = now;
	s.it_value.tv_sec -= 1;
	s.it_interval.tv_sec = 0;
	s.it_interval.tv_nsec = 100000000;
	SHOW("abs in the past", timerfd_settime(fd, TFD_TIMER_ABSTIME, &s, NULL));
	SHOW("read", read(fd, &n, 8));
	printf("expirations since a second ago at least 10: %s\n", n >= 10 && n <= 30 ? "yes" : "no");
	clock_gettime(CLOCK_REALTIME, &now);
	int rfd;
	MUST(rfd = timerfd_create(CLOCK_REALTIME, 0));
	s = spec(0, 0);
	s.it_value = now;
	s.it_value.tv_nsec += 30000000;
	if (s.it_value.tv_nsec >= 1000000000) {
		s.it_value.tv_sec++;
		s.it_value.tv_nsec -= 1000000000;
	}
	SHOW("abs realtime, cancel on set", timerfd_settime(rfd, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &s, NULL));
	SHOW("blocking read", read(rfd, &n, 8));
	printf("expirations %llu\n", (unsigned long long)n);

	/* Errors. */
	s = spec(10, 0);
	SHOW("bad settime flags", timerfd_settime(fd, 4, &s, NULL));
	s.it_value.tv_nsec = 1000000000;
	SHOW("bad nsec", timerfd_settime(fd, 0, &s, NULL));
	s = spec(10, 0);
	s.it_interval.tv_sec = -1;
	SHOW("negative interval", timerfd_settime(fd, 0, &s, NULL));
	s = spec(10, 0);
	SHOW("settime not a timerfd", timerfd_settime(0, 0, &s, NULL));
	SHOW("settime bad fd", timerfd_settime(99, 0, &s, NULL));
	SHOW("settime bad address", timerfd_settime(fd, 0, (void *)8, NULL));
	SHOW("gettime not a timerfd", timerfd_gettime(1, &cur));
	SHOW("gettime bad fd", timerfd_gettime(99, &cur));
	SHOW("gettime bad address", timerfd_gettime(fd, (void *)8));
	return 0;
}
