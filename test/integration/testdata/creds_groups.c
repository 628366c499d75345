/* Supplementary groups: getgroups(2), setgroups(2). */
#include "proc_attr.h"

static void show(const char *what)
{
	gid_t g[64];
	int n = getgroups(64, g);
	printf("%s: %d:", what, n);
	for (int i = 0; i < n; i++)
		printf(" %d", (int)g[i]);
	printf("\n");
}

static void unprivileged(void)
{
	gid_t g[] = {7};
	T("setuid(1000)", setuid(1000));
	T("setgroups", setgroups(1, g));
	show("groups kept");
}

static void many(void)
{
	static gid_t g[65537];
	for (int i = 0; i < 65537; i++)
		g[i] = 65537 - i;
	T("setgroups(65537)", setgroups(65537, g));
	T("setgroups(65536)", setgroups(65536, g));
	T("getgroups(0)", getgroups(0, NULL));
	static gid_t out[65536];
	T("getgroups(65536)", getgroups(65536, out));
	B("sorted", out[0] == 2 && out[65535] == 65537);
}

int main(void)
{
	gid_t g[] = {50, 3, 9000, 3, 7};
	T("setgroups 5", setgroups(5, g));
	show("sorted");
	T("getgroups(0)", getgroups(0, NULL));
	T("getgroups(4)", getgroups(4, g));
	T("getgroups(-1)", syscall(SYS_getgroups, -1, g));
	T("getgroups(5, bad)", syscall(SYS_getgroups, 5, (void *)8));
	gid_t bad[] = {1, (gid_t)-1};
	T("setgroups with -1", setgroups(2, bad));
	T("setgroups(-1)", syscall(SYS_setgroups, -1, g));
	T("setgroups(65537)", syscall(SYS_setgroups, 65537, g));
	T("setgroups(1, bad)", setgroups(1, (gid_t *)8));
	show("unchanged");
	child("unprivileged", unprivileged);
	child("many", many);
	T("setgroups(0)", setgroups(0, NULL));
	show("empty");
	return 0;
}
