/*
 * inet_reset: closing a TCP socket with unread data resets the
 * connection: the peer's read fails with ECONNRESET, later reads see end
 * of file, and writes fail with EPIPE (SIGPIPE ignored here). SO_LINGER
 * with a zero timeout resets too.
 */
#include "inet.h"

static void wait_readable(int fd)
{
	struct pollfd p = {fd, POLLIN, 0};
	MUST(poll(&p, 1, 5000));
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	signal(SIGPIPE, SIG_IGN);
	int c, s;
	char buf[16];
	connected(AF_INET, &c, &s);
	MUST(write(c, "unread", 6));
	wait_readable(s);
	close(s); /* unread data: RST */
	wait_readable(c);
	struct pollfd p = {c, POLLIN | POLLOUT | POLLRDHUP, 0};
	SHOW("poll after the reset", poll(&p, 1, 0));
	printf("revents %#x\n", p.revents);
	SHOW("read", read(c, buf, sizeof buf));
	SHOW("read again", read(c, buf, sizeof buf));
	SHOW("write", write(c, "x", 1));
	SHOW("send MSG_NOSIGNAL", send(c, "x", 1, MSG_NOSIGNAL));
	int err = -1;
	socklen_t el = sizeof err;
	getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &el);
	printf("SO_ERROR %d\n", err);
	close(c);

	/* SO_LINGER {1, 0}: close resets at once. */
	connected(AF_INET6, &c, &s);
	struct linger lg = {1, 0};
	MUST(setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof lg));
	close(s);
	wait_readable(c);
	SHOW("read after an abortive close", recv(c, buf, sizeof buf, 0));
	close(c);

	/* A plain close with nothing unread: end of file, then EPIPE. */
	connected(AF_INET, &c, &s);
	close(s);
	wait_readable(c);
	SHOW("read after a clean close", read(c, buf, sizeof buf));
	SHOW("first write goes", write(c, "x", 1));
	wait_readable(c); /* the peer answers with a reset */
	usleep(20000);
	SHOW("second write", write(c, "x", 1));
	SHOW("third write", write(c, "x", 1));
	close(c);
	return 0;
}
