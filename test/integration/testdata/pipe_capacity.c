/*
 * pipe_capacity: how much a pipe holds for writes of various sizes (Linux
 * fills page-sized slots, merging small writes), PIPE_BUF atomicity,
 * F_GETPIPE_SZ and F_SETPIPE_SZ.
 */
#include "pipetest.h"

static char buf[300000];

static long fill(int fd, int chunk)
{
	long total = 0, n;
	while ((n = write(fd, buf, chunk)) > 0)
		total += n;
	return n == -1 && errno == EAGAIN ? total : -total - 1;
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	int sizes[] = {1, 100, 1000, 3000, 4095, 4096, 4097, 5000, 6000, 8192, 100000};
	for (unsigned i = 0; i < sizeof sizes / sizeof *sizes; i++) {
		int p[2];
		MUST(pipe2(p, O_NONBLOCK));
		printf("writes of %d: %ld bytes fit\n", sizes[i], fill(p[1], sizes[i]));
		close(p[0]);
		close(p[1]);
		MUST(pipe2(p, O_NONBLOCK | O_DIRECT));
		printf("packets of %d: %ld bytes fit\n", sizes[i], fill(p[1], sizes[i]));
		close(p[0]);
		close(p[1]);
	}

	int p[2];
	MUST(pipe2(p, O_NONBLOCK));
	SHOW("F_GETPIPE_SZ", fcntl(p[0], F_GETPIPE_SZ));
	fill(p[1], 4000);
	SHOW("97 bytes into 96 free in the last page", write(p[1], buf, 97));
	SHOW("96 bytes", write(p[1], buf, 96));
	SHOW("read 4096", read(p[0], buf, 4096));
	SHOW("write 5000 with one free slot", write(p[1], buf, 5000));
	close(p[0]);
	close(p[1]);

	MUST(pipe2(p, O_NONBLOCK));
	unsigned sz[] = {0, 1, 4096, 4097, 12288, 65536, 1 << 20, 0x80000001u, 16384};
	for (unsigned i = 0; i < sizeof sz / sizeof *sz; i++) {
		char what[64];
		snprintf(what, sizeof what, "F_SETPIPE_SZ %u", sz[i]);
		SHOW(what, fcntl(p[1], F_SETPIPE_SZ, sz[i]));
	}
	SHOW("F_GETPIPE_SZ read end", fcntl(p[0], F_GETPIPE_SZ));
	printf("16 KiB pipe holds %ld\n", fill(p[1], 1000));
	SHOW("F_SETPIPE_SZ below the data", fcntl(p[0], F_SETPIPE_SZ, 8192));
	SHOW("F_SETPIPE_SZ to the data", fcntl(p[0], F_SETPIPE_SZ, 16384));
	SHOW("read 1000", read(p[0], buf, 1000));
	SHOW("F_SETPIPE_SZ 12288 with 4 slots used", fcntl(p[0], F_SETPIPE_SZ, 12288));
	SHOW("F_SETPIPE_SZ 1 MiB", fcntl(p[0], F_SETPIPE_SZ, 1 << 20));
	printf("1 MiB pipe now holds %ld more\n", fill(p[1], 100000));
	close(p[0]);
	close(p[1]);
	MUST(pipe2(p, O_NONBLOCK));
	/*
	 * Beyond /proc/sys/fs/pipe-max-size (1 MiB) needs CAP_SYS_RESOURCE,
	 * which root may or may not have: not checked here.
	 */
	int f = open("/proc/self/exe", O_RDONLY);
	SHOW("F_GETPIPE_SZ on a file", fcntl(f, F_GETPIPE_SZ));
	SHOW("F_SETPIPE_SZ on a file", fcntl(f, F_SETPIPE_SZ, 4096));
	return 0;
}
