/*
 * access_modes: access and faccessat2 as root and as an unprivileged
 * user: root passes R_OK and W_OK on any file but X_OK only when some
 * execute bit is set; access() checks with the real uid, faccessat2 with
 * AT_EACCESS the effective one; AT_SYMLINK_NOFOLLOW checks the link;
 * unknown modes and flags give EINVAL.
 */
#include "compat.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static long fa2(const char *p, int mode, int flags)
{
	return syscall(SYS_faccessat2, AT_FDCWD, p, mode, flags);
}

int main(void)
{
	compat_tmpdir();
	chmod(".", 0755);
	close(open("none", O_CREAT | O_WRONLY, 0000));
	close(open("x", O_CREAT | O_WRONLY, 0100));
	close(open("rw", O_CREAT | O_WRONLY, 0600));
	close(open("world", O_CREAT | O_WRONLY, 0644));
	chmod("none", 0);
	chmod("x", 0100);
	symlink("missing", "dangling");
	CHECK_RET("root: R_OK|W_OK on mode 0000", access("none", R_OK | W_OK), 0);
	CHECK_ERR("root: X_OK on mode 0000", access("none", X_OK), EACCES);
	CHECK_RET("root: X_OK on mode 0100", access("x", X_OK), 0);
	CHECK_RET("root: F_OK", access("none", F_OK), 0);
	CHECK_ERR("F_OK of a dangling symlink", access("dangling", F_OK), ENOENT);
	CHECK_RET("faccessat2 AT_SYMLINK_NOFOLLOW on it", fa2("dangling", F_OK, AT_SYMLINK_NOFOLLOW), 0);
	CHECK_ERR("unknown mode bit", access("rw", 8), EINVAL);
	CHECK_ERR("faccessat2 unknown flag", fa2("rw", F_OK, 0x1), EINVAL);
	CHECK_RET("faccessat2 AT_EACCESS as root", fa2("rw", R_OK | W_OK, AT_EACCESS), 0);

	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		/* real uid 1000, effective and saved uid 0 */
		if (setresuid(1000, 0, 0) != 0)
			_exit(10);
		CHECK_ERR("ruid 1000: access R_OK on 0600 root file", access("rw", R_OK), EACCES);
		CHECK_RET("ruid 1000: faccessat2 AT_EACCESS (euid 0)", fa2("rw", R_OK, AT_EACCESS), 0);
		CHECK_RET("ruid 1000: access R_OK on 0644", access("world", R_OK), 0);
		CHECK_ERR("ruid 1000: access W_OK on 0644", access("world", W_OK), EACCES);
		if (setresuid(1000, 1000, 1000) != 0)
			_exit(11);
		CHECK_ERR("uid 1000: faccessat2 AT_EACCESS R_OK on 0600", fa2("rw", R_OK, AT_EACCESS), EACCES);
		CHECK_RET("uid 1000: X_OK on the 0755 directory", access(".", X_OK), 0);
		CHECK_ERR("uid 1000: W_OK on the 0755 directory", access(".", W_OK), EACCES);
		exit(compat_done());
	}
	int st;
	waitpid(pid, &st, 0);
	check("child done", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	return compat_done();
}
