/*
 * chown_files: root changes owner and group with chown, fchown, lchown
 * and fchownat; -1 leaves a field alone; chown follows symlinks and lchown
 * does not; chown of a regular file clears set-user-ID and (with group
 * execute) set-group-ID, but not of a directory; an unprivileged user may
 * not give files away (EPERM).
 */
#include "compat.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static void show(const char *p)
{
	struct stat st;
	if (lstat(p, &st) != 0) {
		printf("%s: %s\n", p, errname(errno));
		return;
	}
	printf("%s: uid %d gid %d mode %04o\n", p, st.st_uid, st.st_gid, st.st_mode & 07777);
}

int main(void)
{
	compat_tmpdir();
	chmod(".", 0755);
	umask(0);
	close(open("f", O_CREAT | O_WRONLY, 0644));
	symlink("f", "l");
	mkdir("d", 0755);
	show("f");
	CHECK_RET("chown 1000:2000", chown("f", 1000, 2000), 0);
	show("f");
	CHECK_RET("chown -1:3000", chown("f", -1, 3000), 0);
	show("f");
	CHECK_RET("chown 4000:-1 through the symlink", chown("l", 4000, -1), 0);
	show("f");
	show("l");
	CHECK_RET("lchown the symlink 5:6", lchown("l", 5, 6), 0);
	show("f");
	show("l");
	int fd = open("f", O_RDONLY);
	CHECK_RET("fchown 7:8", fchown(fd, 7, 8), 0);
	show("f");
	CHECK_RET("fchownat AT_SYMLINK_NOFOLLOW 9:10", fchownat(AT_FDCWD, "l", 9, 10, AT_SYMLINK_NOFOLLOW), 0);
	show("l");
	CHECK_RET("fchownat AT_EMPTY_PATH 0:0", fchownat(fd, "", 0, 0, AT_EMPTY_PATH), 0);
	show("f");

	chmod("f", 06755);
	show("f");
	CHECK_RET("chown a setuid/setgid executable", chown("f", 1, 1), 0);
	show("f");
	chmod("f", 06745);
	chown("f", 0, 0);
	chmod("f", 06745);
	show("f");
	chown("f", 1, 1);
	printf("(no group execute: setgid is mandatory locking, kept)\n");
	show("f");
	chmod("d", 06755);
	chown("d", 1, 1);
	printf("(a directory keeps its bits)\n");
	show("d");
	CHECK_ERR("chown missing", chown("none", 1, 1), ENOENT);

	chown("f", 0, 0);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		close(open("mine", O_CREAT | O_WRONLY, 0644));
		chown("mine", 1000, 1000);
		if (setresgid(1000, 1000, 1000) != 0 || setresuid(1000, 1000, 1000) != 0)
			_exit(10);
		CHECK_ERR("uid 1000: chown root's file", chown("f", 1000, 1000), EPERM);
		CHECK_ERR("uid 1000: give own file to uid 2000", chown("mine", 2000, -1), EPERM);
		CHECK_RET("uid 1000: chown own file to itself", chown("mine", 1000, -1), 0);
		CHECK_ERR("uid 1000: own file to a group it is not in", chown("mine", -1, 2000), EPERM);
		exit(compat_done());
	}
	int st;
	waitpid(pid, &st, 0);
	check("child done", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	return compat_done();
}
