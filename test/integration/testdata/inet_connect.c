/*
 * inet_connect: connect(2) blocking and not: EINPROGRESS, poll, SO_ERROR,
 * the second and third connect, refused connections both ways, and a
 * UDP connect and its dissolution with AF_UNSPEC.
 */
#include "inet.h"

static int closed_port(int family, struct sockaddr_storage *a, socklen_t *len)
{
	/* A port bound but not listening refuses connections. */
	int s = socket(family, SOCK_STREAM, 0);
	MUST(s);
	*len = loopback(family, a, 0);
	MUST(bind(s, (struct sockaddr *)a, *len));
	socklen_t l = sizeof *a;
	MUST(getsockname(s, (struct sockaddr *)a, &l));
	return s;
}

static void run(int family)
{
	printf("== %s\n", family == AF_INET ? "AF_INET" : "AF_INET6");
	struct sockaddr_storage a;
	socklen_t len;
	int l = listener(family, SOCK_STREAM, &a, &len);

	int c = socket(family, SOCK_STREAM | SOCK_NONBLOCK, 0);
	MUST(c);
	errno = 0;
	int r = connect(c, (struct sockaddr *)&a, len);
	printf("non-blocking connect: %s\n", r == 0 || errno == EINPROGRESS ? "0 or EINPROGRESS" : strerrorname_np(errno));
	struct pollfd p = {c, POLLOUT, 0};
	SHOW("poll for POLLOUT", poll(&p, 1, 5000));
	printf("revents %#x\n", p.revents);
	int err = -1;
	socklen_t el = sizeof err;
	MUST(getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &el));
	printf("SO_ERROR %d\n", err);
	r = connect(c, (struct sockaddr *)&a, len);
	printf("connect again: %s\n", r == 0 || errno == EISCONN ? "0 or EISCONN" : strerrorname_np(errno));
	SHOW("and again", connect(c, (struct sockaddr *)&a, len));
	close(c);

	/* Refused, non-blocking: the error comes through poll and SO_ERROR. */
	struct sockaddr_storage z;
	socklen_t zl;
	int zs = closed_port(family, &z, &zl);
	c = socket(family, SOCK_STREAM | SOCK_NONBLOCK, 0);
	errno = 0;
	r = connect(c, (struct sockaddr *)&z, zl);
	printf("non-blocking connect to a closed port: %s\n",
	       r == -1 && (errno == EINPROGRESS || errno == ECONNREFUSED) ? "EINPROGRESS or ECONNREFUSED" : strerrorname_np(errno));
	if (errno == EINPROGRESS) {
		p = (struct pollfd){c, POLLOUT, 0};
		poll(&p, 1, 5000);
		el = sizeof err;
		MUST(getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &el));
		printf("SO_ERROR %s\n", strerrorname_np(err));
	} else {
		printf("SO_ERROR ECONNREFUSED\n");
	}
	el = sizeof err;
	MUST(getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &el));
	printf("SO_ERROR after reading it %d\n", err);
	close(c);

	/* Refused, blocking. */
	c = socket(family, SOCK_STREAM, 0);
	SHOW("blocking connect to a closed port", connect(c, (struct sockaddr *)&z, zl));
	SHOW("connect the same socket to the listener", connect(c, (struct sockaddr *)&a, len));
	close(c);
	close(zs);

	/* Bad addresses. */
	c = socket(family, SOCK_STREAM, 0);
	SHOW("connect with a 1-byte address", connect(c, (struct sockaddr *)&a, 1));
	SHOW("connect with a short address", connect(c, (struct sockaddr *)&a, len - 5));
	struct sockaddr_storage u = a;
	u.ss_family = AF_UNIX;
	SHOW("connect to an AF_UNIX address", connect(c, (struct sockaddr *)&u, len));
	SHOW("connect with a bad pointer", connect(c, (struct sockaddr *)8, len));
	close(c);

	/* UDP connect, then AF_UNSPEC dissolves the association. */
	int d = socket(family, SOCK_DGRAM, 0);
	SHOW("udp connect", connect(d, (struct sockaddr *)&a, len));
	struct sockaddr_storage peer;
	socklen_t pl = sizeof peer;
	SHOW("udp getpeername", getpeername(d, (struct sockaddr *)&peer, &pl));
	struct sockaddr unspec = {.sa_family = AF_UNSPEC};
	SHOW("udp connect AF_UNSPEC", connect(d, &unspec, sizeof unspec));
	pl = sizeof peer;
	SHOW("udp getpeername after", getpeername(d, (struct sockaddr *)&peer, &pl));
	SHOW("udp send unconnected", send(d, "x", 1, 0));
	close(d);
	close(l);
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	run(AF_INET);
	run(AF_INET6);
	return 0;
}
