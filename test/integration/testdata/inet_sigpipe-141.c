/*
 * inet_sigpipe: writing to a TCP socket shut down for writing raises
 * SIGPIPE, which kills the program (status 141); MSG_NOSIGNAL first
 * shows the error without it.
 */
#include "inet.h"

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	int c, s;
	connected(AF_INET, &c, &s);
	MUST(shutdown(c, SHUT_WR));
	SHOW("send MSG_NOSIGNAL", send(c, "x", 1, MSG_NOSIGNAL));
	printf("now write\n");
	write(c, "x", 1);
	printf("not reached\n");
	return 0;
}
