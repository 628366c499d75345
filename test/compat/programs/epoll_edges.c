/*
 * epoll_edges: the epoll_ctl errors, one-shot and edge-triggered items,
 * nested epoll (and the loop check), closing a registered fd (an item
 * lives as long as its open file description), EPOLLHUP and EPOLLERR
 * reported unasked, EPOLLRDHUP, epoll_pwait's signal mask and
 * epoll_pwait2's timeout.
 */
#include "compat.h"
#include <fcntl.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>

static volatile sig_atomic_t got;
static void on_usr1(int sig) { (void)sig; got++; }

static void show(const char *what, int ep)
{
	struct epoll_event ev[8];
	errno = 0;
	int n = epoll_wait(ep, ev, 8, 0);
	printf("%s: %d%s", what, n, n < 0 ? errname(errno) : "");
	for (int i = 0; i < n; i++)
		printf(" [%d %#x]", (int)ev[i].data.u32, ev[i].events);
	printf("\n");
}

static int add(int ep, int fd, unsigned events, int tag)
{
	struct epoll_event e = {.events = events, .data.u32 = tag};
	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &e);
}

int main(void)
{
	CHECK_ERR("epoll_create(0)", epoll_create(0), EINVAL);
	CHECK_ERR("epoll_create1(bad flag)", epoll_create1(1), EINVAL);
	int ep = epoll_create1(EPOLL_CLOEXEC);
	printf("cloexec: %d\n", fcntl(ep, F_GETFD));
	int p[2];
	if (pipe(p) < 0)
		return 2;
	struct epoll_event e = {.events = EPOLLIN};
	CHECK_RET("add", add(ep, p[0], EPOLLIN, 1), 0);
	CHECK_ERR("add again", add(ep, p[0], EPOLLIN, 1), EEXIST);
	CHECK_ERR("mod unregistered", epoll_ctl(ep, EPOLL_CTL_MOD, p[1], &e), ENOENT);
	CHECK_ERR("del unregistered", epoll_ctl(ep, EPOLL_CTL_DEL, p[1], NULL), ENOENT);
	CHECK_ERR("add itself", add(ep, ep, EPOLLIN, 0), EINVAL);
	CHECK_ERR("bad op", epoll_ctl(ep, 99, p[1], &e), EINVAL);
	CHECK_ERR("bad fd", add(ep, 999, EPOLLIN, 0), EBADF);
	CHECK_ERR("not an epoll fd", add(p[1], p[0], EPOLLIN, 0), EINVAL);
	int file = open("/proc/self/status", O_RDONLY);
	CHECK_ERR("regular file", add(ep, file, EPOLLIN, 0), EPERM);
	CHECK_ERR("exclusive with oneshot", add(ep, p[1], EPOLLOUT | EPOLLEXCLUSIVE | EPOLLONESHOT, 2), EINVAL);
	CHECK_RET("add exclusive", add(ep, p[1], EPOLLOUT | EPOLLEXCLUSIVE, 2), 0);
	e.events = EPOLLOUT;
	CHECK_ERR("mod exclusive", epoll_ctl(ep, EPOLL_CTL_MOD, p[1], &e), EINVAL);
	CHECK_RET("del exclusive", epoll_ctl(ep, EPOLL_CTL_DEL, p[1], NULL), 0);
	CHECK_ERR("maxevents 0", epoll_wait(ep, &e, 0, 0), EINVAL);
	CHECK_RET("bad events pointer, nothing ready", syscall(SYS_epoll_wait, ep, 8L, 1L, 0L), 0);

	show("nothing yet", ep);
	write(p[1], "a", 1);
	CHECK_ERR("bad events pointer, an event ready", syscall(SYS_epoll_wait, ep, 8L, 1L, 0L), EFAULT);
	show("level: data", ep);
	show("level: still", ep);

	e = (struct epoll_event){.events = EPOLLIN | EPOLLONESHOT, .data.u32 = 1};
	epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &e);
	show("oneshot: first", ep);
	show("oneshot: disabled", ep);
	epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &e);
	show("oneshot: re-armed", ep);

	e = (struct epoll_event){.events = EPOLLIN | EPOLLET, .data.u32 = 1};
	epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &e);
	show("edge: armed with data", ep);
	show("edge: no new data", ep);
	write(p[1], "b", 1);
	show("edge: new data", ep);

	/* Nested: an epoll inside another is readable while it has events. */
	int outer = epoll_create1(0);
	CHECK_RET("nest", add(outer, ep, EPOLLIN, 7), 0);
	e = (struct epoll_event){.events = EPOLLIN, .data.u32 = 1};
	epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &e);
	show("outer sees inner", outer);
	CHECK_ERR("loop", add(ep, outer, EPOLLIN, 8), ELOOP);
	char buf[8];
	read(p[0], buf, sizeof buf);
	show("outer after drain", outer);

	/* An item lives with the open file description, not the fd. */
	int dupfd = dup(p[0]);
	write(p[1], "c", 1);
	close(p[0]);
	show("fd closed, dup open", ep);
	close(dupfd);
	show("all closed", ep);

	/* HUP and ERR are reported unasked. */
	int q[2];
	if (pipe(q) < 0)
		return 2;
	add(ep, q[0], 0, 3);
	add(ep, q[1], 0, 4);
	show("nothing asked", ep);
	close(q[1]);
	show("writer closed", ep);
	int r[2];
	if (pipe(r) < 0)
		return 2;
	add(ep, r[1], EPOLLOUT, 5);
	close(r[0]);
	show("reader closed", ep);
	epoll_ctl(ep, EPOLL_CTL_DEL, r[1], NULL);
	epoll_ctl(ep, EPOLL_CTL_DEL, q[0], NULL);

	/* RDHUP: the peer shut its writing side. */
	int sv[2];
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	add(ep, sv[0], EPOLLIN | EPOLLRDHUP, 6);
	show("socket idle", ep);
	shutdown(sv[1], SHUT_WR);
	show("peer shut writing", ep);
	close(sv[1]);
	show("peer closed", ep);
	epoll_ctl(ep, EPOLL_CTL_DEL, sv[0], NULL);

	/* epoll_pwait's mask and epoll_pwait2's timeout. */
	struct sigaction sa = {.sa_handler = on_usr1};
	sigaction(SIGUSR1, &sa, NULL);
	sigset_t block, empty;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigemptyset(&empty);
	sigprocmask(SIG_BLOCK, &block, NULL);
	raise(SIGUSR1);
	struct epoll_event out;
	errno = 0;
	int n = epoll_pwait(ep, &out, 1, 0, &block);
	printf("epoll_pwait keeping USR1 blocked: %d handler ran %d\n", n, got);
	errno = 0;
	n = epoll_pwait(ep, &out, 1, 100, &empty);
	printf("epoll_pwait unblocking USR1: %d %s handler ran %d\n", n, errname(errno), got);
	struct timespec zero = {0, 0}, bad = {0, -1};
	CHECK_RET("epoll_pwait2 zero timeout", syscall(SYS_epoll_pwait2, ep, &out, 1, &zero, NULL, 8), 0);
	CHECK_ERR("epoll_pwait2 bad timeout", syscall(SYS_epoll_pwait2, ep, &out, 1, &bad, NULL, 8), EINVAL);
	return 0;
}
