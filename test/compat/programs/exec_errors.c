/*
 * exec_errors: execve failures and what survives them: a missing file
 * ENOENT, a file without execute permission EACCES, a directory EACCES, a
 * file of unknown format ENOEXEC, a script whose interpreter is missing
 * ENOENT, a path through a file ENOTDIR, a bad argv pointer EFAULT; after
 * a failed execve the process carries on; argv entries (including empty
 * ones) and the environment arrive intact after a good one.
 */
#include "compat.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void put(const char *p, const char *s, int mode)
{
	int fd = open(p, O_CREAT | O_WRONLY | O_TRUNC, mode);
	write(fd, s, strlen(s));
	close(fd);
	chmod(p, mode);
}

int main(int argc, char **argv, char **envp)
{
	if (argc >= 2 && strcmp(argv[1], "show") == 0) {
		printf("exec'd: argc %d", argc);
		for (int i = 1; i < argc; i++)
			printf(" [%s]", argv[i]);
		printf(" env:");
		for (char **e = envp; *e; e++)
			printf(" [%s]", *e);
		printf("\n");
		return 0;
	}
	char self[4096];
	long n = readlink("/proc/self/exe", self, sizeof self - 1);
	self[n > 0 ? n : 0] = 0;
	compat_tmpdir();
	char *av[] = {"x", NULL};
	char *ev[] = {NULL};
	put("noexec", "#!/bin/sh\n", 0644);
	put("garbage", "this is not a program\n", 0755);
	put("badinterp", "#!/nonexistent/interpreter\n", 0755);
	mkdir("dir", 0755);
	CHECK_ERR("missing file", execve("missing", av, ev), ENOENT);
	CHECK_ERR("no execute permission", execve("noexec", av, ev), EACCES);
	CHECK_ERR("a directory", execve("dir", av, ev), EACCES);
	CHECK_ERR("unknown format", execve("garbage", av, ev), ENOEXEC);
	CHECK_ERR("script with a missing interpreter", execve("badinterp", av, ev), ENOENT);
	CHECK_ERR("path through a file", execve("garbage/x", av, ev), ENOTDIR);
	CHECK_ERR("bad argv pointer", syscall(SYS_execve, self, (char **)8, ev), EFAULT);
	CHECK_ERR("bad filename pointer", syscall(SYS_execve, (char *)8, av, ev), EFAULT);
	printf("still running after the failures\n");
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		char *good[] = {"argv0", "show", "", "two words", "", NULL};
		char *env[] = {"A=1", "EMPTY=", "NOEQUALS", NULL};
		execve(self, good, env);
		_exit(127);
	}
	int st;
	waitpid(pid, &st, 0);
	check("exec'd child exit 0", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	return compat_done();
}
