/*
 * waitid_pidfd_ebadf: waitid(P_PIDFD) with an open descriptor that is not
 * a pidfd (a pipe, a file) gives EBADF, as for a closed one.
 */
#include "compat.h"
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

int main(void)
{
	if (fork() == 0)
		_exit(0);
	siginfo_t si;
	int p[2];
	pipe(p);
	CHECK_ERR("P_PIDFD with a pipe", waitid(P_PIDFD, p[0], &si, WEXITED), EBADF);
	int f = open("/dev/null", O_RDONLY);
	CHECK_ERR("P_PIDFD with /dev/null", waitid(P_PIDFD, f, &si, WEXITED), EBADF);
	wait(NULL);
	return compat_done();
}
