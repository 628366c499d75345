/*
 * cloexec_exec: across execve, descriptors with FD_CLOEXEC (O_CLOEXEC,
 * F_SETFD, dup3, F_DUPFD_CLOEXEC) are closed and the others stay open with
 * their offset and flags; the program re-executes itself through
 * /proc/self/exe to look.
 */
#include "compat.h"
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

static int is_open(int fd) { return fcntl(fd, F_GETFD) != -1; }

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "after-exec") == 0) {
		check("fd 3 (O_CLOEXEC) closed", !is_open(3));
		check("fd 4 (plain) open", is_open(4));
		check("fd 4 offset kept (5)", lseek(4, 0, SEEK_CUR) == 5);
		check("fd 4 O_APPEND kept", fcntl(4, F_GETFL) & O_APPEND);
		check("fd 5 (F_SETFD FD_CLOEXEC) closed", !is_open(5));
		check("fd 6 (dup3 O_CLOEXEC) closed", !is_open(6));
		check("fd 7 (F_DUPFD_CLOEXEC) closed", !is_open(7));
		check("fd 8 (flag cleared again) open", is_open(8));
		check("fd 9 (dup of a cloexec fd) open", is_open(9));
		return compat_done();
	}
	compat_tmpdir();
	/* Open at 20 and up, then place the descriptors under test at 3..9. */
	int t = open("f", O_CREAT | O_RDWR | O_APPEND, 0644);
	int b = fcntl(t, F_DUPFD, 20);
	close(t);
	write(b, "01234", 5);
	CHECK_RET("O_CLOEXEC open at 3", open("f", O_RDONLY | O_CLOEXEC), 3);
	dup2(b, 4);
	dup2(b, 5);
	fcntl(5, F_SETFD, FD_CLOEXEC);
	dup3(b, 6, O_CLOEXEC);
	CHECK_RET("F_DUPFD_CLOEXEC gives 7", fcntl(b, F_DUPFD_CLOEXEC, 7), 7);
	dup2(b, 8);
	fcntl(8, F_SETFD, FD_CLOEXEC);
	fcntl(8, F_SETFD, 0);
	CHECK_RET("dup of fd 3 gives 9", dup(3), 9);
	close(b);
	check("fd 3 has FD_CLOEXEC", fcntl(3, F_GETFD) == FD_CLOEXEC);
	check("its dup does not", fcntl(9, F_GETFD) == 0);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		execl("/proc/self/exe", argv[0], "after-exec", (char *)NULL);
		_exit(127);
	}
	int st;
	waitpid(pid, &st, 0);
	check("exec'd child passed", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	return compat_done();
}
