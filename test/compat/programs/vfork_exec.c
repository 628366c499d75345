/*
 * vfork_exec: vfork suspends the parent until the child execs or exits;
 * the child shares the parent's memory until then (its store is seen);
 * after exec the parent resumes and the child runs the new image with
 * its argv; a vfork child that _exits reports its status.
 */
#include "compat.h"
#include <sys/wait.h>
#include <unistd.h>

static volatile int shared;

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "child") == 0) {
		printf("exec'd image got \"%s\"\n", argv[2]);
		return 4;
	}
	fflush(stdout);
	pid_t pid = vfork();
	if (pid == 0) {
		shared = 1234;
		_exit(17);
	}
	check("parent sees the vfork child's store", shared == 1234);
	int st;
	waitpid(pid, &st, 0);
	check("vfork child _exit(17)", WIFEXITED(st) && WEXITSTATUS(st) == 17);

	shared = 0;
	pid = vfork();
	if (pid == 0) {
		shared = 1;
		execl("/proc/self/exe", argv[0], "child", "hello", (char *)NULL);
		_exit(127);
	}
	check("parent resumed after the child's exec, store seen", shared == 1);
	waitpid(pid, &st, 0);
	check("exec'd child exit 4", WIFEXITED(st) && WEXITSTATUS(st) == 4);

	pid = vfork();
	if (pid == 0) {
		execl("/nonexistent/program", "x", (char *)NULL);
		shared = errno;
		_exit(127);
	}
	waitpid(pid, &st, 0);
	check("failed exec: errno ENOENT seen through shared memory", shared == ENOENT);
	check("then _exit(127)", WIFEXITED(st) && WEXITSTATUS(st) == 127);
	return compat_done();
}
