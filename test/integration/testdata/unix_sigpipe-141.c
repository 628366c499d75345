/* unix_sigpipe: writing to a stream whose peer is gone raises SIGPIPE,
 * which by default kills (status 141); MSG_NOSIGNAL and datagrams do
 * not. */
#include "unixtest.h"

int main(void)
{
	int sv[2];
	MUST(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
	shutdown(sv[0], SHUT_WR);
	SHOW("dgram after SHUT_WR", send(sv[0], "x", 1, 0));
	close(sv[0]);
	close(sv[1]);
	MUST(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv));
	close(sv[1]);
	SHOW("seqpacket to closed peer", send(sv[0], "x", 1, 0));
	close(sv[0]);
	MUST(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	close(sv[1]);
	SHOW("stream MSG_NOSIGNAL", send(sv[0], "x", 1, MSG_NOSIGNAL));
	printf("now the write that kills\n");
	fflush(stdout);
	write(sv[0], "x", 1);
	printf("not reached\n");
	return 0;
}
