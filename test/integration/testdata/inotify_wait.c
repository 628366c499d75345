/*
 * inotify_wait: waiting for inotify events: a blocking read wakes when a
 * child process creates a file, poll and epoll see the instance become
 * readable, FIONREAD counts the bytes queued, and a blocking read ends
 * with a signal handler (EINTR without SA_RESTART; with it the read
 * restarts and returns the event the handler caused). It works in a
 * directory under /var/tmp, which moat shows through its overlay.
 */
#include "inotify.h"
#include <signal.h>
#include <sys/epoll.h>
#include <sys/time.h>
#include <sys/wait.h>

static volatile int alarms;

static void on_alarm(int sig) { alarms++; }

static void make_file(int sig)
{
	alarms++;
	close(open("from-handler", O_CREAT | O_WRONLY, 0644));
}

static void arm(void (*fn)(int), int flags)
{
	struct sigaction sa = {0};
	sa.sa_handler = fn;
	sa.sa_flags = flags;
	sigaction(SIGALRM, &sa, NULL);
	struct itimerval it = {{0, 0}, {0, 30000}};
	setitimer(ITIMER_REAL, &it, NULL);
}

static void show_events(const char *what, char *buf, long n)
{
	printf("%s: %ld\n", what, n);
	for (char *p = buf; n > 0 && p < buf + n;) {
		struct inotify_event *e = (struct inotify_event *)p;
		printf("  wd %d ", e->wd);
		print_mask(e->mask);
		if (e->len)
			printf(" \"%s\"", e->name);
		printf("\n");
		p += sizeof *e + e->len;
	}
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	workdir_in("/var/tmp");
	static char buf[4096] __attribute__((aligned(8)));
	int in;
	MUST(in = inotify_init());
	MUST(inotify_add_watch(in, ".", IN_CREATE | IN_DELETE));

	pid_t pid = fork();
	if (pid == 0) {
		usleep(30000);
		close(open("from-child", O_CREAT | O_WRONLY, 0644));
		_exit(0);
	}
	long n = read(in, buf, sizeof buf);
	show_events("blocking read, a child creates", buf, n);
	waitpid(pid, NULL, 0);

	struct pollfd p = {in, POLLIN | POLLOUT, 0};
	SHOW("poll, nothing queued", poll(&p, 1, 0));
	unlink("from-child");
	SHOW("poll after unlink", poll(&p, 1, 0));
	printf("revents %#x\n", p.revents);
	int avail = 0;
	ioctl(in, FIONREAD, &avail);
	printf("FIONREAD %d\n", avail);
	n = read(in, buf, sizeof buf);
	show_events("read", buf, n);

	int ep;
	MUST(ep = epoll_create1(0));
	struct epoll_event ev = {.events = EPOLLIN, .data.u32 = 9};
	MUST(epoll_ctl(ep, EPOLL_CTL_ADD, in, &ev));
	SHOW("epoll, nothing queued", epoll_wait(ep, &ev, 1, 0));
	pid = fork();
	if (pid == 0) {
		usleep(30000);
		mkdir("sub", 0755);
		_exit(0);
	}
	SHOW("epoll, a child makes a directory", epoll_wait(ep, &ev, 1, 5000));
	printf("data %u events %#x\n", ev.data.u32, ev.events);
	waitpid(pid, NULL, 0);
	n = read(in, buf, sizeof buf);
	show_events("read", buf, n);

	/* Events inside sub do not reach the watch on its parent. */
	close(open("sub/inner", O_CREAT | O_WRONLY, 0644));
	unlink("sub/inner");
	rmdir("sub");
	n = read(in, buf, sizeof buf);
	show_events("inside sub, then rmdir sub", buf, n);

	arm(on_alarm, 0);
	errno = 0;
	n = read(in, buf, sizeof buf);
	printf("read interrupted: %ld %s alarms %d\n", n, n < 0 ? strerrorname_np(errno) : "", alarms);

	arm(make_file, SA_RESTART);
	n = read(in, buf, sizeof buf);
	show_events("read restarted", buf, n);
	printf("alarms %d\n", alarms);

	return 0;
}
