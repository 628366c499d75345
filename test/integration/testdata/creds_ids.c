/* User and group ID changes and their permission rules (credentials(7),
 * setresuid(2), setreuid(2)), starting as root. */
#include "proc_attr.h"

static void setuid_drop(void)
{
	T("setuid(1000)", setuid(1000));
	showids("after setuid");
	T("setuid(0)", setuid(0));
	T("setuid(1000) again", setuid(1000));
	T("seteuid(0)", seteuid(0));
	T("setgid(1000)", setgid(1000));
	T("setgroups(0)", setgroups(0, NULL));
}

static void setresuid_saved(void)
{
	T("setresuid(1000, 1000, 0)", setresuid(1000, 1000, 0));
	showids("after setresuid");
	T("setresuid(-1, 0, -1)", setresuid(-1, 0, -1));
	showids("euid back to 0");
	T("setresuid(2000, 3000, 4000)", setresuid(2000, 3000, 4000));
	showids("all new");
	T("setresuid(4000, 2000, 3000)", setresuid(4000, 2000, 3000));
	showids("permuted");
	T("setresuid(-1, 5000, -1)", setresuid(-1, 5000, -1));
	T("setresuid(-1, -1, -1)", setresuid(-1, -1, -1));
	T("setuid(3000)", setuid(3000));
	showids("setuid to saved");
}

static void setreuid_rules(void)
{
	T("setreuid(1000, 2000)", setreuid(1000, 2000));
	showids("after setreuid");
	T("setreuid(2000, 1000)", setreuid(2000, 1000));
	showids("swapped");
	T("setreuid(-1, 2000)", setreuid(-1, 2000));
	showids("euid to saved");
	T("setreuid(-1, 1000)", setreuid(-1, 1000));
	showids("euid to real");
	T("setreuid(3000, -1)", setreuid(3000, -1));
	T("setreuid(-1, 3000)", setreuid(-1, 3000));
	T("setreuid(1000, -1)", setreuid(1000, -1));
	showids("ruid to euid");
}

static void gids(void)
{
	T("setgid(100)", setgid(100));
	showids("after setgid");
	T("setregid(200, 300)", setregid(200, 300));
	showids("after setregid");
	T("setresgid(-1, 400, -1)", setresgid(-1, 400, -1));
	showids("after setresgid");
	T("setresuid(1000, 1000, 1000)", setresuid(1000, 1000, 1000));
	T("setgid(300)", setgid(300));
	showids("unprivileged setgid to saved");
	T("setgid(400)", setgid(400));
	T("setregid(300, 200)", setregid(300, 200));
	showids("unprivileged setregid");
	T("setresgid(200, 300, 300)", setresgid(200, 300, 300));
	T("setresgid(500, -1, -1)", setresgid(500, -1, -1));
	T("setregid(-1, 500)", setregid(-1, 500));
	showids("end");
}

int main(void)
{
	showids("start");
	T("setuid(-1)", setuid(-1));
	T("setgid(-1)", setgid(-1));
	T("setresuid(-1, -1, -1)", setresuid(-1, -1, -1));
	T("setreuid(-1, -1)", setreuid(-1, -1));
	T("getresuid(NULL...)", syscall(SYS_getresuid, NULL, NULL, NULL));
	T("getresgid(bad)", syscall(SYS_getresgid, (void *)8, NULL, NULL));
	child("setuid drops root", setuid_drop);
	child("setresuid keeps a saved root", setresuid_saved);
	child("setreuid", setreuid_rules);
	child("group IDs", gids);
	showids("end");
	return 0;
}
