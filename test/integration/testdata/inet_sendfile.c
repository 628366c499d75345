/*
 * inet_sendfile: sendfile(2) from a file to a TCP socket, whole and from
 * an offset, read by a forked peer that checks every byte; and to a
 * non-blocking socket whose buffer is full (EAGAIN, then the rest).
 */
#include "inet.h"
#include <sys/sendfile.h>

#define SIZE (300 * 1024 + 17)

static unsigned char pattern(long i) { return (unsigned char)(i * 7 + i / 251); }

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	int f = open("/tmp/inet_sendfile.data", O_RDWR | O_CREAT | O_TRUNC, 0644);
	MUST(f);
	static unsigned char buf[SIZE];
	for (long i = 0; i < SIZE; i++)
		buf[i] = pattern(i);
	MUST(write(f, buf, SIZE));
	MUST(lseek(f, 0, SEEK_SET));

	int c, s;
	connected(AF_INET, &c, &s);
	pid_t pid = fork();
	MUST(pid);
	if (pid == 0) {
		/* The reader: the whole file, then bytes 1000 to 1999. */
		close(s);
		static unsigned char got[SIZE];
		long n = 0, r;
		while (n < SIZE + 1000 && (r = read(c, got + (n % SIZE), n < SIZE ? SIZE - n : SIZE + 1000 - n)) > 0) {
			for (long i = 0; i < r; i++) {
				long pos = n + i < SIZE ? n + i : n + i - SIZE + 1000;
				if (got[(n + i) % SIZE] != pattern(pos))
					exit(10);
			}
			n += r;
		}
		exit(n == SIZE + 1000 ? 0 : 11);
	}
	close(c);
	long total = 0;
	while (total < SIZE) {
		ssize_t r = sendfile(s, f, NULL, SIZE - total);
		if (r <= 0) {
			printf("sendfile: %ld %s\n", (long)r, strerrorname_np(errno));
			break;
		}
		total += r;
	}
	printf("sent %ld, file offset %ld\n", total, (long)lseek(f, 0, SEEK_CUR));
	off_t off = 1000;
	SHOW("sendfile 1000 bytes from offset 1000", sendfile(s, f, &off, 1000));
	printf("offset now %ld, file offset %ld\n", (long)off, (long)lseek(f, 0, SEEK_CUR));
	wait_child("reader", pid);
	SHOW("sendfile after the reader left", sendfile(s, f, &off, 10));
	close(s);

	/* A non-blocking socket fills up: EAGAIN, then it drains. */
	signal(SIGPIPE, SIG_IGN);
	connected(AF_INET6, &c, &s);
	int small = 4096;
	setsockopt(s, SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
	setsockopt(c, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
	MUST(fcntl(s, F_SETFL, O_NONBLOCK));
	off = 0;
	long sent = 0;
	ssize_t r;
	int loops = 0;
	while ((r = sendfile(s, f, &off, SIZE)) > 0 && loops++ < 1000)
		sent += r;
	printf("filled: last %ld %s, sent some %d, all %d\n", (long)r, r < 0 ? strerrorname_np(errno) : "", sent > 0, sent == SIZE);
	struct pollfd p = {s, POLLOUT, 0};
	SHOW("poll POLLOUT while full", poll(&p, 1, 0));
	long drained = 0;
	while (drained < sent) {
		r = read(c, buf, sizeof buf);
		if (r <= 0)
			break;
		drained += r;
	}
	printf("drained all %d\n", drained == sent);
	SHOW("poll POLLOUT after", poll(&p, 1, 5000));
	return 0;
}
