/*
 * exec_nonleader: a thread other than the main one calls execve: the
 * other threads are killed, the new image runs with the process's pid
 * (the thread takes over the leader's id), a single thread, and the
 * parent's waitpid sees the original child pid exit normally.
 */
#include "compat.h"
#include <pthread.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static char pidarg[32];
static char *self;

static void *execer(void *arg)
{
	check("exec'ing thread is not the leader", syscall(SYS_gettid) != getpid());
	fflush(stdout);
	execl("/proc/self/exe", self, "after-exec", pidarg, (char *)NULL);
	printf("execl failed: %s\n", errname(errno));
	return NULL;
}

static void *sleeper(void *arg)
{
	for (;;)
		pause();
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "after-exec") == 0) {
		check("new image: same pid", getpid() == atoi(argv[2]));
		check("new image: tid == pid", syscall(SYS_gettid) == getpid());
		FILE *f = fopen("/proc/self/status", "r");
		char line[256];
		int n = -1;
		while (fgets(line, sizeof line, f))
			if (sscanf(line, "Threads: %d", &n) == 1)
				break;
		check("new image: one thread", n == 1);
		return compat_done() ? 1 : 9;
	}
	self = argv[0];
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		snprintf(pidarg, sizeof pidarg, "%d", getpid());
		pthread_t a, b;
		pthread_create(&a, NULL, sleeper, NULL);
		pthread_create(&b, NULL, execer, NULL);
		pthread_join(b, NULL);
		_exit(2);
	}
	int st;
	CHECK_RET("waitpid gets the original pid", waitpid(pid, &st, 0), pid);
	check("status 9 from the new image", WIFEXITED(st) && WEXITSTATUS(st) == 9);
	return compat_done();
}
