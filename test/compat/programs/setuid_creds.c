/*
 * setuid_creds: credential changes in a child: setresuid/setresgid set
 * real, effective and saved ids exactly; a process with saved uid 0 can
 * regain euid 0, one that dropped all three cannot (EPERM); setuid by
 * root sets all three; setgroups needs privilege; credentials are per
 * process and survive fork (checked in a grandchild); /proc/self/status
 * Uid: line agrees.
 */
#include "compat.h"
#include <grp.h>
#include <sys/wait.h>
#include <unistd.h>

static void show(const char *what)
{
	uid_t r, e, s;
	gid_t gr, ge, gs;
	getresuid(&r, &e, &s);
	getresgid(&gr, &ge, &gs);
	printf("%s: uid %d/%d/%d gid %d/%d/%d\n", what, r, e, s, gr, ge, gs);
}

static void status_uid(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	while (fgets(line, sizeof line, f))
		if (strncmp(line, "Uid:", 4) == 0 || strncmp(line, "Gid:", 4) == 0)
			printf("  %s", line);
	fclose(f);
}

int main(void)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		CHECK_RET("setgroups as root", setgroups(1, (gid_t[]){7}), 0);
		CHECK_RET("setresgid 100,200,300", setresgid(100, 200, 300), 0);
		CHECK_RET("setresuid 1000,2000,0", setresuid(1000, 2000, 0), 0);
		show("after setres*");
		status_uid();
		CHECK_ERR("setgroups without privilege", setgroups(0, NULL), EPERM);
		CHECK_RET("regain euid 0 from the saved uid", seteuid(0), 0);
		show("after seteuid(0)");
		CHECK_RET("setresuid 1000,1000,1000", setresuid(1000, 1000, 1000), 0);
		CHECK_ERR("then seteuid(0)", seteuid(0), EPERM);
		CHECK_ERR("setuid(0)", setuid(0), EPERM);
		CHECK_ERR("setresuid to another user", setresuid(-1, 3000, -1), EPERM);
		CHECK_RET("setresuid -1,-1,-1 is a no-op", setresuid(-1, -1, -1), 0);
		fflush(stdout);
		pid_t g = fork();
		if (g == 0) {
			uid_t r, e, s;
			getresuid(&r, &e, &s);
			_exit(r == 1000 && e == 1000 && s == 1000 ? 0 : 1);
		}
		int st;
		waitpid(g, &st, 0);
		check("a grandchild inherits them", WIFEXITED(st) && WEXITSTATUS(st) == 0);
		fflush(stdout);
		_exit(compat_done());
	}
	int st;
	waitpid(pid, &st, 0);
	check("child passed", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	show("parent unchanged");
	pid = fork();
	if (pid == 0) {
		CHECK_RET("root setuid(500) sets all three", setuid(500), 0);
		show("after setuid(500)");
		fflush(stdout);
		_exit(compat_done());
	}
	waitpid(pid, &st, 0);
	return compat_done();
}
