/*
 * eintr_read: a read blocked on an empty pipe is interrupted by a SIGALRM
 * whose handler was installed without SA_RESTART: the handler runs and
 * read fails with EINTR; the data written later is still there.
 */
#include "compat.h"
#include <signal.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile int alarms;
static void on_alarm(int sig) { alarms++; }

int main(void)
{
	struct sigaction sa = {.sa_handler = on_alarm};
	sigaction(SIGALRM, &sa, NULL);
	int p[2], go[2];
	pipe(p);
	pipe(go);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		char c;
		read(go[0], &c, 1); /* written once the parent's read was interrupted */
		write(p[1], "late", 4);
		_exit(0);
	}
	/* repeating, in case the first expiry comes before read blocks */
	struct itimerval it = {.it_value = {0, 50000}, .it_interval = {0, 50000}}, off = {0};
	setitimer(ITIMER_REAL, &it, NULL);
	char buf[8];
	CHECK_ERR("read interrupted", read(p[0], buf, sizeof buf), EINTR);
	setitimer(ITIMER_REAL, &off, NULL);
	check("handler ran", alarms >= 1);
	write(go[1], "g", 1);
	CHECK_RET("the data arrives later", read(p[0], buf, sizeof buf), 4);
	waitpid(pid, NULL, 0);
	return compat_done();
}
