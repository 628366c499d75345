/*
 * signalfd_basic: signalfd(2) reads blocked pending signals of its mask as
 * struct signalfd_siginfo records: from kill, tgkill, sigqueue, a POSIX
 * timer, setitimer and a child's exit; several per read, nonblocking
 * EAGAIN, a mask changed through signalfd4 on the same fd, readiness
 * through poll and epoll, signals pending for another thread left alone,
 * an inherited signalfd read by a child, and the errors.
 */
#include "evtest.h"
#include <pthread.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>

static struct signalfd_siginfo si[4];

/* take reads from fd and prints each record's fields that do not vary. */
static void take(const char *what, int fd, size_t len)
{
	memset(si, 0xee, sizeof si);
	errno = 0;
	long n = read(fd, si, len);
	if (n < 0) {
		printf("%s: -1 %s\n", what, strerrorname_np(errno));
		return;
	}
	printf("%s: %ld\n", what, n);
	for (long i = 0; i < n / (long)sizeof si[0]; i++) {
		struct signalfd_siginfo *s = &si[i];
		printf("  signo %u errno %d code %d pid %s uid %u", s->ssi_signo, s->ssi_errno, s->ssi_code,
		       s->ssi_pid == (uint32_t)getpid() ? "self" : s->ssi_pid == 0 ? "0" : "other", s->ssi_uid);
		printf(" int %d ptr %#llx overrun %u status %d fd %d band %u addr %#llx\n", s->ssi_int,
		       (unsigned long long)s->ssi_ptr, s->ssi_overrun, s->ssi_status, s->ssi_fd, s->ssi_band,
		       (unsigned long long)s->ssi_addr);
	}
}

static sigset_t set_of(int a, int b)
{
	sigset_t s;
	sigemptyset(&s);
	if (a)
		sigaddset(&s, a);
	if (b)
		sigaddset(&s, b);
	return s;
}

static int tfd;
static volatile int go;

