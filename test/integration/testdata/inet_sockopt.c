/*
 * inet_sockopt: the socket options servers use, set and read back on TCP
 * and UDP sockets of both families, with their errors: unknown options,
 * short values, read-only options, options of the wrong protocol.
 */
#include "inet.h"
#include <netinet/udp.h>

static void geti(int s, int level, int name, const char *what)
{
	int v = -12345;
	socklen_t l = sizeof v;
	errno = 0;
	if (getsockopt(s, level, name, &v, &l) < 0)
		printf("  get %s: -1 %s\n", what, strerrorname_np(errno));
	else
		printf("  get %s: %d (len %d)\n", what, v, (int)l);
}

static void seti(int s, int level, int name, int v, const char *what)
{
	errno = 0;
	int r = setsockopt(s, level, name, &v, sizeof v);
	if (r < 0)
		printf("  set %s %d: -1 %s\n", what, v, strerrorname_np(errno));
	else
		printf("  set %s %d: 0\n", what, v);
}

#define RT(s, level, name, v) do { seti(s, level, name, v, #name); geti(s, level, name, #name); } while (0)

static void timeouts(int s)
{
	struct timeval tv = {1, 500000}, got;
	socklen_t l = sizeof got;
	SHOW("  set SO_RCVTIMEO 1.5s", setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
	MUST(getsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &got, &l));
	printf("  get SO_RCVTIMEO: %ld.%06ld (len %d)\n", (long)got.tv_sec, (long)got.tv_usec, (int)l);
	tv = (struct timeval){0, 250000};
	SHOW("  set SO_SNDTIMEO 0.25s", setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv));
	l = sizeof got;
	MUST(getsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &got, &l));
	printf("  get SO_SNDTIMEO: %ld.%06ld\n", (long)got.tv_sec, (long)got.tv_usec);
	tv = (struct timeval){0, 1000000};
	SHOW("  set SO_RCVTIMEO usec 1e6", setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
	SHOW("  set SO_RCVTIMEO 8 bytes", setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, 8));
	tv = (struct timeval){0, 0};
	SHOW("  clear SO_RCVTIMEO", setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
	l = sizeof got;
	MUST(getsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &got, &l));
	printf("  get SO_RCVTIMEO: %ld.%06ld\n", (long)got.tv_sec, (long)got.tv_usec);
}

static void common(int s)
{
	RT(s, SOL_SOCKET, SO_REUSEADDR, 1);
	RT(s, SOL_SOCKET, SO_REUSEPORT, 1);
	RT(s, SOL_SOCKET, SO_KEEPALIVE, 1);
	RT(s, SOL_SOCKET, SO_BROADCAST, 1);
	RT(s, SOL_SOCKET, SO_RCVBUF, 65536);
	RT(s, SOL_SOCKET, SO_SNDBUF, 32768);
	RT(s, SOL_SOCKET, SO_RCVLOWAT, 10);
	RT(s, SOL_SOCKET, SO_SNDLOWAT, 10);
	RT(s, SOL_SOCKET, SO_PRIORITY, 3);
	RT(s, SOL_SOCKET, SO_OOBINLINE, 1);
	RT(s, SOL_SOCKET, SO_TIMESTAMP, 1);
	geti(s, SOL_SOCKET, SO_TYPE, "SO_TYPE");
	geti(s, SOL_SOCKET, SO_DOMAIN, "SO_DOMAIN");
	geti(s, SOL_SOCKET, SO_PROTOCOL, "SO_PROTOCOL");
	geti(s, SOL_SOCKET, SO_ERROR, "SO_ERROR");
	geti(s, SOL_SOCKET, SO_ACCEPTCONN, "SO_ACCEPTCONN");
	seti(s, SOL_SOCKET, SO_TYPE, 1, "SO_TYPE");
	seti(s, SOL_SOCKET, SO_ERROR, 1, "SO_ERROR");

	struct linger lg = {1, 7}, got;
	socklen_t l = sizeof got;
	SHOW("  set SO_LINGER {1, 7}", setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof lg));
	MUST(getsockopt(s, SOL_SOCKET, SO_LINGER, &got, &l));
	printf("  get SO_LINGER: {%d, %d} (len %d)\n", got.l_onoff, got.l_linger, (int)l);
	SHOW("  set SO_LINGER 4 bytes", setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, 4));
	lg = (struct linger){0, 0};
	setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
	timeouts(s);

	/* Errors. */
	int v = 1;
	SHOW("  set SO_REUSEADDR 2 bytes", setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &v, 2));
	SHOW("  set an unknown SOL_SOCKET option", setsockopt(s, SOL_SOCKET, 9999, &v, sizeof v));
	socklen_t vl = sizeof v;
	SHOW("  get an unknown SOL_SOCKET option", getsockopt(s, SOL_SOCKET, 9999, &v, &vl));
	SHOW("  set at an unknown level", setsockopt(s, 9999, 1, &v, sizeof v));
	vl = 2;
	SHOW("  get SO_TYPE into 2 bytes", getsockopt(s, SOL_SOCKET, SO_TYPE, &v, &vl));
	printf("  length %d\n", (int)vl);
	vl = -1;
	SHOW("  get with a negative length", getsockopt(s, SOL_SOCKET, SO_TYPE, &v, &vl));
	vl = sizeof v;
	SHOW("  get into a bad pointer", getsockopt(s, SOL_SOCKET, SO_TYPE, (void *)8, &vl));
	SHOW("  set from a bad pointer", setsockopt(s, SOL_SOCKET, SO_KEEPALIVE, (void *)8, 4));
}

