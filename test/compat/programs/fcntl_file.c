/*
 * fcntl_file: fcntl on a regular file: F_GETFL shows the access mode and
 * O_APPEND, F_SETFL changes only O_APPEND, O_NONBLOCK, O_ASYNC, O_DIRECT
 * and O_NOATIME (and ignores access-mode and creation flags);
 * F_DUPFD_CLOEXEC; F_DUPFD with a limit at or past RLIMIT_NOFILE gives
 * EINVAL; unknown commands give EINVAL; F_GETFD on a closed fd EBADF.
 */
#include "compat.h"
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

int main(void)
{
	compat_tmpdir();
	int fd = open("f", O_CREAT | O_WRONLY | O_APPEND, 0644);
	int fl = fcntl(fd, F_GETFL);
	check("F_GETFL: O_WRONLY|O_APPEND", (fl & O_ACCMODE) == O_WRONLY && (fl & O_APPEND));
	check("F_GETFL does not show O_CREAT", !(fl & O_CREAT));
	CHECK_RET("F_SETFL O_RDWR|O_NONBLOCK|O_TRUNC", fcntl(fd, F_SETFL, O_RDWR | O_NONBLOCK | O_TRUNC), 0);
	fl = fcntl(fd, F_GETFL);
	check("access mode unchanged", (fl & O_ACCMODE) == O_WRONLY);
	check("O_APPEND cleared", !(fl & O_APPEND));
	check("O_NONBLOCK set", fl & O_NONBLOCK);
	check("O_TRUNC ignored", !(fl & O_TRUNC));
	CHECK_RET("F_SETFL 0", fcntl(fd, F_SETFL, 0), 0);
	check("flags back to O_WRONLY", (fcntl(fd, F_GETFL) & (O_ACCMODE | O_APPEND | O_NONBLOCK)) == O_WRONLY);

	int c = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	check("F_DUPFD_CLOEXEC", c > fd && fcntl(c, F_GETFD) == FD_CLOEXEC);
	CHECK_RET("F_SETFD 0", fcntl(c, F_SETFD, 0), 0);
	CHECK_RET("F_GETFD 0", fcntl(c, F_GETFD), 0);
	struct rlimit rl;
	getrlimit(RLIMIT_NOFILE, &rl);
	CHECK_ERR("F_DUPFD at RLIMIT_NOFILE", fcntl(fd, F_DUPFD, (int)rl.rlim_cur), EINVAL);
	CHECK_ERR("F_DUPFD negative", fcntl(fd, F_DUPFD, -1), EINVAL);
	CHECK_ERR("unknown command", fcntl(fd, 9999), EINVAL);
	CHECK_ERR("F_GETFD on a closed fd", fcntl(99, F_GETFD), EBADF);
	CHECK_ERR("F_GETFL on a closed fd", fcntl(99, F_GETFL), EBADF);
	rl.rlim_cur = 16;
	setrlimit(RLIMIT_NOFILE, &rl);
	CHECK_ERR("F_DUPFD at the lowered limit", fcntl(fd, F_DUPFD, 16), EINVAL);
	CHECK_ERR("dup2 onto the lowered limit", dup2(fd, 16), EBADF);
	int n = 0;
	while (dup(fd) >= 0)
		n++;
	check("dup until the limit ends with EMFILE", errno == EMFILE);
	printf("fds 0..15 all open: %s\n", n + 4 == 16 ? "yes" : "no");
	return compat_done();
}
