/*
 * poll_edges: poll, ppoll, select and pselect6 on pipes at their edges:
 * readiness as the ends close (POLLHUP, POLLERR, POLLNVAL), negative and
 * closed fds, events of 0, the argument errors, and the signal masks of
 * ppoll and pselect6 (a pending signal that the mask unblocks interrupts
 * the wait with EINTR after its handler ran).
 */
#include "compat.h"
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <time.h>

static volatile sig_atomic_t got;
static void on_usr1(int sig) { (void)sig; got++; }

static void show_poll(const char *what, struct pollfd *p, int n, int timeout)
{
	for (int i = 0; i < n; i++)
		p[i].revents = 0x7fff;
	errno = 0;
	int r = poll(p, n, timeout);
	printf("%s: %d %s", what, r, r < 0 ? errname(errno) : "");
	for (int i = 0; i < n; i++)
		printf(" [%#x]", p[i].revents);
	printf("\n");
}

int main(void)
{
	int fds[2];
	if (pipe(fds) < 0)
		return 2;
	struct pollfd p[2] = {{.fd = fds[0], .events = POLLIN | POLLOUT}, {.fd = fds[1], .events = POLLIN | POLLOUT}};
	show_poll("empty pipe", p, 2, 0);
	write(fds[1], "x", 1);
	show_poll("one byte", p, 2, 0);
	p[0].events = 0;
	show_poll("events 0", p, 2, 0);
	p[0].events = POLLIN;
	close(fds[1]);
	p[1].fd = -1;
	show_poll("writer closed, data left; negative fd", p, 2, 0);
	char c;
	read(fds[0], &c, 1);
	show_poll("writer closed, drained", p, 2, 0);
	p[0].events = 0;
	show_poll("hung up, events 0", p, 1, 0);

	if (pipe(fds) < 0)
		return 2;
	close(fds[0]);
	struct pollfd w = {.fd = fds[1], .events = POLLOUT};
	show_poll("reader closed", &w, 1, 0);
	close(fds[1]);
	struct pollfd bad = {.fd = fds[1], .events = POLLIN};
	show_poll("closed fd", &bad, 1, 0);

	struct rlimit rl;
	getrlimit(RLIMIT_NOFILE, &rl);
	CHECK_ERR("poll nfds over RLIMIT_NOFILE", poll(&bad, rl.rlim_cur + 1, 0), EINVAL);
	CHECK_ERR("poll bad pointer", syscall(SYS_poll, 8L, 1L, 0L), EFAULT);
	struct timespec badts = {0, 1000000000};
	CHECK_ERR("ppoll tv_nsec 1e9", ppoll(&bad, 1, &badts, NULL), EINVAL);
	struct timespec negts = {-1, 0};
	CHECK_ERR("ppoll negative timeout", ppoll(&bad, 1, &negts, NULL), EINVAL);

	/* select */
	if (pipe(fds) < 0)
		return 2;
	fd_set r, wset, e;
	struct timeval tv = {0, 0};
	CHECK_ERR("select nfds -1", select(-1, NULL, NULL, NULL, &tv), EINVAL);
	int closed = dup(fds[1]);
	close(closed);
	FD_ZERO(&r);
	FD_SET(closed, &r);
	CHECK_ERR("select closed fd", select(closed + 1, &r, NULL, NULL, &tv), EBADF);
	struct timeval badtv = {0, -1};
	CHECK_ERR("select negative usec", select(0, NULL, NULL, NULL, &badtv), EINVAL);
	FD_ZERO(&r); FD_ZERO(&wset); FD_ZERO(&e);
	FD_SET(fds[0], &r); FD_SET(fds[1], &wset); FD_SET(fds[0], &e); FD_SET(fds[1], &e);
	int n = select(fds[1] + 1, &r, &wset, &e, &tv);
	printf("select empty pipe: %d read %d write %d except %d %d\n", n, FD_ISSET(fds[0], &r), FD_ISSET(fds[1], &wset),
	       FD_ISSET(fds[0], &e), FD_ISSET(fds[1], &e));
	write(fds[1], "y", 1);
	FD_ZERO(&r); FD_ZERO(&wset);
	FD_SET(fds[0], &r); FD_SET(fds[1], &wset);
	tv = (struct timeval){1, 0};
	n = select(fds[1] + 1, &r, &wset, NULL, &tv);
	printf("select one byte: %d read %d write %d\n", n, FD_ISSET(fds[0], &r), FD_ISSET(fds[1], &wset));

	/* The signal masks of ppoll and pselect6. */
	struct sigaction sa = {.sa_handler = on_usr1};
	sigaction(SIGUSR1, &sa, NULL);
	sigset_t block, empty;
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigemptyset(&empty);
	sigprocmask(SIG_BLOCK, &block, NULL);
	raise(SIGUSR1);
	struct pollfd none = {.fd = fds[0], .events = 0};
	struct timespec zero = {0, 0}, ms = {0, 50000000};
	errno = 0;
	n = ppoll(&none, 1, &zero, &block);
	printf("ppoll keeping USR1 blocked: %d handler ran %d\n", n, got);
	errno = 0;
	n = ppoll(&none, 1, &ms, &empty);
	printf("ppoll unblocking USR1: %d %s handler ran %d\n", n, errname(errno), got);
	raise(SIGUSR1);
	FD_ZERO(&r);
	errno = 0;
	n = pselect(1, &r, NULL, NULL, &ms, &empty);
	printf("pselect unblocking USR1: %d %s handler ran %d\n", n, errname(errno), got);
	sigset_t now;
	sigprocmask(SIG_SETMASK, NULL, &now);
	printf("mask restored: %d\n", sigismember(&now, SIGUSR1));
	return 0;
}
