/*
 * posix_spawn_calls: posix_spawn (glibc: clone with CLONE_VM|CLONE_VFORK)
 * runs a program with its argv and environment; file actions dup2, open
 * and close apply in the child; spawn attributes set the signal mask, reset
 * handlers to default and make a new process group; a missing program is
 * reported by posix_spawn itself (ENOENT), posix_spawnp searches PATH.
 */
#include "compat.h"
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static void handler(int sig) {}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "child") == 0) {
		printf("child argv[2]=%s env SPAWN=%s\n", argv[2], getenv("SPAWN") ? getenv("SPAWN") : "(none)");
		sigset_t s;
		sigprocmask(SIG_BLOCK, NULL, &s);
		printf("child: SIGUSR2 blocked %d\n", sigismember(&s, SIGUSR2));
		struct sigaction sa;
		sigaction(SIGUSR1, NULL, &sa);
		printf("child: SIGUSR1 handler default %d\n", sa.sa_handler == SIG_DFL);
		printf("child: own process group %d\n", getpgrp() == getpid());
		printf("child: fd 5 open %d, fd 6 open %d\n", fcntl(5, F_GETFD) != -1, fcntl(6, F_GETFD) != -1);
		char buf[16] = {0};
		read(5, buf, sizeof buf - 1);
		printf("child: read from fd 5: %s\n", buf);
		fflush(stdout);
		return 3;
	}
	compat_tmpdir();
	int fd = open("in", O_CREAT | O_RDWR, 0644);
	write(fd, "spawned", 7);
	close(fd);
	signal(SIGUSR1, handler);
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 5, "in", O_RDONLY, 0);
	dup2(1, 6);
	posix_spawn_file_actions_addclose(&fa, 6);
	posix_spawnattr_t at;
	posix_spawnattr_init(&at);
	sigset_t mask, def;
	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR2);
	sigemptyset(&def);
	sigaddset(&def, SIGUSR1);
	posix_spawnattr_setsigmask(&at, &mask);
	posix_spawnattr_setsigdefault(&at, &def);
	posix_spawnattr_setpgroup(&at, 0);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
	char *cargv[] = {argv[0], "child", "arg-two", NULL};
	char *cenv[] = {"SPAWN=yes", NULL};
	pid_t pid;
	fflush(stdout);
	CHECK_RET("posix_spawn", posix_spawn(&pid, "/proc/self/exe", &fa, &at, cargv, cenv), 0);
	int st;
	waitpid(pid, &st, 0);
	check("child exit 3", WIFEXITED(st) && WEXITSTATUS(st) == 3);
	close(6);
	char *nargv[] = {"x", NULL};
	CHECK_RET("posix_spawn of a missing program: ENOENT", posix_spawn(&pid, "/nonexistent", NULL, NULL, nargv, environ), ENOENT);
	char *targv[] = {"true", NULL};
	CHECK_RET("posix_spawnp \"true\" via PATH", posix_spawnp(&pid, "true", NULL, NULL, targv, environ), 0);
	waitpid(pid, &st, 0);
	check("true exits 0", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	return compat_done();
}
