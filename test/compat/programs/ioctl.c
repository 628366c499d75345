/*
 * ioctl: terminal requests on descriptors that are not terminals (stdin
 * /dev/null, stdout and stderr pipes) fail with ENOTTY, as does an unknown
 * request; isatty and tcgetattr agree; a closed fd gives EBADF; FIONREAD
 * on a pipe works.
 */
#include "compat.h"
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

int main(void)
{
	struct termios t;
	struct winsize ws;
	for (int fd = 0; fd < 3; fd++) {
		char what[64];
		snprintf(what, sizeof what, "fd %d: TCGETS", fd);
		CHECK_ERR(what, ioctl(fd, TCGETS, &t), ENOTTY);
		snprintf(what, sizeof what, "fd %d: TIOCGWINSZ", fd);
		CHECK_ERR(what, ioctl(fd, TIOCGWINSZ, &ws), ENOTTY);
		snprintf(what, sizeof what, "fd %d: isatty is 0 with ENOTTY", fd);
		errno = 0;
		check(what, isatty(fd) == 0 && errno == ENOTTY);
	}
	CHECK_ERR("tcgetattr(1)", tcgetattr(1, &t), ENOTTY);
	CHECK_ERR("TCSETS on a pipe", ioctl(1, TCSETS, &t), ENOTTY);
	CHECK_ERR("unknown request on a pipe", ioctl(1, 0x12345678, 0), ENOTTY);
	CHECK_ERR("unknown request on /dev/null", ioctl(0, 0x5401ff, 0), ENOTTY);
	CHECK_ERR("TCGETS on a closed fd", ioctl(50, TCGETS, &t), EBADF);
	CHECK_ERR("TCGETS with a bad pointer on a pipe", ioctl(1, TCGETS, (void *)8), ENOTTY);
	int n = -1;
	CHECK_RET("FIONREAD on the stdout pipe", ioctl(1, FIONREAD, &n), 0);
	check("FIONREAD gives a count", n >= 0);
	return compat_done();
}
