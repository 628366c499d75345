/*
 * perm_lookup: permission checks for an unprivileged user (a child that
 * drops to uid/gid 1000): a directory without search permission blocks
 * lookups through it (EACCES) even for existing files, one without read
 * permission cannot be listed but can be traversed; creating needs write
 * and search on the parent; opening a 0600 root file fails; the owner's
 * bits apply to the owner even when group/other bits would allow more.
 */
#include "compat.h"
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <grp.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
	compat_tmpdir();
	chmod(".", 0755);
	umask(0);
	mkdir("nox", 0766);
	close(open("nox/f", O_CREAT | O_WRONLY, 0666));
	mkdir("noread", 0711);
	close(open("noread/f", O_CREAT | O_WRONLY, 0644));
	mkdir("ro", 0755);
	close(open("secret", O_CREAT | O_WRONLY, 0600));
	mkdir("mine", 0755);
	chown("mine", 1000, 1000);
	close(open("mine/owner-none", O_CREAT | O_WRONLY, 0077));
	chown("mine/owner-none", 1000, 1000);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		if (setgroups(0, NULL) != 0 || setresgid(1000, 1000, 1000) != 0 || setresuid(1000, 1000, 1000) != 0)
			_exit(10);
		struct stat st;
		CHECK_ERR("stat through a directory without x", stat("nox/f", &st), EACCES);
		CHECK_ERR("open through it", open("nox/f", O_RDONLY), EACCES);
		CHECK_RET("stat the directory itself", stat("nox", &st), 0);
		CHECK_ERR("opendir without r", (long)(opendir("noread") ? 0 : -1), EACCES);
		CHECK_RET("traverse it (x only)", stat("noread/f", &st), 0);
		int fd = open("noread/f", O_RDONLY);
		check("and open a readable file inside", fd >= 0);
		close(fd);
		CHECK_ERR("create in a 0755 root directory", open("ro/new", O_CREAT | O_WRONLY, 0644), EACCES);
		CHECK_ERR("mkdir there", mkdir("ro/d", 0755), EACCES);
		CHECK_ERR("unlink there", unlink("noread/f"), EACCES);
		CHECK_ERR("open a 0600 root file", open("secret", O_RDONLY), EACCES);
		fd = open("mine/new", O_CREAT | O_WRONLY, 0644);
		check("create in its own directory", fd >= 0);
		close(fd);
		CHECK_ERR("owner bits 0 deny the owner (group/other 7)", open("mine/owner-none", O_RDONLY), EACCES);
		CHECK_RET("chmod its own file", chmod("mine/owner-none", 0400), 0);
		fd = open("mine/owner-none", O_RDONLY);
		check("then open it", fd >= 0);
		CHECK_ERR("chmod a root file", chmod("secret", 0644), EPERM);
		exit(compat_done());
	}
	int st;
	waitpid(pid, &st, 0);
	check("child done", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	return compat_done();
}
