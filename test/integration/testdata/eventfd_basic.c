/*
 * eventfd_basic: eventfd(2)'s counter: writes add, reads take the whole
 * count (or 1 in semaphore mode), 8-byte buffers only, the largest count,
 * nonblocking EAGAIN on both sides, readiness, flags and what fstat and
 * /proc show.
 */
#include "evtest.h"
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>

static uint64_t v;

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	int fd;
	MUST(fd = eventfd(3, EFD_NONBLOCK));
	SHOW("read initial", read(fd, &v, 8));
	printf("value %llu\n", (unsigned long long)v);
	SHOW("read empty", read(fd, &v, 8));
	v = 5;
	SHOW("write 5", write(fd, &v, 8));
	v = 7;
	SHOW("write 7", write(fd, &v, 8));
	char big[16] = {0};
	SHOW("read 16 bytes", read(fd, big, sizeof big));
	printf("value %llu\n", (unsigned long long)*(uint64_t *)big);
	SHOW("read 4 bytes", read(fd, &v, 4));
	SHOW("write 4 bytes", write(fd, &v, 4));
	v = ~0ULL;
	SHOW("write max+1", write(fd, &v, 8));
	v = ~0ULL - 1;
	SHOW("write max", write(fd, &v, 8));
	printf("revents full %#x\n", revents(fd, POLLIN | POLLOUT));
	v = 1;
	SHOW("write over max", write(fd, &v, 8));
	v = 0;
	SHOW("write 0 when full", write(fd, &v, 8));
	SHOW("read full", read(fd, &v, 8));
	printf("value %#llx\n", (unsigned long long)v);
	printf("revents empty %#x\n", revents(fd, POLLIN | POLLOUT));
	printf("revents rdnorm %#x\n", revents(fd, POLLRDNORM | POLLWRNORM));
	close(fd);

	MUST(fd = eventfd(2, EFD_SEMAPHORE | EFD_NONBLOCK));
	v = 1;
	SHOW("semaphore write 1", write(fd, &v, 8));
	for (int i = 0; i < 4; i++) {
		v = 0;
		SHOW("semaphore read", read(fd, &v, 8));
		printf("value %llu\n", (unsigned long long)v);
	}
	close(fd);

	SHOW("bad flags", eventfd(0, 0x1000));
	SHOW("O_RDONLY as flag", syscall(SYS_eventfd2, 0, O_APPEND));
	MUST(fd = syscall(SYS_eventfd, 9));
	printf("getfl %#x\n", fcntl(fd, F_GETFL));
	printf("getfd %d\n", fcntl(fd, F_GETFD));
	struct stat st;
	MUST(fstat(fd, &st));
	printf("mode %o nlink %lu size %ld blksize %ld\n", st.st_mode, (unsigned long)st.st_nlink, (long)st.st_size, (long)st.st_blksize);
	show_link("link", fd);
	SHOW("lseek", lseek(fd, 0, SEEK_SET));
	SHOW("pread", pread(fd, &v, 8, 0));
	SHOW("read 0 bytes", read(fd, &v, 0));
	SHOW("F_SETFL O_NONBLOCK", fcntl(fd, F_SETFL, O_NONBLOCK));
	SHOW("read 9", read(fd, &v, 8));
	SHOW("read again (nonblock now)", read(fd, &v, 8));
	int fd2;
	MUST(fd2 = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
	printf("cloexec getfd %d getfl %#x\n", fcntl(fd2, F_GETFD), fcntl(fd2, F_GETFL));
	return 0;
}
