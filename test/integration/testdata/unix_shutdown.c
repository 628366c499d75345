/* unix_shutdown: shutdown(2) on streams and datagrams: what each side
 * sees, poll bits, EPIPE with and without SIGPIPE. */
#include "unixtest.h"

static volatile int pipes;
static void onpipe(int sig) { (void)sig; pipes++; }

int main(void)
{
	signal(SIGPIPE, onpipe);
	int sv[2];
	char buf[16];
	MUST(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	show_poll("fresh pair", sv[0]);
	SHOW("bad how", shutdown(sv[0], 3));
	SHOW("write", write(sv[0], "data", 4));
	SHOW("SHUT_WR", shutdown(sv[0], SHUT_WR));
	show_poll("after SHUT_WR, own", sv[0]);
	show_poll("after SHUT_WR, peer", sv[1]);
	SHOW("peer reads data", read(sv[1], buf, sizeof buf));
	SHOW("peer reads eof", read(sv[1], buf, sizeof buf));
	SHOW("write after SHUT_WR", write(sv[0], "x", 1));
	printf("SIGPIPEs %d\n", pipes);
	SHOW("send MSG_NOSIGNAL", send(sv[0], "x", 1, MSG_NOSIGNAL));
	printf("SIGPIPEs %d\n", pipes);
	SHOW("peer writes back", write(sv[1], "back", 4));
	SHOW("own reads", read(sv[0], buf, sizeof buf));
	SHOW("SHUT_RD", shutdown(sv[0], SHUT_RD));
	show_poll("after SHUT_RD too, own", sv[0]);
	show_poll("after SHUT_RD too, peer", sv[1]);
	SHOW("read after SHUT_RD", read(sv[0], buf, sizeof buf));
	SHOW("peer write after SHUT_RD", send(sv[1], "x", 1, 0));
	printf("SIGPIPEs %d\n", pipes);
	SHOW("shutdown again", shutdown(sv[0], SHUT_RDWR));
	close(sv[0]);
	close(sv[1]);

	/* SHUT_RD keeps what is queued readable. */
	MUST(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	write(sv[1], "queued", 6);
	SHOW("SHUT_RD", shutdown(sv[0], SHUT_RD));
	SHOW("read queued", read(sv[0], buf, sizeof buf));
	SHOW("read eof", read(sv[0], buf, sizeof buf));
	close(sv[0]);
	close(sv[1]);

	/* The peer closes: with unread data it is a reset. */
	MUST(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	close(sv[1]);
	show_poll("peer closed", sv[0]);
	SHOW("read", read(sv[0], buf, sizeof buf));
	SHOW("write", write(sv[0], "x", 1));
	printf("SIGPIPEs %d\n", pipes);
	close(sv[0]);
	MUST(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	write(sv[0], "unread", 6);
	write(sv[1], "for 0", 5);
	close(sv[1]);
	show_poll("peer closed with unread data", sv[0]);
	int err;
	socklen_t l = sizeof err;
	SHOW("read", read(sv[0], buf, sizeof buf));
	SHOW("read reset", read(sv[0], buf, sizeof buf));
	SHOW("read again", read(sv[0], buf, sizeof buf));
	SHOW("SO_ERROR", getsockopt(sv[0], SOL_SOCKET, SO_ERROR, &err, &l));
	printf("error %d\n", err);
	close(sv[0]);
	MUST(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	write(sv[0], "unread", 6);
	close(sv[1]);
	SHOW("SO_ERROR after reset", getsockopt(sv[0], SOL_SOCKET, SO_ERROR, &err, &l));
	printf("error %s\n", strerrorname_np(err));
	SHOW("read after SO_ERROR", read(sv[0], buf, sizeof buf));
	close(sv[0]);

	/* Unconnected and listening sockets. */
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	SHOW("shutdown unconnected", shutdown(s, SHUT_RDWR));
	show_poll("unconnected after shutdown", s);
	close(s);
	struct sockaddr_un a;
	socklen_t la = addr(&a, "@unix_shutdown");
	int ls = socket(AF_UNIX, SOCK_STREAM, 0);
	MUST(bind(ls, (struct sockaddr *)&a, la));
	MUST(listen(ls, 1));
	SHOW("shutdown listener", shutdown(ls, SHUT_RD));
	SHOW("connect to it", connect(socket(AF_UNIX, SOCK_STREAM, 0), (struct sockaddr *)&a, la));
	SHOW("accept on it", accept(ls, NULL, NULL));
	close(ls);

	/* Datagrams: shutdown is local. */
	MUST(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
	SHOW("dgram SHUT_WR", shutdown(sv[0], SHUT_WR));
	SHOW("dgram send after", send(sv[0], "x", 1, 0));
	printf("SIGPIPEs %d\n", pipes);
	show_poll("dgram own", sv[0]);
	show_poll("dgram peer", sv[1]);
	SHOW("peer sends", send(sv[1], "y", 1, 0));
	SHOW("dgram SHUT_RD", shutdown(sv[0], SHUT_RD));
	SHOW("peer sends after SHUT_RD", send(sv[1], "y", 1, 0));
	SHOW("queued still readable", recv(sv[0], buf, sizeof buf, 0));
	SHOW("then nonblocking EAGAIN", recv(sv[0], buf, sizeof buf, MSG_DONTWAIT));
	SHOW("then blocking 0", recv(sv[0], buf, sizeof buf, 0));
	show_poll("dgram own after SHUT_RDWR", sv[0]);
	return 0;
}
