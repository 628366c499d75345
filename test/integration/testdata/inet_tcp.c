/*
 * inet_tcp: a TCP server and a forked client on 127.0.0.1 and ::1:
 * getsockname and getpeername on ephemeral ports, accept4's flags, an
 * echo, a half-close with shutdown(SHUT_WR), and a blocking read that
 * waits for the peer.
 */
#include "inet.h"

static void client(int family, struct sockaddr_storage *a, socklen_t len)
{
	int c = socket(family, SOCK_STREAM, 0);
	MUST(c);
	MUST(connect(c, (struct sockaddr *)a, len));
	char buf[64];
	for (int i = 0; i < 3; i++) {
		int n = snprintf(buf, sizeof buf, "message %d", i);
		if (write(c, buf, n) != n)
			exit(3);
		int got = 0;
		while (got < n) {
			int r = read(c, buf + got, n - got);
			if (r <= 0)
				exit(4);
			got += r;
		}
	}
	/* Half-close: the server sees end of file, then answers. */
	MUST(shutdown(c, SHUT_WR));
	int n = 0, r;
	while ((r = read(c, buf + n, sizeof buf - 1 - n)) > 0)
		n += r;
	buf[n] = 0;
	exit(strcmp(buf, "bye after EOF") == 0 ? 0 : 5);
}

static void run(int family)
{
	printf("== %s\n", family == AF_INET ? "AF_INET" : "AF_INET6");
	struct sockaddr_storage a, b;
	socklen_t len;
	int l = listener(family, SOCK_STREAM, &a, &len);
	printf("listening on an ephemeral port: %d\n", port_of(&a) > 0);
	socklen_t bl = sizeof b;
	SHOW("getpeername on a listener", getpeername(l, (struct sockaddr *)&b, &bl));
	int v;
	socklen_t vl = sizeof v;
	MUST(getsockopt(l, SOL_SOCKET, SO_ACCEPTCONN, &v, &vl));
	printf("SO_ACCEPTCONN %d\n", v);

	pid_t pid = fork();
	MUST(pid);
	if (pid == 0)
		client(family, &a, len);
	bl = sizeof b;
	int s = accept4(l, (struct sockaddr *)&b, &bl, SOCK_CLOEXEC);
	MUST(s);
	printf("accept4 peer: family ok %d, length %d, port > 0 %d\n", b.ss_family == family, (int)bl, port_of(&b) > 0);
	printf("FD_CLOEXEC %d, O_NONBLOCK %d\n", fcntl(s, F_GETFD) & FD_CLOEXEC, !!(fcntl(s, F_GETFL) & O_NONBLOCK));
	struct sockaddr_storage me, peer;
	socklen_t ml = sizeof me, pl = sizeof peer;
	MUST(getsockname(s, (struct sockaddr *)&me, &ml));
	MUST(getpeername(s, (struct sockaddr *)&peer, &pl));
	printf("local port is the listener's: %d, peer port > 0: %d, lengths %d %d\n",
	       port_of(&me) == port_of(&a), port_of(&peer) > 0, (int)ml, (int)pl);
	/* A short buffer gets a truncated address and the full length. */
	char small[4];
	socklen_t sl = sizeof small;
	SHOW("getsockname into 4 bytes", getsockname(s, (struct sockaddr *)small, &sl));
	printf("length reported %d\n", (int)sl);

	char buf[64];
	int total = 0;
	for (;;) {
		int n = read(s, buf, sizeof buf);
		if (n < 0) {
			printf("read: %s\n", strerrorname_np(errno));
			break;
		}
		if (n == 0) {
			printf("end of file after %d bytes\n", total);
			break;
		}
		total += n;
		MUST(write(s, buf, n));
	}
	SHOW("write after the peer's SHUT_WR", write(s, "bye after EOF", 13));
	close(s);
	wait_child("client", pid);

	/* accept4 with SOCK_NONBLOCK, and a non-blocking listener. */
	int c = socket(family, SOCK_STREAM, 0);
	MUST(connect(c, (struct sockaddr *)&a, len));
	s = accept4(l, NULL, NULL, SOCK_NONBLOCK);
	MUST(s);
	printf("FD_CLOEXEC %d, O_NONBLOCK %d\n", fcntl(s, F_GETFD) & FD_CLOEXEC, !!(fcntl(s, F_GETFL) & O_NONBLOCK));
	SHOW("read with nothing there", read(s, buf, sizeof buf));
	SHOW("accept4 with bad flags", accept4(l, NULL, NULL, 0x1234));
	MUST(fcntl(l, F_SETFL, O_NONBLOCK));
	SHOW("accept on an empty non-blocking listener", accept(l, NULL, NULL));
	close(c);
	close(s);
	close(l);
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	run(AF_INET);
	run(AF_INET6);
	return 0;
}
