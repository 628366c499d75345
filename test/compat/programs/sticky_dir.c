/*
 * sticky_dir: in a sticky (01777) directory an unprivileged user may
 * create files and remove or rename its own, but not another user's
 * (EPERM); without the sticky bit it may remove any; root may remove
 * anything.
 */
#include "compat.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static int as_user(uid_t uid, int (*fn)(void))
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		if (setresgid(uid, uid, uid) != 0 || setresuid(uid, uid, uid) != 0)
			_exit(10);
		fn();
		fflush(stdout);
		_exit(compat_done());
	}
	int st;
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 100;
}

static int user1(void)
{
	close(open("sticky/u1", O_CREAT | O_WRONLY, 0666));
	close(open("plain/u1", O_CREAT | O_WRONLY, 0666));
	return 0;
}

static int user2(void)
{
	CHECK_ERR("uid 2000: unlink uid 1000's file in a sticky directory", unlink("sticky/u1"), EPERM);
	CHECK_ERR("uid 2000: rename it", rename("sticky/u1", "sticky/x"), EPERM);
	CHECK_ERR("uid 2000: replace it by rename", ({ close(open("sticky/u2", O_CREAT | O_WRONLY, 0666)); rename("sticky/u2", "sticky/u1"); }), EPERM);
	CHECK_RET("uid 2000: rename its own", rename("sticky/u2", "sticky/u2b"), 0);
	CHECK_RET("uid 2000: unlink its own", unlink("sticky/u2b"), 0);
	CHECK_RET("uid 2000: unlink uid 1000's file without the sticky bit", unlink("plain/u1"), 0);
	return 0;
}

int main(void)
{
	compat_tmpdir();
	chmod(".", 0755);
	mkdir("sticky", 0777);
	chmod("sticky", 01777);
	mkdir("plain", 0777);
	chmod("plain", 0777);
	CHECK_RET("uid 1000 creates files", as_user(1000, user1), 0);
	CHECK_RET("uid 2000's checks", as_user(2000, user2), 0);
	CHECK_RET("root unlinks uid 1000's file", unlink("sticky/u1"), 0);
	return compat_done();
}
