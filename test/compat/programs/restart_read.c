/*
 * restart_read: a read blocked on an empty pipe, interrupted by SIGALRM
 * handlers installed with SA_RESTART (three of them, 50 ms apart),
 * is restarted each time and finally returns the data; readv and a
 * blocking wait4 restart too.
 */
#include "compat.h"
#include <signal.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile int alarms;
static void on_alarm(int sig) { alarms++; }

int main(void)
{
	struct sigaction sa = {.sa_handler = on_alarm, .sa_flags = SA_RESTART};
	sigaction(SIGALRM, &sa, NULL);
	int p[2];
	pipe(p);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		usleep(500000);
		write(p[1], "data", 4);
		usleep(300000);
		write(p[1], "more", 4);
		usleep(300000);
		_exit(7);
	}
	struct itimerval it = {.it_value = {0, 50000}, .it_interval = {0, 50000}};
	setitimer(ITIMER_REAL, &it, NULL);
	char buf[8] = {0};
	CHECK_RET("read restarted and got the data", read(p[0], buf, sizeof buf), 4);
	printf("data: %.4s\n", buf);
	check("handler ran at least 3 times", alarms >= 3);
	int before = alarms;
	struct iovec iov = {buf, sizeof buf};
	CHECK_RET("readv restarted", readv(p[0], &iov, 1), 4);
	check("more alarms during readv", alarms > before);
	before = alarms;
	int st;
	CHECK_RET("wait4 restarted", wait4(pid, &st, 0, NULL), pid);
	check("child's status 7", WIFEXITED(st) && WEXITSTATUS(st) == 7);
	check("more alarms during wait4", alarms > before);
	struct itimerval off = {0};
	setitimer(ITIMER_REAL, &off, NULL);
	return compat_done();
}