static void run(int family, int type)
{
	printf("== %s %s\n", family == AF_INET ? "AF_INET" : "AF_INET6", type == SOCK_STREAM ? "TCP" : "UDP");
	int s = socket(family, type, 0);
	MUST(s);
	common(s);
	if (type == SOCK_STREAM) {
		RT(s, IPPROTO_TCP, TCP_NODELAY, 1);
		RT(s, IPPROTO_TCP, TCP_CORK, 1);
		RT(s, IPPROTO_TCP, TCP_KEEPIDLE, 30);
		RT(s, IPPROTO_TCP, TCP_KEEPINTVL, 5);
		RT(s, IPPROTO_TCP, TCP_KEEPCNT, 4);
		RT(s, IPPROTO_TCP, TCP_DEFER_ACCEPT, 5);
		RT(s, IPPROTO_TCP, TCP_MAXSEG, 1200);
		RT(s, IPPROTO_TCP, TCP_USER_TIMEOUT, 10000);
		RT(s, IPPROTO_TCP, TCP_FASTOPEN, 5);
		RT(s, IPPROTO_TCP, TCP_NOTSENT_LOWAT, 16384);
		RT(s, IPPROTO_TCP, TCP_QUICKACK, 1);
		seti(s, IPPROTO_TCP, TCP_KEEPIDLE, 0, "TCP_KEEPIDLE");
		seti(s, IPPROTO_TCP, TCP_KEEPCNT, -1, "TCP_KEEPCNT");
		seti(s, IPPROTO_UDP, UDP_CORK, 1, "UDP_CORK");
		char cc[16] = {0};
		socklen_t l = sizeof cc;
		SHOW("  get TCP_CONGESTION", getsockopt(s, IPPROTO_TCP, TCP_CONGESTION, cc, &l));
		SHOW("  set it back", setsockopt(s, IPPROTO_TCP, TCP_CONGESTION, cc, strlen(cc)));
		SHOW("  set TCP_CONGESTION nonsense", setsockopt(s, IPPROTO_TCP, TCP_CONGESTION, "nonsense", 8));
		unsigned char info[8];
		l = sizeof info;
		SHOW("  get TCP_INFO into 8 bytes", getsockopt(s, IPPROTO_TCP, TCP_INFO, info, &l));
		printf("  length %d, state %d\n", (int)l, info[0]);
	} else {
		RT(s, IPPROTO_UDP, UDP_CORK, 1);
		seti(s, IPPROTO_TCP, TCP_NODELAY, 1, "TCP_NODELAY");
	}
	if (family == AF_INET6) {
		RT(s, IPPROTO_IPV6, IPV6_V6ONLY, 1);
		RT(s, IPPROTO_IPV6, IPV6_TCLASS, 0x20);
		RT(s, IPPROTO_IPV6, IPV6_UNICAST_HOPS, 12);
		RT(s, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1);
		geti(s, IPPROTO_IPV6, IPV6_MTU, "IPV6_MTU");
	} else {
		seti(s, IPPROTO_IPV6, IPV6_V6ONLY, 1, "IPV6_V6ONLY");
	}
	RT(s, IPPROTO_IP, IP_TOS, 0x10);
	RT(s, IPPROTO_IP, IP_TTL, 33);
	RT(s, IPPROTO_IP, IP_MTU_DISCOVER, 0);
	RT(s, IPPROTO_IP, IP_FREEBIND, 1);
	unsigned char b = 0x08;
	SHOW("  set IP_TOS from 1 byte", setsockopt(s, IPPROTO_IP, IP_TOS, &b, 1));
	geti(s, IPPROTO_IP, IP_TOS, "IP_TOS");
	b = 0;
	socklen_t bl = 1;
	SHOW("  get IP_TOS into 1 byte", getsockopt(s, IPPROTO_IP, IP_TOS, &b, &bl));
	printf("  %#x (len %d)\n", b, (int)bl);
	geti(s, IPPROTO_IP, IP_MTU, "IP_MTU");
	close(s);
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	run(AF_INET, SOCK_STREAM);
	run(AF_INET6, SOCK_STREAM);
	run(AF_INET, SOCK_DGRAM);
	run(AF_INET6, SOCK_DGRAM);

	/* IPV6_V6ONLY decides whether a v6 socket takes v4 connections. */
	printf("== IPV6_V6ONLY in use\n");
	for (int only = 0; only < 2; only++) {
		int s = socket(AF_INET6, SOCK_STREAM, 0);
		MUST(setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &only, sizeof only));
		struct sockaddr_in6 a6 = {.sin6_family = AF_INET6, .sin6_addr = in6addr_any};
		MUST(bind(s, (struct sockaddr *)&a6, sizeof a6));
		MUST(listen(s, 4));
		socklen_t l = sizeof a6;
		MUST(getsockname(s, (struct sockaddr *)&a6, &l));
		struct sockaddr_storage a4;
		socklen_t l4 = loopback(AF_INET, &a4, ntohs(a6.sin6_port));
		int c = socket(AF_INET, SOCK_STREAM, 0);
		printf("V6ONLY %d: ", only);
		SHOW("v4 connect", connect(c, (struct sockaddr *)&a4, l4));
		close(c);
		close(s);
	}
	/* SO_REUSEADDR lets a listener's port be bound again once closed. */
	printf("== SO_REUSEADDR in use\n");
	struct sockaddr_storage a;
	socklen_t len = loopback(AF_INET, &a, 0);
	int one = 1;
	int l = socket(AF_INET, SOCK_STREAM, 0);
	MUST(setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one));
	MUST(bind(l, (struct sockaddr *)&a, len));
	MUST(listen(l, 4));
	socklen_t al = sizeof a;
	MUST(getsockname(l, (struct sockaddr *)&a, &al));
	int c = socket(AF_INET, SOCK_STREAM, 0);
	MUST(connect(c, (struct sockaddr *)&a, len));
	int s = accept(l, NULL, NULL);
	close(s); /* the server side closes first: TIME_WAIT */
	close(c);
	close(l);
	usleep(10000);
	int n = socket(AF_INET, SOCK_STREAM, 0);
	SHOW("bind the port again without SO_REUSEADDR", bind(n, (struct sockaddr *)&a, len));
	close(n);
	n = socket(AF_INET, SOCK_STREAM, 0);
	MUST(setsockopt(n, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one));
	SHOW("bind it with SO_REUSEADDR", bind(n, (struct sockaddr *)&a, len));
	int n2 = socket(AF_INET, SOCK_STREAM, 0);
	SHOW("a second bind of a bound port", bind(n2, (struct sockaddr *)&a, len));
	close(n);
	/* SO_REUSEPORT: two listeners on one port. */
	int r1 = socket(AF_INET, SOCK_STREAM, 0), r2 = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(r1, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
	setsockopt(r2, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
	struct sockaddr_storage ra;
	socklen_t rl = loopback(AF_INET, &ra, 0);
	MUST(bind(r1, (struct sockaddr *)&ra, rl));
	rl = sizeof ra;
	MUST(getsockname(r1, (struct sockaddr *)&ra, &rl));
	SHOW("SO_REUSEPORT: bind a second socket to the port", bind(r2, (struct sockaddr *)&ra, rl));
	return 0;
}
