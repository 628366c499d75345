/* unix_epoll: epoll on a listener and on connections: a client forked
 * after the wait began, level and edge triggering, RDHUP and HUP. */
#include "unixtest.h"
#include <sys/epoll.h>

static void wait_show(const char *what, int ep, int timeout)
{
	struct epoll_event ev[4];
	int n = epoll_wait(ep, ev, 4, timeout);
	printf("%s: %d", what, n);
	for (int i = 0; i < n; i++) {
		printf(" [tag %d:", (int)ev[i].data.u32);
		if (ev[i].events & EPOLLIN) printf(" IN");
		if (ev[i].events & EPOLLOUT) printf(" OUT");
		if (ev[i].events & EPOLLERR) printf(" ERR");
		if (ev[i].events & EPOLLHUP) printf(" HUP");
		if (ev[i].events & EPOLLRDHUP) printf(" RDHUP");
		printf("]");
	}
	printf("\n");
	fflush(stdout);
}

int main(void)
{
	struct sockaddr_un a;
	socklen_t la = addr(&a, "/tmp/unix_epoll.sock");
	unlink(a.sun_path);
	int ls = socket(AF_UNIX, SOCK_STREAM, 0);
	MUST(bind(ls, (struct sockaddr *)&a, la));
	MUST(listen(ls, 8));
	int ep = epoll_create1(0);
	struct epoll_event ev = { EPOLLIN | EPOLLOUT, { .u32 = 1 } };
	SHOW("add listener", epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev));
	wait_show("idle listener", ep, 0);

	/* The child takes each step when the parent says so (a byte on go),
	 * shortly after the parent has started to wait. */
	int go[2];
	MUST(pipe(go));
	pid_t pid = fork();
	MUST(pid);
	if (pid == 0) {
		char g;
		read(go[0], &g, 1);
		usleep(20000);
		int c = socket(AF_UNIX, SOCK_STREAM, 0);
		if (connect(c, (struct sockaddr *)&a, la) < 0)
			_exit(1);
		read(go[0], &g, 1);
		usleep(20000);
		write(c, "ping", 4);
		read(go[0], &g, 1);
		usleep(20000);
		shutdown(c, SHUT_WR);
		char b[8];
		read(c, b, sizeof b); /* until the parent closes */
		_exit(0);
	}
	write(go[1], "1", 1);
	wait_show("listener wakes", ep, 5000);
	wait_show("level: still ready", ep, 0);
	int s = accept(ls, NULL, NULL);
	MUST(s);
	wait_show("after accept", ep, 0);

	struct epoll_event ev2 = { EPOLLIN | EPOLLRDHUP | EPOLLET, { .u32 = 2 } };
	SHOW("add connection, edge", epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev2));
	write(go[1], "2", 1);
	wait_show("data arrives", ep, 5000);
	wait_show("edge: not again", ep, 0);
	char buf[8];
	SHOW("read", read(s, buf, sizeof buf));
	write(go[1], "3", 1);
	wait_show("peer shuts down writing", ep, 5000);
	SHOW("read eof", read(s, buf, sizeof buf));
	struct epoll_event ev3 = { EPOLLOUT, { .u32 = 3 } };
	SHOW("modify, level OUT", epoll_ctl(ep, EPOLL_CTL_MOD, s, &ev3));
	wait_show("writable", ep, 0);
	close(s);
	reap("client", pid);

	int sv[2];
	MUST(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
	struct epoll_event ev4 = { EPOLLIN | EPOLLOUT, { .u32 = 4 } };
	epoll_ctl(ep, EPOLL_CTL_DEL, ls, NULL);
	epoll_ctl(ep, EPOLL_CTL_ADD, sv[0], &ev4);
	wait_show("dgram pair", ep, 0);
	send(sv[1], "d", 1, 0);
	wait_show("dgram readable", ep, 0);
	close(sv[1]);
	wait_show("dgram peer closed", ep, 0);
	unlink(a.sun_path);
	return 0;
}
