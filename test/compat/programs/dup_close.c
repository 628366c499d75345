/*
 * dup_close: dup, dup2, dup3 and close: lowest free descriptor, dup2 over
 * an open descriptor, dup2 of a descriptor onto itself, dup3's O_CLOEXEC,
 * and the errors (EBADF, EINVAL); a program starts with exactly fds 0-2.
 */
#include "compat.h"
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

static int is_open(int fd) { return fcntl(fd, F_GETFD) != -1; }

int main(void)
{
	int open_fds = 0;
	for (int fd = 0; fd < 64; fd++)
		open_fds += is_open(fd);
	printf("open descriptors below 64 at start: %d\n", open_fds);
	check("fds 0, 1 and 2 are open", is_open(0) && is_open(1) && is_open(2));

	CHECK_RET("dup(1) -> 3", dup(1), 3);
	CHECK_RET("dup(1) -> 4", dup(1), 4);
	CHECK_RET("close(3)", close(3), 0);
	CHECK_RET("dup(2) reuses 3", dup(2), 3);
	CHECK_RET("write through the dup", write(3, "", 0), 0);
	CHECK_RET("dup2(1, 9)", dup2(1, 9), 9);
	check("9 is open, 5-8 are not", is_open(9) && !is_open(5) && !is_open(8));
	CHECK_RET("dup2(0, 9) replaces it", dup2(0, 9), 9);
	check("9 is now read-only like fd 0", (fcntl(9, F_GETFL) & O_ACCMODE) == O_RDONLY);
	CHECK_RET("dup2(4, 4) returns 4", dup2(4, 4), 4);
	CHECK_ERR("dup2(50, 50) of a closed fd", dup2(50, 50), EBADF);
	fcntl(9, F_SETFD, FD_CLOEXEC);
	CHECK_RET("dup2(1, 9) over a close-on-exec fd", dup2(1, 9), 9);
	CHECK_RET("dup2 clears FD_CLOEXEC", fcntl(9, F_GETFD), 0);

	CHECK_RET("dup3(1, 12, O_CLOEXEC)", dup3(1, 12, O_CLOEXEC), 12);
	CHECK_RET("dup3 set FD_CLOEXEC", fcntl(12, F_GETFD), FD_CLOEXEC);
	CHECK_RET("dup3(1, 12, 0) replaces it", dup3(1, 12, 0), 12);
	CHECK_RET("without FD_CLOEXEC", fcntl(12, F_GETFD), 0);
	CHECK_ERR("dup3 to the same fd", dup3(4, 4, 0), EINVAL);
	CHECK_ERR("dup3 to the same fd with O_CLOEXEC", dup3(4, 4, O_CLOEXEC), EINVAL);
	CHECK_ERR("dup3 unknown flag", dup3(1, 13, O_NONBLOCK), EINVAL);
	CHECK_ERR("dup3 of a closed fd", dup3(50, 13, 0), EBADF);
	check("failed dup3 opened nothing", !is_open(13));

	CHECK_ERR("dup(-1)", dup(-1), EBADF);
	CHECK_ERR("dup of a closed fd", dup(50), EBADF);
	CHECK_ERR("dup2 of a closed fd", dup2(50, 5), EBADF);
	CHECK_ERR("dup2 to -1", dup2(1, -1), EBADF);
	CHECK_ERR("dup2 to a huge fd", syscall(SYS_dup2, 1, 1 << 30), EBADF);
	CHECK_ERR("close(-1)", close(-1), EBADF);
	CHECK_ERR("close of a closed fd", close(50), EBADF);
	CHECK_RET("close(12)", close(12), 0);
	CHECK_ERR("close(12) twice", close(12), EBADF);
	CHECK_ERR("write to a closed fd", write(12, "x", 1), EBADF);

	/* Closing stdout for real: writes fail, a dup kept earlier still works. */
	int saved = dup(1);
	CHECK_RET("close(1)", close(1), 0);
	long r = write(1, "lost\n", 5);
	int e = errno;
	dup2(saved, 1);
	check("write to closed stdout: EBADF", r == -1 && e == EBADF);
	CHECK_RET("close the saved copy (fd 5)", close(saved), 0);
	CHECK_RET("dup(0) reuses the lowest free fd", dup(0), 5);
	return compat_done();
}
