/* unix_dgram: SOCK_DGRAM on paths: boundaries, addresses, connect rules,
 * a full receive queue, a closed peer. */
#include "unixtest.h"

int main(void)
{
	struct sockaddr_un sa, ca, from;
	socklen_t sl = addr(&sa, "/tmp/unix_dgram.server");
	socklen_t cl = addr(&ca, "/tmp/unix_dgram.client");
	socklen_t fl;
	char buf[64];
	unlink(sa.sun_path);
	unlink(ca.sun_path);

	int srv = socket(AF_UNIX, SOCK_DGRAM, 0);
	int cli = socket(AF_UNIX, SOCK_DGRAM, 0);
	MUST(srv);
	MUST(cli);
	SHOW("sendto unbound server", sendto(cli, "x", 1, 0, (struct sockaddr *)&sa, sl));
	SHOW("bind server", bind(srv, (struct sockaddr *)&sa, sl));
	SHOW("send unconnected", send(cli, "x", 1, 0));
	SHOW("sendto", sendto(cli, "first", 5, 0, (struct sockaddr *)&sa, sl));
	SHOW("sendto", sendto(cli, "second!", 7, 0, (struct sockaddr *)&sa, sl));
	SHOW("sendto empty", sendto(cli, "", 0, 0, (struct sockaddr *)&sa, sl));
	int inq;
	SHOW("FIONREAD", ioctl(srv, FIONREAD, &inq));
	printf("next datagram %d bytes\n", inq);
	fl = sizeof from;
	SHOW("recvfrom", recvfrom(srv, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl));
	printf("from len %d\n", fl);
	SHOW("recv", recv(srv, buf, sizeof buf, 0));
	SHOW("recv empty datagram", recv(srv, buf, sizeof buf, 0));
	SHOW("recv nothing", recv(srv, buf, sizeof buf, MSG_DONTWAIT));

	SHOW("bind client", bind(cli, (struct sockaddr *)&ca, cl));
	SHOW("sendto", sendto(cli, "named", 5, 0, (struct sockaddr *)&sa, sl));
	fl = sizeof from;
	memset(&from, 0, sizeof from);
	SHOW("recvfrom", recvfrom(srv, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl));
	printf("from len %d path %s\n", fl, from.sun_path);
	fl = 5;
	SHOW("sendto", sendto(cli, "named", 5, 0, (struct sockaddr *)&sa, sl));
	SHOW("recvfrom short addr", recvfrom(srv, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl));
	printf("from len %d\n", fl);

	/* A connected socket takes datagrams from its peer only. */
	int other = socket(AF_UNIX, SOCK_DGRAM, 0);
	SHOW("connect server to client", connect(srv, (struct sockaddr *)&ca, cl));
	SHOW("third party to server", sendto(other, "3rd", 3, 0, (struct sockaddr *)&sa, sl));
	SHOW("client to server", sendto(cli, "ok", 2, 0, (struct sockaddr *)&sa, sl));
	SHOW("recv", recv(srv, buf, sizeof buf, 0));
	SHOW("send to peer", send(srv, "back", 4, 0));
	SHOW("recv at client", recv(cli, buf, sizeof buf, 0));
	struct sockaddr_un pn;
	socklen_t pnl = sizeof pn;
	SHOW("getpeername", getpeername(srv, (struct sockaddr *)&pn, &pnl));
	printf("peer len %d path %s\n", pnl, pn.sun_path);
	struct sockaddr unspec = { AF_UNSPEC };
	SHOW("disconnect", connect(srv, &unspec, sizeof unspec));
	SHOW("getpeername after", getpeername(srv, (struct sockaddr *)&pn, &pnl));
	SHOW("third party again", sendto(other, "3rd", 3, 0, (struct sockaddr *)&sa, sl));
	SHOW("recv", recv(srv, buf, sizeof buf, 0));
	SHOW("connect to stream path", connect(other, (struct sockaddr *)&sa, 1));

	/* A bounded queue: datagrams from a non-peer beyond the limit wait. */
	int n = 0;
	while (n < 100 && sendto(other, "q", 1, MSG_DONTWAIT, (struct sockaddr *)&sa, sl) == 1)
		n++;
	printf("queued before EAGAIN: %d (%s)\n", n, strerrorname_np(errno));
	struct pollfd pf = { other, POLLOUT, 0 };
	SHOW("connect other to server", connect(other, (struct sockaddr *)&sa, sl));
	pf.revents = 0;
	int pr = poll(&pf, 1, 0);
	printf("poll connected sender with full peer: %d %s\n", pr, events(pf.revents));
	SHOW("recv one", recv(srv, buf, sizeof buf, 0));
	SHOW("send again", send(other, "q", 1, MSG_DONTWAIT));
	while (recv(srv, buf, sizeof buf, MSG_DONTWAIT) > 0)
		;

	/* Too big for the send buffer. */
	int small = 4096;
	setsockopt(other, SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
	static char big[20000];
	SHOW("send bigger than sndbuf", send(other, big, sizeof big, 0));
	SHOW("send within sndbuf", send(other, big, 8000, 0));
	SHOW("recv truncated", recv(srv, buf, sizeof buf, 0));

	/* The peer closes. */
	close(srv);
	SHOW("send to closed peer", send(other, "z", 1, 0));
	SHOW("send again", send(other, "z", 1, 0));
	SHOW("sendto closed path", sendto(cli, "z", 1, 0, (struct sockaddr *)&sa, sl));
	SHOW("bad address length", sendto(cli, "z", 1, 0, (struct sockaddr *)&sa, 1));
	SHOW("bad family", sendto(cli, "z", 1, 0, (struct sockaddr *)&unspec, sizeof unspec));
	SHOW("MSG_OOB", send(cli, "z", 1, MSG_OOB));
	unlink(sa.sun_path);
	unlink(ca.sun_path);
	return 0;
}
