/* unix_seqpacket: SOCK_SEQPACKET through a listener: record boundaries,
 * truncation, end of file, and what an unconnected one refuses. */
#include "unixtest.h"

int main(void)
{
	struct sockaddr_un a;
	socklen_t la = addr(&a, "/tmp/unix_seqpacket.sock");
	char buf[64];
	unlink(a.sun_path);

	int ls = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	MUST(ls);
	SHOW("send unconnected", send(ls, "x", 1, MSG_NOSIGNAL));
	SHOW("recv unconnected", recv(ls, buf, sizeof buf, MSG_DONTWAIT));
	show_poll("poll unconnected", ls);
	SHOW("bind", bind(ls, (struct sockaddr *)&a, la));
	SHOW("listen", listen(ls, 2));
	show_poll("poll listener", ls);
	SHOW("dgram connect to seqpacket path", connect(socket(AF_UNIX, SOCK_DGRAM, 0), (struct sockaddr *)&a, la));
	SHOW("stream connect to seqpacket path", connect(socket(AF_UNIX, SOCK_STREAM, 0), (struct sockaddr *)&a, la));

	pid_t pid = fork();
	MUST(pid);
	if (pid == 0) {
		int c = socket(AF_UNIX, SOCK_SEQPACKET, 0);
		if (connect(c, (struct sockaddr *)&a, la) < 0)
			_exit(1);
		send(c, "one", 3, 0);
		send(c, "two two", 7, 0);
		send(c, "", 0, 0);
		send(c, "three three three", 17, 0);
		char b[8];
		read(c, b, 1); /* wait for the parent */
		_exit(0);
	}
	int s = accept(ls, NULL, NULL);
	MUST(s);
	SHOW("recv", recv(s, buf, sizeof buf, 0));
	SHOW("recv", recv(s, buf, sizeof buf, 0));
	SHOW("recv empty record", recv(s, buf, sizeof buf, 0));
	struct iovec iov = { buf, 5 };
	struct msghdr m = { 0 };
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	SHOW("recvmsg 5 of 17", recvmsg(s, &m, MSG_PEEK));
	printf("flags TRUNC %d\n", (m.msg_flags & MSG_TRUNC) != 0);
	SHOW("recvmsg MSG_TRUNC", recvmsg(s, &m, MSG_TRUNC));
	printf("flags TRUNC %d got %.5s\n", (m.msg_flags & MSG_TRUNC) != 0, buf);
	SHOW("sendto ignores address", sendto(s, "k", 1, 0, (struct sockaddr *)&a, 1));
	reap("client", pid);
	show_poll("poll after client exit", s);
	SHOW("recv eof", recv(s, buf, sizeof buf, 0));
	SHOW("recv eof nonblocking", recv(s, buf, sizeof buf, MSG_DONTWAIT));
	SHOW("send to closed", send(s, "x", 1, 0));
	close(s);
	close(ls);
	unlink(a.sun_path);
	return 0;
}
