/*
 * inet_intr: blocking socket calls and signals: a handler with
 * SA_RESTART restarts recv and accept, one without makes them fail with
 * EINTR; a wait bounded by SO_RCVTIMEO or SO_SNDTIMEO is never restarted
 * (EINTR) and ends with EAGAIN at its timeout; a blocking connect bounded
 * by SO_SNDTIMEO ends with EINPROGRESS; an accepted socket inherits the
 * listener's timeout.
 */
#include "inet.h"
#include <sys/time.h>

static volatile int hits;
static void on_alarm(int sig) { (void)sig; hits++; }

static void handler(int restart)
{
	struct sigaction sa = {.sa_handler = on_alarm, .sa_flags = restart ? SA_RESTART : 0};
	sigemptyset(&sa.sa_mask);
	MUST(sigaction(SIGALRM, &sa, NULL));
}

static void alarm_in(int ms)
{
	struct itimerval it = {.it_value = {0, ms * 1000}};
	MUST(setitimer(ITIMER_REAL, &it, NULL));
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	int c, s;
	char buf[16];
	connected(AF_INET, &c, &s);

	handler(0);
	alarm_in(50);
	SHOW("recv, interrupted without SA_RESTART", recv(s, buf, sizeof buf, 0));

	/* With SA_RESTART the read goes on until the data comes. */
	handler(1);
	pid_t pid = fork();
	MUST(pid);
	if (pid == 0) {
		usleep(200000);
		MUST(write(c, "late", 4));
		exit(0);
	}
	hits = 0;
	alarm_in(50);
	SHOW("recv, interrupted with SA_RESTART", recv(s, buf, sizeof buf, 0));
	printf("  handler ran %d time(s)\n", hits);
	wait_child("writer", pid);

	/* A timeout makes the wait unrestartable. */
	struct timeval tv = {0, 400000};
	MUST(setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
	alarm_in(50);
	double t0 = now();
	SHOW("recv with SO_RCVTIMEO, interrupted with SA_RESTART", recv(s, buf, sizeof buf, 0));
	printf("  before the timeout: %d\n", now() - t0 < 0.35);
	t0 = now();
	SHOW("recv with SO_RCVTIMEO", recv(s, buf, sizeof buf, 0));
	double d = now() - t0;
	printf("  waited about 0.4s: %d\n", d > 0.35 && d < 2);

	/* accept, restarted, then bounded. */
	struct sockaddr_storage a;
	socklen_t len;
	int l = listener(AF_INET, SOCK_STREAM, &a, &len);
	pid = fork();
	MUST(pid);
	if (pid == 0) {
		usleep(200000);
		int k = socket(AF_INET, SOCK_STREAM, 0);
		MUST(connect(k, (struct sockaddr *)&a, len));
		usleep(100000);
		exit(0);
	}
	alarm_in(50);
	int k = accept(l, NULL, NULL);
	printf("accept, interrupted with SA_RESTART: %s\n", k >= 0 ? "a connection" : strerrorname_np(errno));
	wait_child("connector", pid);
	tv = (struct timeval){0, 100000};
	MUST(setsockopt(l, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
	SHOW("accept with SO_RCVTIMEO", accept(l, NULL, NULL));
	/* The accepted socket inherits the listener's timeout. */
	int k2 = socket(AF_INET, SOCK_STREAM, 0);
	MUST(connect(k2, (struct sockaddr *)&a, len));
	int acc = accept(l, NULL, NULL);
	MUST(acc);
	struct timeval got;
	socklen_t gl = sizeof got;
	MUST(getsockopt(acc, SOL_SOCKET, SO_RCVTIMEO, &got, &gl));
	printf("accepted socket's SO_RCVTIMEO: %ld.%06ld\n", (long)got.tv_sec, (long)got.tv_usec);
	t0 = now();
	SHOW("recv on it", recv(acc, buf, sizeof buf, 0));
	d = now() - t0;
	printf("  waited about 0.1s: %d\n", d > 0.08 && d < 2);

	/* A connect that cannot complete: the listener's queue is full, its
	 * SYNs are dropped. SO_SNDTIMEO bounds it. */
	struct sockaddr_storage fa;
	socklen_t fal = loopback(AF_INET, &fa, 0);
	int full = socket(AF_INET, SOCK_STREAM, 0);
	MUST(bind(full, (struct sockaddr *)&fa, fal));
	MUST(listen(full, 0));
	fal = sizeof fa;
	MUST(getsockname(full, (struct sockaddr *)&fa, &fal));
	int q1 = socket(AF_INET, SOCK_STREAM, 0);
	MUST(connect(q1, (struct sockaddr *)&fa, fal));
	usleep(20000);
	int q2 = socket(AF_INET, SOCK_STREAM, 0);
	tv = (struct timeval){0, 200000};
	MUST(setsockopt(q2, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv));
	t0 = now();
	SHOW("connect to a full listener, SO_SNDTIMEO 0.2s", connect(q2, (struct sockaddr *)&fa, fal));
	d = now() - t0;
	printf("  waited about 0.2s: %d\n", d > 0.15 && d < 2);
	SHOW("connect again", connect(q2, (struct sockaddr *)&fa, fal));
	handler(1);
	alarm_in(50);
	SHOW("connect again, interrupted", connect(q2, (struct sockaddr *)&fa, fal));
	close(q2);
	close(q1);
	close(full);

	/* A send that cannot go on: the buffer is full. */
	int small = 4096;
	setsockopt(c, SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
	setsockopt(s, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
	tv = (struct timeval){0, 200000};
	MUST(setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv));
	static char big[1 << 20];
	long sent = 0;
	for (int i = 0; i < 100; i++) {
		ssize_t r = send(c, big, sizeof big, 0);
		if (r < 0) {
			printf("send with SO_SNDTIMEO on a full buffer: -1 %s\n", strerrorname_np(errno));
			break;
		}
		sent += r;
		if (r < (ssize_t)sizeof big) {
			printf("send with SO_SNDTIMEO: a short count\n");
			break;
		}
	}
	printf("sent some before that: %d\n", sent > 0);
	handler(0);
	alarm_in(50);
	SHOW("send on a full buffer, interrupted", send(c, big, sizeof big, 0));
	return 0;
}
