/*
 * pipe_close_range: close_range(2) closes, or marks close-on-exec, a range
 * of fds; closing through it drops POSIX locks as close does.
 */
#include "pipetest.h"
#include <sys/syscall.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_UNSHARE (1U << 1)
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

static long cr(unsigned first, unsigned last, unsigned flags)
{
	return syscall(SYS_close_range, first, last, flags);
}

static void state(const char *what)
{
	printf("%s:", what);
	for (int fd = 3; fd < 11; fd++) {
		int fl = fcntl(fd, F_GETFD);
		printf(" %s", fl < 0 ? "-" : fl & FD_CLOEXEC ? "e" : "o");
	}
	printf("\n");
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	int p[2];
	for (int i = 0; i < 4; i++)
		MUST(pipe(p));
	state("fds 3-10");
	SHOW("close_range 4 5", cr(4, 5, 0));
	state("after");
	SHOW("close_range 6 8 CLOEXEC", cr(6, 8, CLOSE_RANGE_CLOEXEC));
	state("after");
	SHOW("close_range 9 ~0 UNSHARE", cr(9, ~0U, CLOSE_RANGE_UNSHARE));
	state("after");
	SHOW("close_range first > last", cr(5, 4, 0));
	SHOW("close_range bad flags", cr(3, 4, 1));
	SHOW("close_range of nothing open", cr(100, 200, 0));

	int f = open("/tmp/close_range.lock", O_RDWR | O_CREAT | O_TRUNC, 0644);
	int g = open("/tmp/close_range.lock", O_RDWR);
	int h = open("/tmp/close_range.lock", O_RDWR);
	struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
	SHOW("lock", fcntl(f, F_SETLK, &fl));
	fl = (struct flock){.l_type = F_RDLCK, .l_whence = SEEK_SET};
	SHOW("OFD probe", fcntl(h, F_OFD_GETLK, &fl));
	printf("locked %d\n", fl.l_type != F_UNLCK);
	SHOW("close_range over g", cr(g, g, 0));
	fl = (struct flock){.l_type = F_RDLCK, .l_whence = SEEK_SET};
	SHOW("OFD probe", fcntl(h, F_OFD_GETLK, &fl));
	printf("locked %d\n", fl.l_type != F_UNLCK);
	unlink("/tmp/close_range.lock");
	return 0;
}
