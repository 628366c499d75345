/*
 * prctl_name: PR_SET_NAME truncates to 15 bytes and shows in PR_GET_NAME
 * and /proc/self/comm; a thread's name (pthread_setname_np) shows in
 * /proc/self/task/TID/comm and not in the process's; after execve the name
 * is the first 15 bytes of the last component of the path execve was given
 * ("exe" for /proc/self/exe); PR_SET_PDEATHSIG and
 * PR_GET_PDEATHSIG round-trip (and are cleared by fork); PR_GET_DUMPABLE
 * is 1; unknown options give EINVAL.
 */
#include "compat.h"
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void read_file(const char *p, char *buf, int n)
{
	int fd = open(p, O_RDONLY);
	int r = read(fd, buf, n - 1);
	buf[r > 0 ? r : 0] = 0;
	close(fd);
}

static volatile pid_t ttid;
static volatile int done;

static void *named(void *arg)
{
	pthread_setname_np(pthread_self(), "worker-thread");
	ttid = syscall(SYS_gettid);
	while (!done)
		usleep(1000);
	return NULL;
}

int main(int argc, char **argv)
{
	char name[32], comm[64], path[64];
	if (argc == 2 && strcmp(argv[1], "exec") == 0) {
		prctl(PR_GET_NAME, name);
		printf("after exec: %s\n", name);
		return 0;
	}
	CHECK_RET("PR_SET_NAME a 24-byte name", prctl(PR_SET_NAME, "abcdefghijklmnopqrstuvwx"), 0);
	prctl(PR_GET_NAME, name);
	printf("PR_GET_NAME: %s\n", name);
	read_file("/proc/self/comm", comm, sizeof comm);
	printf("/proc/self/comm: %s", comm);
	pthread_t t;
	pthread_create(&t, NULL, named, NULL);
	while (!ttid)
		usleep(1000);
	snprintf(path, sizeof path, "/proc/self/task/%d/comm", ttid);
	read_file(path, comm, sizeof comm);
	printf("thread comm: %s", comm);
	read_file("/proc/self/comm", comm, sizeof comm);
	printf("process comm still: %s", comm);
	done = 1;
	pthread_join(t, NULL);

	int sig = -1;
	CHECK_RET("PR_SET_PDEATHSIG SIGUSR1", prctl(PR_SET_PDEATHSIG, SIGUSR1), 0);
	prctl(PR_GET_PDEATHSIG, &sig);
	CHECK_RET("PR_GET_PDEATHSIG", sig, SIGUSR1);
	CHECK_ERR("PR_SET_PDEATHSIG 99", prctl(PR_SET_PDEATHSIG, 99), EINVAL);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		int s = -1;
		prctl(PR_GET_PDEATHSIG, &s);
		_exit(s == 0 ? 0 : 1);
	}
	int st;
	waitpid(pid, &st, 0);
	check("fork clears the death signal", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	prctl(PR_SET_PDEATHSIG, 0);
	CHECK_RET("PR_GET_DUMPABLE", prctl(PR_GET_DUMPABLE), 1);
	CHECK_ERR("unknown option", prctl(12345), EINVAL);
	/* The name after exec is the last component of the path given to execve. */
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		execl("/proc/self/exe", "ignored-argv0", "exec", (char *)NULL);
		_exit(127);
	}
	waitpid(pid, &st, 0);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		execl(argv[0], "ignored-argv0", "exec", (char *)NULL);
		_exit(127);
	}
	waitpid(pid, &st, 0);
	return compat_done();
}
