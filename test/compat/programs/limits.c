/*
 * limits: getrlimit, setrlimit and prlimit64 agree and round-trip; bad
 * resources and soft > hard give EINVAL; a lowered RLIMIT_NOFILE stops
 * dup (EMFILE), F_DUPFD (EINVAL) and dup2 (EBADF) at the limit.
 */
#include "compat.h"
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

static long prlimit_(pid_t pid, int res, const struct rlimit *n, struct rlimit *o)
{
	return syscall(SYS_prlimit64, pid, res, n, o);
}

int main(void)
{
	struct rlimit a, b, c;
	int same = 1;
	for (int r = 0; r < RLIM_NLIMITS; r++) {
		memset(&a, 1, sizeof a);
		memset(&b, 2, sizeof b);
		same &= getrlimit(r, &a) == 0 && prlimit_(0, r, NULL, &b) == 0 && a.rlim_cur == b.rlim_cur &&
			a.rlim_max == b.rlim_max && a.rlim_cur <= a.rlim_max;
	}
	check("getrlimit == prlimit64 for every resource, soft <= hard", same);
	check("prlimit64 of getpid() == of 0", prlimit_(getpid(), RLIMIT_STACK, NULL, &a) == 0 &&
							getrlimit(RLIMIT_STACK, &b) == 0 && a.rlim_cur == b.rlim_cur);

	CHECK_ERR("getrlimit resource 16", getrlimit(RLIM_NLIMITS, &a), EINVAL);
	CHECK_ERR("getrlimit resource -1", syscall(SYS_getrlimit, -1, &a), EINVAL);
	CHECK_ERR("setrlimit resource 99", syscall(SYS_setrlimit, 99, &a), EINVAL);
	CHECK_ERR("prlimit64 resource 16", prlimit_(0, RLIM_NLIMITS, NULL, &a), EINVAL);

	/* Lower the soft core limit and read it back every way. */
	getrlimit(RLIMIT_CORE, &a);
	b.rlim_cur = 0;
	b.rlim_max = a.rlim_max;
	CHECK_RET("setrlimit RLIMIT_CORE soft 0", setrlimit(RLIMIT_CORE, &b), 0);
	getrlimit(RLIMIT_CORE, &c);
	check("getrlimit sees it", c.rlim_cur == 0 && c.rlim_max == a.rlim_max);

	/* prlimit64 sets and returns the old value in one call. */
	struct rlimit n = {1000, 2000}, o;
	CHECK_RET("prlimit64 set RLIMIT_NOFILE {1000, 2000}", prlimit_(0, RLIMIT_NOFILE, &n, &o), 0);
	CHECK_RET("prlimit64 set {500, 2000} returning old", prlimit_(0, RLIMIT_NOFILE, &(struct rlimit){500, 2000}, &o), 0);
	check("old value was {1000, 2000}", o.rlim_cur == 1000 && o.rlim_max == 2000);
	getrlimit(RLIMIT_NOFILE, &c);
	check("getrlimit sees {500, 2000}", c.rlim_cur == 500 && c.rlim_max == 2000);
	n.rlim_cur = 3000;
	n.rlim_max = 2000;
	CHECK_ERR("soft above hard", setrlimit(RLIMIT_NOFILE, &n), EINVAL);
	CHECK_ERR("prlimit64 soft above hard", prlimit_(0, RLIMIT_NOFILE, &n, NULL), EINVAL);
	getrlimit(RLIMIT_NOFILE, &c);
	check("failed calls changed nothing", c.rlim_cur == 500 && c.rlim_max == 2000);
	n.rlim_cur = RLIM_INFINITY;
	n.rlim_max = RLIM_INFINITY;
	CHECK_ERR("RLIMIT_NOFILE above nr_open", setrlimit(RLIMIT_NOFILE, &n), EPERM);

	/* RLIMIT_NOFILE 5: fds 0-2 are open, so 3 and 4 are the last. */
	n.rlim_cur = 5;
	n.rlim_max = 2000;
	CHECK_RET("RLIMIT_NOFILE soft 5", setrlimit(RLIMIT_NOFILE, &n), 0);
	CHECK_RET("dup -> 3", dup(1), 3);
	CHECK_RET("dup -> 4", dup(1), 4);
	CHECK_ERR("dup past the limit", dup(1), EMFILE);
	CHECK_ERR("fcntl F_DUPFD past the limit", fcntl(1, F_DUPFD, 0), EMFILE);
	CHECK_ERR("fcntl F_DUPFD starting at the limit", fcntl(1, F_DUPFD, 5), EINVAL);
	CHECK_ERR("dup2 to the limit", dup2(1, 5), EBADF);
	CHECK_ERR("dup3 to the limit", dup3(1, 7, 0), EBADF);
	CHECK_RET("dup2 below the limit", dup2(1, 4), 4);
	close(4);
	close(3);
	CHECK_RET("dup works again after close", dup(1), 3);
	close(3);
	/* Lowering below open fds is allowed; they stay open. */
	n.rlim_cur = 1;
	CHECK_RET("RLIMIT_NOFILE soft 1 with 3 fds open", setrlimit(RLIMIT_NOFILE, &n), 0);
	CHECK_RET("fd 2 still works", write(2, "", 0), 0);
	n.rlim_cur = 1000;
	setrlimit(RLIMIT_NOFILE, &n);

	/* An unprivileged-style limit round trip on RLIMIT_STACK. */
	getrlimit(RLIMIT_STACK, &a);
	b = a;
	b.rlim_cur = 4 << 20;
	if (b.rlim_max != RLIM_INFINITY && b.rlim_max < b.rlim_cur)
		b.rlim_cur = b.rlim_max;
	CHECK_RET("setrlimit RLIMIT_STACK", setrlimit(RLIMIT_STACK, &b), 0);
	getrlimit(RLIMIT_STACK, &c);
	check("RLIMIT_STACK round trip", c.rlim_cur == b.rlim_cur && c.rlim_max == b.rlim_max);
	CHECK_ERR("prlimit64 with a bad new pointer", prlimit_(0, RLIMIT_STACK, (void *)8, NULL), EFAULT);
	return compat_done();
}
