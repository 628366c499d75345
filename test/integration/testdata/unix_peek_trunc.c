/* unix_peek_trunc: MSG_PEEK, MSG_TRUNC, MSG_WAITALL and MSG_DONTWAIT on
 * streams and datagrams. */
#include "unixtest.h"

int main(void)
{
	int sv[2];
	char buf[64];
	MUST(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	write(sv[0], "hello", 5);
	write(sv[0], " world", 6);
	memset(buf, 0, sizeof buf);
	SHOW("peek 3", recv(sv[1], buf, 3, MSG_PEEK));
	printf("peeked %s\n", buf);
	SHOW("peek all", recv(sv[1], buf, sizeof buf, MSG_PEEK));
	SHOW("read 4", recv(sv[1], buf, 4, 0));
	memset(buf, 0, sizeof buf);
	SHOW("peek rest", recv(sv[1], buf, sizeof buf, MSG_PEEK));
	printf("peeked %s\n", buf);
	struct iovec iov = { buf, 2 };
	struct msghdr m = { 0 };
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	SHOW("stream MSG_TRUNC", recvmsg(sv[1], &m, MSG_TRUNC));
	printf("flags %d\n", m.msg_flags);
	SHOW("read rest", recv(sv[1], buf, sizeof buf, 0));
	SHOW("DONTWAIT empty", recv(sv[1], buf, sizeof buf, MSG_DONTWAIT));

	/* MSG_WAITALL waits for all of it, across writes. */
	pid_t pid = fork();
	MUST(pid);
	if (pid == 0) {
		for (int i = 0; i < 5; i++) {
			write(sv[0], "ab", 2);
			usleep(20000);
		}
		_exit(0);
	}
	SHOW("WAITALL 10", recv(sv[1], buf, 10, MSG_WAITALL));
	reap("writer", pid);
	write(sv[0], "xy", 2);
	shutdown(sv[0], SHUT_WR);
	SHOW("WAITALL short at eof", recv(sv[1], buf, 10, MSG_WAITALL));
	close(sv[0]);
	close(sv[1]);

	MUST(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
	send(sv[0], "datagram one", 12, 0);
	send(sv[0], "two", 3, 0);
	m.msg_flags = 0;
	iov.iov_len = 4;
	SHOW("dgram peek 4", recvmsg(sv[1], &m, MSG_PEEK));
	printf("flags TRUNC %d\n", (m.msg_flags & MSG_TRUNC) != 0);
	SHOW("dgram peek MSG_TRUNC", recv(sv[1], buf, 4, MSG_PEEK | MSG_TRUNC));
	SHOW("dgram MSG_TRUNC len 0", recv(sv[1], NULL, 0, MSG_TRUNC));
	m.msg_flags = 0;
	iov.iov_len = sizeof buf;
	SHOW("dgram next whole", recvmsg(sv[1], &m, 0));
	printf("flags TRUNC %d\n", (m.msg_flags & MSG_TRUNC) != 0);
	SHOW("dgram WAITALL one message", (send(sv[0], "w", 1, 0), recv(sv[1], buf, sizeof buf, MSG_WAITALL)));
	SHOW("dgram empty DONTWAIT", recv(sv[1], buf, sizeof buf, MSG_DONTWAIT));
	int fl = fcntl(sv[1], F_GETFL);
	fcntl(sv[1], F_SETFL, fl | O_NONBLOCK);
	SHOW("O_NONBLOCK via fcntl", recv(sv[1], buf, sizeof buf, 0));
	fcntl(sv[1], F_SETFL, fl);
	int on = 1;
	ioctl(sv[1], FIONBIO, &on);
	SHOW("O_NONBLOCK via FIONBIO", read(sv[1], buf, sizeof buf));
	SHOW("recvfrom bad buffer", (send(sv[0], "f", 1, 0), recv(sv[1], (char *)8, 4, 0)));
	SHOW("consumed anyway", recv(sv[1], buf, sizeof buf, 0));
	return 0;
}
