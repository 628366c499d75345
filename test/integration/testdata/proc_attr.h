/* proc_attr.h: what the creds_*, prctl_*, sched_* and rusage_* programs
 * share. Each runs natively and in moat and the outputs are compared, so
 * every line states a result that does not depend on the machine: "what: 0"
 * or "what: -1 ENAME", capability sets relative to the ones the program
 * started with, booleans for times. stdout is unbuffered so that forked
 * children print in order. */
#ifndef PROC_ATTR_H
#define PROC_ATTR_H

#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <time.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/capability.h>

static const char *ename(int e)
{
	const char *s = strerrorname_np(e);
	return s ? s : "E?";
}

/* T prints what a call returned: its value, or -1 and the errno's name. */
#define T(what, call) do { \
	errno = 0; long r_ = (long)(call); \
	if (r_ == -1 && errno) printf("%s: -1 %s\n", (what), ename(errno)); \
	else printf("%s: %ld\n", (what), r_); \
} while (0)

/* B prints a boolean. */
#define B(what, cond) printf("%s: %s\n", (what), (cond) ? "yes" : "no")

static __attribute__((constructor)) void unbuffered(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
}

/* child runs f in a forked child and waits for it; the child's exit status
 * is printed when it is not 0. */
static __attribute__((unused)) void child(const char *what, void (*f)(void))
{
	printf("-- %s\n", what);
	pid_t pid = fork();
	if (pid == 0) {
		f();
		exit(0);
	}
	int st;
	waitpid(pid, &st, 0);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		printf("child status %#x\n", st);
}

struct capsets {
	unsigned long long eff, prm, inh;
};

static __attribute__((unused)) struct capsets getcaps(pid_t pid)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, pid};
	struct __user_cap_data_struct d[2] = {0};
	struct capsets c = {0};
	if (syscall(SYS_capget, &h, d) < 0) {
		printf("capget: -1 %s\n", ename(errno));
		return c;
	}
	c.eff = d[0].effective | (unsigned long long)d[1].effective << 32;
	c.prm = d[0].permitted | (unsigned long long)d[1].permitted << 32;
	c.inh = d[0].inheritable | (unsigned long long)d[1].inheritable << 32;
	return c;
}

static __attribute__((unused)) int setcaps(struct capsets c)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2] = {
		{(unsigned)c.eff, (unsigned)c.prm, (unsigned)c.inh},
		{(unsigned)(c.eff >> 32), (unsigned)(c.prm >> 32), (unsigned)(c.inh >> 32)},
	};
	return syscall(SYS_capset, &h, d);
}

/* The capability sets the program started with (root's, less whatever the
 * test runner's bounding set lacks). */
static struct capsets start_caps;

static __attribute__((constructor)) void remember_caps(void)
{
	start_caps = getcaps(0);
}

/* capstr describes a set relative to the starting permitted set: "all",
 * "none", "all-0xBITS" (all but a few) or, for a small set, its bits. */
static __attribute__((unused)) const char *capstr(unsigned long long v)
{
	static char buf[4][64];
	static int n;
	char *s = buf[n++ % 4];
	unsigned long long all = start_caps.prm;
	if (v == all)
		return "all";
	if (v == 0)
		return "none";
	if ((v & ~all) == 0 && __builtin_popcountll(v) > __builtin_popcountll(all) / 2)
		snprintf(s, 64, "all-%#llx", all & ~v);
	else
		snprintf(s, 64, "%#llx", v);
	return s;
}

static __attribute__((unused)) void showcaps(const char *what)
{
	struct capsets c = getcaps(0);
	printf("%s: eff %s prm %s inh %s\n", what, capstr(c.eff), capstr(c.prm), capstr(c.inh));
}

static __attribute__((unused)) void showids(const char *what)
{
	uid_t r, e, s;
	gid_t gr, ge, gs;
	getresuid(&r, &e, &s);
	getresgid(&gr, &ge, &gs);
	printf("%s: uid %d/%d/%d fs %d gid %d/%d/%d fs %d\n", what, (int)r, (int)e, (int)s,
	       (int)syscall(SYS_setfsuid, -1), (int)gr, (int)ge, (int)gs, (int)syscall(SYS_setfsgid, -1));
}

/* burn spends about ms milliseconds of CPU time. */
static __attribute__((unused)) void burn(int ms)
{
	struct timespec a, b;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
	volatile unsigned long x = 0;
	do {
		for (int i = 0; i < 100000; i++)
			x += i;
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
	} while ((b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000 < ms);
}

#endif
