/* unix_nonblock: nonblocking accept and connect, a full backlog,
 * accept4 flags, timeouts. */
#include "unixtest.h"
#include <sys/time.h>

int main(void)
{
	struct sockaddr_un a;
	socklen_t la = addr(&a, "@unix_nonblock");
	int ls = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
	MUST(ls);
	MUST(bind(ls, (struct sockaddr *)&a, la));
	SHOW("listen backlog 1", listen(ls, 1));
	SHOW("accept nothing", accept(ls, NULL, NULL));
	SHOW("accept4 bad flags", accept4(ls, NULL, NULL, 0x40));

	/* Backlog 1 holds two pending connections on Linux. */
	int c[4];
	for (int i = 0; i < 4; i++) {
		c[i] = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
		char what[32];
		snprintf(what, sizeof what, "connect %d", i);
		SHOW(what, connect(c[i], (struct sockaddr *)&a, la));
	}
	show_poll("listener with pending", ls);
	int s = accept4(ls, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	SHOW("accept4", s >= 0 ? 0 : -1);
	printf("accepted nonblock %d cloexec %d\n", (fcntl(s, F_GETFL) & O_NONBLOCK) != 0, (fcntl(s, F_GETFD) & FD_CLOEXEC) != 0);
	SHOW("connect after accept", connect(c[2], (struct sockaddr *)&a, la));
	int s2 = accept(ls, NULL, NULL);
	printf("plain accept nonblock %d cloexec %d\n", (fcntl(s2, F_GETFL) & O_NONBLOCK) != 0, (fcntl(s2, F_GETFD) & FD_CLOEXEC) != 0);
	char buf[8];
	SHOW("read nonblocking", read(s, buf, sizeof buf));
	SHOW("accept third", accept(ls, NULL, NULL) >= 0 ? 0 : -1);
	SHOW("accept empty", accept(ls, NULL, NULL));

	/* A blocking connect to a full backlog waits for SO_SNDTIMEO. */
	int b1 = socket(AF_UNIX, SOCK_STREAM, 0), b2 = socket(AF_UNIX, SOCK_STREAM, 0);
	SHOW("fill 1", connect(b1, (struct sockaddr *)&a, la));
	SHOW("fill 2", connect(b2, (struct sockaddr *)&a, la));
	int b3 = socket(AF_UNIX, SOCK_STREAM, 0);
	struct timeval tv = { 0, 100000 };
	SHOW("SO_SNDTIMEO", setsockopt(b3, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv));
	struct timeval t0, t1;
	gettimeofday(&t0, NULL);
	SHOW("blocking connect times out", connect(b3, (struct sockaddr *)&a, la));
	gettimeofday(&t1, NULL);
	long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_usec - t0.tv_usec) / 1000;
	printf("waited at least 90ms %d\n", ms >= 90);

	/* SO_RCVTIMEO on accept and recv. */
	int fl = fcntl(ls, F_GETFL);
	while (accept(ls, NULL, NULL) >= 0)
		;
	fcntl(ls, F_SETFL, fl & ~O_NONBLOCK);
	SHOW("SO_RCVTIMEO", setsockopt(ls, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
	struct timeval g;
	socklen_t gl = sizeof g;
	getsockopt(ls, SOL_SOCKET, SO_RCVTIMEO, &g, &gl);
	printf("timeout reads back %ld.%06ld\n", (long)g.tv_sec, (long)g.tv_usec);
	gettimeofday(&t0, NULL);
	SHOW("blocking accept times out", accept(ls, NULL, NULL));
	gettimeofday(&t1, NULL);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_usec - t0.tv_usec) / 1000;
	printf("waited at least 90ms %d\n", ms >= 90);
	int sv[2];
	MUST(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	SHOW("recv times out", recv(sv[0], buf, sizeof buf, 0));

	/* A stream writer fills the peer and gets EAGAIN. */
	fcntl(sv[1], F_SETFL, O_NONBLOCK);
	static char chunk[4096];
	long total = 0;
	ssize_t n;
	while ((n = write(sv[1], chunk, sizeof chunk)) > 0)
		total += n;
	printf("filled: %s, some written %d\n", strerrorname_np(errno), total > 0);
	show_poll("full writer", sv[1]);
	long drained = 0;
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	while ((n = read(sv[0], chunk, sizeof chunk)) > 0)
		drained += n;
	printf("drained all %d\n", drained == total);
	show_poll("writer after drain", sv[1]);
	return 0;
}
