/*
 * fcntl_flags: file status and descriptor flags round-trip: O_NONBLOCK via
 * F_SETFL and FIONBIO, FD_CLOEXEC via F_SETFD, FIOCLEX and FIONCLEX; the
 * access mode cannot be changed; descriptor flags are per descriptor,
 * status flags shared by dups; F_DUPFD and F_DUPFD_CLOEXEC; errors.
 */
#include "compat.h"
#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

int main(void)
{
	/* fd 0 is /dev/null, opened read-only for this process alone. */
	int fl = fcntl(0, F_GETFL);
	check("F_GETFL(0): O_RDONLY", fl != -1 && (fl & O_ACCMODE) == O_RDONLY);
	check("F_GETFL(0): not O_NONBLOCK", !(fl & O_NONBLOCK));
	CHECK_RET("F_SETFL O_NONBLOCK", fcntl(0, F_SETFL, fl | O_NONBLOCK), 0);
	check("F_GETFL shows O_NONBLOCK", fcntl(0, F_GETFL) & O_NONBLOCK);
	int d = dup(0);
	check("a dup shares the status flags", fcntl(d, F_GETFL) & O_NONBLOCK);
	CHECK_RET("read /dev/null while non-blocking: EOF", read(0, &fl, 1), 0);
	CHECK_RET("F_SETFL 0 clears it", fcntl(0, F_SETFL, 0), 0);
	check("cleared on the dup too", !(fcntl(d, F_GETFL) & O_NONBLOCK));
	CHECK_RET("F_SETFL O_WRONLY: access mode ignored", fcntl(0, F_SETFL, O_WRONLY), 0);
	check("still O_RDONLY", (fcntl(0, F_GETFL) & O_ACCMODE) == O_RDONLY);
	CHECK_RET("F_SETFL O_APPEND", fcntl(0, F_SETFL, O_APPEND), 0);
	check("O_APPEND set", fcntl(0, F_GETFL) & O_APPEND);
	fcntl(0, F_SETFL, 0);

	int on = 1, off = 0;
	CHECK_RET("FIONBIO on", ioctl(0, FIONBIO, &on), 0);
	check("FIONBIO sets O_NONBLOCK", fcntl(0, F_GETFL) & O_NONBLOCK);
	CHECK_RET("FIONBIO off", ioctl(0, FIONBIO, &off), 0);
	check("FIONBIO clears O_NONBLOCK", !(fcntl(0, F_GETFL) & O_NONBLOCK));
	CHECK_ERR("FIONBIO with an unmapped argument", ioctl(0, FIONBIO, (void *)8), EFAULT);

	check("F_GETFD(0): no FD_CLOEXEC", fcntl(0, F_GETFD) == 0);
	CHECK_RET("F_SETFD FD_CLOEXEC", fcntl(d, F_SETFD, FD_CLOEXEC), 0);
	CHECK_RET("F_GETFD shows it", fcntl(d, F_GETFD), FD_CLOEXEC);
	CHECK_RET("not on the original", fcntl(0, F_GETFD), 0);
	CHECK_RET("F_SETFD 0", fcntl(d, F_SETFD, 0), 0);
	CHECK_RET("F_GETFD cleared", fcntl(d, F_GETFD), 0);
	CHECK_RET("F_SETFD ignores other bits", fcntl(d, F_SETFD, 0xfe), 0);
	CHECK_RET("F_GETFD after 0xfe", fcntl(d, F_GETFD), 0);
	CHECK_RET("FIOCLEX", ioctl(d, FIOCLEX), 0);
	CHECK_RET("FIOCLEX sets FD_CLOEXEC", fcntl(d, F_GETFD), FD_CLOEXEC);
	CHECK_RET("FIONCLEX", ioctl(d, FIONCLEX), 0);
	CHECK_RET("FIONCLEX clears it", fcntl(d, F_GETFD), 0);

	CHECK_RET("F_DUPFD from 10", fcntl(1, F_DUPFD, 10), 10);
	CHECK_RET("F_DUPFD from 10 again", fcntl(1, F_DUPFD, 10), 11);
	CHECK_RET("F_DUPFD dup has no FD_CLOEXEC", fcntl(10, F_GETFD), 0);
	CHECK_RET("F_DUPFD_CLOEXEC from 20", fcntl(1, F_DUPFD_CLOEXEC, 20), 20);
	CHECK_RET("F_DUPFD_CLOEXEC sets FD_CLOEXEC", fcntl(20, F_GETFD), FD_CLOEXEC);
	CHECK_RET("F_DUPFD fills the lowest free fd", fcntl(1, F_DUPFD, 0), d + 1);
	CHECK_ERR("F_DUPFD negative", fcntl(1, F_DUPFD, -1), EINVAL);
	CHECK_ERR("F_DUPFD beyond RLIMIT_NOFILE", fcntl(1, F_DUPFD, 1 << 30), EINVAL);
	CHECK_ERR("F_GETFL of a closed fd", fcntl(99, F_GETFL), EBADF);
	CHECK_ERR("F_SETFD of a closed fd", fcntl(99, F_SETFD, 0), EBADF);
	CHECK_ERR("F_DUPFD of a closed fd", fcntl(99, F_DUPFD, 0), EBADF);
	CHECK_ERR("unknown command", fcntl(0, 0x7777), EINVAL);
	CHECK_ERR("FIOCLEX on a closed fd", ioctl(99, FIOCLEX), EBADF);
	return compat_done();
}
