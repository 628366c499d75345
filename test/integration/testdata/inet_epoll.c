/*
 * inet_epoll: epoll and poll on TCP sockets: a listener becomes readable
 * when a connection waits, level- and edge-triggered; a connection reports
 * data, the peer's half-close (EPOLLRDHUP) and its full close (EPOLLHUP
 * after both directions are shut).
 */
#include "inet.h"
#include <sys/epoll.h>

static void events(const char *what, int ep, int timeout)
{
	struct epoll_event ev[4];
	int n = epoll_wait(ep, ev, 4, timeout);
	printf("%s: %d", what, n);
	for (int i = 0; i < n; i++)
		printf(" [fd-tag %d events %#x]", (int)ev[i].data.u32, ev[i].events);
	printf("\n");
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	struct sockaddr_storage a;
	socklen_t len;
	int l = listener(AF_INET, SOCK_STREAM, &a, &len);
	int ep = epoll_create1(0);
	struct epoll_event ev = {.events = EPOLLIN, .data.u32 = 1};
	MUST(epoll_ctl(ep, EPOLL_CTL_ADD, l, &ev));
	events("listener, nobody connecting", ep, 0);

	pid_t pid = fork();
	MUST(pid);
	if (pid == 0) {
		usleep(200000);
		int c = socket(AF_INET, SOCK_STREAM, 0);
		MUST(connect(c, (struct sockaddr *)&a, len));
		usleep(200000);
		MUST(write(c, "ping", 4));
		usleep(200000);
		MUST(shutdown(c, SHUT_WR));
		char b[8];
		while (read(c, b, sizeof b) > 0)
			;
		exit(0);
	}
	events("listener, waiting for a connection", ep, 5000);
	events("still readable (level-triggered)", ep, 0);
	int s = accept4(l, NULL, NULL, SOCK_NONBLOCK);
	MUST(s);
	events("after accept", ep, 0);

	ev = (struct epoll_event){.events = EPOLLIN | EPOLLRDHUP | EPOLLET, .data.u32 = 2};
	MUST(epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev));
	events("connection, no data yet", ep, 0);
	events("connection, data arrives", ep, 5000);
	events("edge-triggered: not again", ep, 0);
	char b[8];
	SHOW("read", read(s, b, sizeof b));
	SHOW("read more", read(s, b, sizeof b));
	events("peer shuts down writing", ep, 5000);
	SHOW("read", read(s, b, sizeof b));
	ev.events = EPOLLOUT;
	MUST(epoll_ctl(ep, EPOLL_CTL_MOD, s, &ev));
	events("writable, level-triggered", ep, 0);
	MUST(shutdown(s, SHUT_WR));
	wait_child("client", pid);
	ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP;
	MUST(epoll_ctl(ep, EPOLL_CTL_MOD, s, &ev));
	events("both directions shut", ep, 1000);

	struct pollfd p = {s, POLLIN | POLLOUT | POLLRDHUP, 0};
	SHOW("poll", poll(&p, 1, 0));
	printf("revents %#x\n", p.revents);
	p = (struct pollfd){l, POLLIN | POLLOUT, 0};
	SHOW("poll the listener", poll(&p, 1, 0));
	printf("revents %#x\n", p.revents);
	int u = socket(AF_INET, SOCK_STREAM, 0);
	p = (struct pollfd){u, POLLIN | POLLOUT, 0};
	SHOW("poll a fresh socket", poll(&p, 1, 0));
	printf("revents %#x\n", p.revents);
	return 0;
}
