/*
 * alarm_semantics: alarm returns the seconds left on the previous alarm
 * (rounded), alarm(0) cancels without a signal, a new alarm replaces the
 * old; alarms are not inherited by fork children but survive execve
 * (checked via getitimer in the exec'd image).
 */
#include "compat.h"
#include <signal.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile int rang;
static void handler(int sig) { rang++; }

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "exec") == 0) {
		struct itimerval it;
		getitimer(ITIMER_REAL, &it);
		check("after exec: the alarm is still armed (8..10 s left)", it.it_value.tv_sec >= 8 && it.it_value.tv_sec <= 10);
		alarm(0);
		return compat_done() ? 1 : 6;
	}
	signal(SIGALRM, handler);
	CHECK_RET("first alarm returns 0", alarm(10), 0);
	CHECK_RET("second returns 10 (left of the first)", alarm(5), 10);
	CHECK_RET("alarm(0) returns 5 and cancels", alarm(0), 5);
	CHECK_RET("nothing armed now", alarm(0), 0);
	alarm(1);
	usleep(1200000);
	CHECK_RET("a 1 s alarm rang once", rang, 1);
	alarm(10);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		_exit(alarm(0) == 0 ? 0 : 1);
	}
	int st;
	waitpid(pid, &st, 0);
	check("a fork child has no alarm", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	pid = fork();
	if (pid == 0) {
		alarm(10);
		execl("/proc/self/exe", argv[0], "exec", (char *)NULL);
		_exit(127);
	}
	waitpid(pid, &st, 0);
	check("exec'd child checked its alarm", WIFEXITED(st) && WEXITSTATUS(st) == 6);
	alarm(0);
	return compat_done();
}
