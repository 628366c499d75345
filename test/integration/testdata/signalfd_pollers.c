/*
 * signalfd_pollers: a signalfd is readable for the thread that polls it:
 * a signal sent to one thread makes the signalfd readable in that thread's
 * poll and epoll_wait, not in another's; a child that inherited the
 * signalfd polls for its own signals, not its parent's.
 */
#include "evtest.h"
#include <pthread.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/wait.h>

static int sfd, ep;
static volatile int stage;

static void *second(void *arg)
{
	while (stage != 1)
		usleep(1000);
	printf("second thread: poll %#x\n", revents(sfd, POLLIN));
	struct epoll_event ev;
	printf("second thread: epoll_wait %d\n", epoll_wait(ep, &ev, 1, 0));
	struct signalfd_siginfo si;
	printf("second thread: read %ld\n", (long)read(sfd, &si, sizeof si));
	stage = 2;
	return NULL;
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	sigset_t m;
	sigemptyset(&m);
	sigaddset(&m, SIGUSR1);
	sigprocmask(SIG_BLOCK, &m, NULL);
	MUST(sfd = signalfd(-1, &m, SFD_NONBLOCK));
	MUST(ep = epoll_create1(0));
	struct epoll_event ev = {.events = EPOLLIN};
	MUST(epoll_ctl(ep, EPOLL_CTL_ADD, sfd, &ev));

	pthread_t th;
	pthread_create(&th, NULL, second, NULL);
	pthread_kill(th, SIGUSR1);
	printf("main thread: poll %#x\n", revents(sfd, POLLIN));
	printf("main thread: epoll_wait %d\n", epoll_wait(ep, &ev, 1, 0));
	stage = 1;
	pthread_join(th, NULL);

	/* The child polls an inherited signalfd: its own signals count. */
	kill(getpid(), SIGUSR1); /* pending for the parent, not the child */
	int go[2];
	MUST(pipe(go));
	pid_t pid = fork();
	if (pid == 0) {
		char c;
		int before = revents(sfd, POLLIN);
		read(go[0], &c, 1);
		struct pollfd p = {sfd, POLLIN, 0};
		int n = poll(&p, 1, 5000);
		struct epoll_event e;
		int ne = epoll_wait(ep, &e, 1, 0);
		printf("child: before %#x, poll %d revents %#x, epoll_wait %d\n", before, n, p.revents, ne);
		_exit(0);
	}
	usleep(30000);
	kill(pid, SIGUSR1);
	write(go[1], "x", 1);
	waitpid(pid, NULL, 0);
	printf("parent: poll %#x\n", revents(sfd, POLLIN));
	return 0;
}
