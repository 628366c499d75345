/*
 * pidfd_poll: a pidfd becomes readable (POLLIN) when its process exits:
 * poll with a zero timeout reports nothing while the child runs and POLLIN
 * after it exits (before it is reaped); epoll sees it too.
 */
#include "compat.h"
#include <poll.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
	int p[2];
	pipe(p);
	pid_t pid = fork();
	if (pid == 0) {
		char c;
		read(p[0], &c, 1);
		_exit(0);
	}
	int pfd = syscall(SYS_pidfd_open, pid, 0);
	struct pollfd pf = {.fd = pfd, .events = POLLIN};
	CHECK_RET("poll while running: 0", poll(&pf, 1, 0), 0);
	write(p[1], "x", 1);
	CHECK_RET("poll after exit: 1", poll(&pf, 1, 5000), 1);
	check("POLLIN", pf.revents & POLLIN);
	int ep = epoll_create1(0);
	struct epoll_event ev = {.events = EPOLLIN};
	CHECK_RET("epoll_ctl ADD a pidfd", epoll_ctl(ep, EPOLL_CTL_ADD, pfd, &ev), 0);
	CHECK_RET("epoll_wait: 1", epoll_wait(ep, &ev, 1, 1000), 1);
	waitpid(pid, NULL, 0);
	return compat_done();
}