static void *other_thread(void *arg)
{
	while (!go)
		usleep(1000);
	take("other thread reads its own", tfd, sizeof si[0]);
	return NULL;
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	sigset_t all;
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, NULL);

	int fd;
	sigset_t m = set_of(SIGUSR1, 0);
	MUST(fd = signalfd(-1, &m, SFD_NONBLOCK));
	printf("getfl %#x getfd %d\n", fcntl(fd, F_GETFL), fcntl(fd, F_GETFD));
	struct stat st;
	MUST(fstat(fd, &st));
	printf("mode %o\n", st.st_mode);
	show_link("link", fd);

	take("empty", fd, sizeof si);
	printf("revents empty %#x\n", revents(fd, POLLIN | POLLOUT));
	kill(getpid(), SIGUSR1);
	kill(getpid(), SIGUSR1);
	printf("revents pending %#x\n", revents(fd, POLLIN | POLLOUT));
	take("short buffer", fd, sizeof si[0] - 1);
	take("kill twice", fd, sizeof si);
	SHOW("write", write(fd, si, sizeof si[0]));

	raise(SIGUSR2);
	take("SIGUSR2 not in the mask", fd, sizeof si);
	m = set_of(SIGUSR1, SIGUSR2);
	SHOW("change the mask", signalfd(fd, &m, 0));
	take("raise", fd, sizeof si);

	union sigval val = {.sival_int = 1234};
	for (int i = 0; i < 3; i++)
		sigqueue(getpid(), SIGRTMIN, val);
	m = set_of(SIGRTMIN, 0);
	MUST(signalfd(fd, &m, 0));
	take("sigqueue, room for two", fd, 2 * sizeof si[0]);
	take("the third", fd, sizeof si);

	/* A POSIX timer's signal carries the timer's value and overrun. */
	timer_t timer;
	struct sigevent sev = {0};
	sev.sigev_notify = SIGEV_SIGNAL;
	sev.sigev_signo = SIGRTMIN + 1;
	sev.sigev_value.sival_int = 99;
	MUST(timer_create(CLOCK_MONOTONIC, &sev, &timer));
	struct itimerspec its = {{0, 0}, {0, 10000000}};
	MUST(timer_settime(timer, 0, &its, NULL));
	int bfd;
	m = set_of(SIGRTMIN + 1, SIGALRM);
	MUST(bfd = signalfd(-1, &m, SFD_CLOEXEC));
	printf("cloexec getfd %d\n", fcntl(bfd, F_GETFD));
	memset(si, 0, sizeof si);
	take("blocking read of a timer signal", bfd, sizeof si);
	printf("  tid is the timer: %s\n", si[0].ssi_tid == (uint32_t)(long)timer ? "yes" : "no");

	struct itimerval it = {{0, 0}, {0, 10000}};
	setitimer(ITIMER_REAL, &it, NULL);
	take("setitimer", bfd, sizeof si);

	/* A child's exit. */
	m = set_of(SIGCHLD, 0);
	MUST(signalfd(fd, &m, 0));
	pid_t pid = fork();
	if (pid == 0)
		_exit(3);
	struct pollfd p = {fd, POLLIN, 0};
	SHOW("poll for SIGCHLD", poll(&p, 1, 5000));
	take("child exit", fd, sizeof si);
	printf("  pid is the child: %s\n", si[0].ssi_pid == (uint32_t)pid ? "yes" : "no");
	waitpid(pid, NULL, 0);

	/* epoll. */
	int ep;
	MUST(ep = epoll_create1(0));
	m = set_of(SIGUSR1, 0);
	MUST(signalfd(fd, &m, 0));
	struct epoll_event ev = {.events = EPOLLIN, .data.u32 = 5};
	MUST(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));
	SHOW("epoll nothing", epoll_wait(ep, &ev, 1, 0));
	kill(getpid(), SIGUSR1);
	SHOW("epoll after kill", epoll_wait(ep, &ev, 1, 1000));
	printf("data %u events %#x\n", ev.data.u32, ev.events);
	take("read", fd, sizeof si);
	SHOW("epoll drained", epoll_wait(ep, &ev, 1, 0));

	/* A signal pending for another thread is that thread's to read. */
	pthread_t th;
	m = set_of(SIGUSR2, 0);
	MUST(tfd = signalfd(-1, &m, SFD_NONBLOCK));
	pthread_create(&th, NULL, other_thread, NULL);
	pthread_kill(th, SIGUSR2);
	take("main thread: not its signal", tfd, sizeof si);
	go = 1;
	pthread_join(th, NULL);

	/* A child reads its own signals through an inherited signalfd. */
	m = set_of(SIGUSR1, 0);
	MUST(signalfd(fd, &m, 0));
	int ready[2];
	MUST(pipe(ready));
	pid = fork();
	if (pid == 0) {
		char c;
		read(ready[0], &c, 1);
		int fl = fcntl(fd, F_GETFL);
		fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
		memset(si, 0, sizeof si);
		read(fd, si, sizeof si);
		_exit(si[0].ssi_signo == SIGUSR1 && si[0].ssi_pid == (uint32_t)getppid() ? 0 : 1);
	}
	kill(pid, SIGUSR1);
	write(ready[1], "x", 1);
	int status;
	waitpid(pid, &status, 0);
	printf("child read its signal: status %d\n", WEXITSTATUS(status));
	fcntl(fd, F_SETFL, O_NONBLOCK); /* the child made the shared description blocking */
	take("parent has none", fd, sizeof si);

	/* Errors. */
	SHOW("bad size", syscall(SYS_signalfd4, -1, &m, 16, 0));
	SHOW("bad flags", signalfd(-1, &m, 1));
	SHOW("not a signalfd", signalfd(0, &m, 0));
	SHOW("bad fd", signalfd(99, &m, 0));
	SHOW("fd -2", signalfd(-2, &m, 0));
	SHOW("bad mask address", syscall(SYS_signalfd4, -1, 8, 8, 0));
	SHOW("old signalfd", syscall(SYS_signalfd, -1, &m, 8));
	return 0;
}
