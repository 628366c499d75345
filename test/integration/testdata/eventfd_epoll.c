/*
 * eventfd_epoll: an eventfd as a wake-up between threads and processes:
 * epoll (level- and edge-triggered) sees it become readable and writable,
 * a blocked read wakes on another thread's write, a writer blocked on a
 * full counter wakes on a read, and a forked child's writes reach the
 * parent's epoll_wait.
 */
#include "evtest.h"
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/wait.h>

static int efd;

static void *writer(void *arg)
{
	usleep(50000);
	uint64_t v = (uintptr_t)arg;
	write(efd, &v, 8);
	return NULL;
}

static void *reader(void *arg)
{
	usleep(50000);
	uint64_t v;
	read(efd, &v, 8);
	return NULL;
}

static void wait_show(int ep, const char *what, int timeout)
{
	struct epoll_event ev[4];
	int n = epoll_wait(ep, ev, 4, timeout);
	printf("%s: %d", what, n);
	for (int i = 0; i < n; i++)
		printf(" [data %llu events %#x]", (unsigned long long)ev[i].data.u64, ev[i].events);
	printf("\n");
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	uint64_t v;
	int ep;
	MUST(efd = eventfd(0, 0));
	MUST(ep = epoll_create1(EPOLL_CLOEXEC));
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 1};
	MUST(epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev));
	wait_show(ep, "nothing yet", 0);

	pthread_t th;
	pthread_create(&th, NULL, writer, (void *)3);
	wait_show(ep, "after a thread writes", 5000);
	wait_show(ep, "still readable (level)", 0);
	pthread_join(th, NULL);
	SHOW("read", read(efd, &v, 8));
	printf("value %llu\n", (unsigned long long)v);
	wait_show(ep, "drained", 0);

	/* Edge-triggered: one report per write. */
	ev.events = EPOLLIN | EPOLLET;
	ev.data.u64 = 2;
	MUST(epoll_ctl(ep, EPOLL_CTL_MOD, efd, &ev));
	v = 1;
	write(efd, &v, 8);
	wait_show(ep, "edge after write", 0);
	wait_show(ep, "edge again", 0);
	write(efd, &v, 8);
	wait_show(ep, "edge after second write", 0);
	read(efd, &v, 8);
	printf("value %llu\n", (unsigned long long)v);

	/* EPOLLOUT: writable until the counter is full. */
	ev.events = EPOLLOUT;
	ev.data.u64 = 3;
	MUST(epoll_ctl(ep, EPOLL_CTL_MOD, efd, &ev));
	wait_show(ep, "writable", 0);
	v = 0xfffffffffffffffeULL;
	write(efd, &v, 8);
	wait_show(ep, "full", 0);

	/* A writer blocked on the full counter wakes when a thread reads. */
	pthread_create(&th, NULL, reader, NULL);
	v = 2;
	SHOW("blocked write", write(efd, &v, 8));
	pthread_join(th, NULL);
	SHOW("read after", read(efd, &v, 8));
	printf("value %llu\n", (unsigned long long)v);

	/* A blocked read wakes when a thread writes. */
	pthread_create(&th, NULL, writer, (void *)42);
	SHOW("blocked read", read(efd, &v, 8));
	printf("value %llu\n", (unsigned long long)v);
	pthread_join(th, NULL);

	/* A child process writes; the parent's epoll hears it. */
	ev.events = EPOLLIN;
	ev.data.u64 = 4;
	MUST(epoll_ctl(ep, EPOLL_CTL_MOD, efd, &ev));
	pid_t pid = fork();
	if (pid == 0) {
		usleep(50000);
		uint64_t one = 7;
		write(efd, &one, 8);
		_exit(0);
	}
	wait_show(ep, "after the child writes", 5000);
	SHOW("read", read(efd, &v, 8));
	printf("value %llu\n", (unsigned long long)v);
	int st;
	waitpid(pid, &st, 0);
	printf("child status %d\n", st);

	/* poll sees the same. */
	struct pollfd p = {efd, POLLIN | POLLOUT, 0};
	SHOW("poll", poll(&p, 1, 0));
	printf("revents %#x\n", p.revents);
	return 0;
}
