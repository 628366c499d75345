/*
 * pipe_packet: O_DIRECT pipes (packet mode): each write is a packet (a
 * page at most), each read takes one packet, and a short read drops the
 * rest of its packet. F_SETFL turns the mode on and off.
 */
#include "pipetest.h"

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	int p[2];
	char buf[8192];
	MUST(pipe2(p, O_DIRECT | O_NONBLOCK));
	SHOW("F_GETFL", fcntl(p[1], F_GETFL));
	SHOW("write one", write(p[1], "one", 3));
	SHOW("write two", write(p[1], "two", 3));
	SHOW("write three", write(p[1], "three", 5));
	memset(buf, 'p', 5000);
	SHOW("write 5000", write(p[1], buf, 5000));
	for (int i = 0; i < 6; i++) {
		memset(buf, 0, sizeof buf);
		errno = 0;
		long n = read(p[0], buf, sizeof buf);
		printf("read %d: %ld %s %.5s\n", i, n, n < 0 ? strerrorname_np(errno) : "", buf);
	}
	SHOW("write abcdef", write(p[1], "abcdef", 6));
	SHOW("write gh", write(p[1], "gh", 2));
	SHOW("read 2 of abcdef", read(p[0], buf, 2));
	SHOW("next read", read(p[0], buf, sizeof buf));
	printf("got %.2s\n", buf);

	/* The reader's mode does not matter: packets are made by writes. */
	SHOW("read end F_SETFL 0", fcntl(p[0], F_SETFL, O_NONBLOCK));
	SHOW("write x", write(p[1], "x", 1));
	SHOW("write y", write(p[1], "y", 1));
	SHOW("read", read(p[0], buf, sizeof buf));
	SHOW("read", read(p[0], buf, sizeof buf));

	/* Stream writes after packet mode is turned off merge again. */
	SHOW("write end F_SETFL O_NONBLOCK", fcntl(p[1], F_SETFL, O_NONBLOCK));
	SHOW("F_GETFL", fcntl(p[1], F_GETFL));
	SHOW("write x", write(p[1], "x", 1));
	SHOW("write y", write(p[1], "y", 1));
	SHOW("read", read(p[0], buf, sizeof buf));
	SHOW("write end F_SETFL O_DIRECT", fcntl(p[1], F_SETFL, O_NONBLOCK | O_DIRECT));
	SHOW("F_GETFL", fcntl(p[1], F_GETFL));
	SHOW("write x", write(p[1], "x", 1));
	SHOW("write y", write(p[1], "y", 1));
	SHOW("read", read(p[0], buf, sizeof buf));
	SHOW("read", read(p[0], buf, sizeof buf));
	/* A packet following stream data is not merged into it. */
	SHOW("F_SETFL stream", fcntl(p[1], F_SETFL, O_NONBLOCK));
	SHOW("write abc", write(p[1], "abc", 3));
	SHOW("F_SETFL packet", fcntl(p[1], F_SETFL, O_NONBLOCK | O_DIRECT));
	SHOW("write de", write(p[1], "de", 2));
	SHOW("read", read(p[0], buf, sizeof buf));
	SHOW("read", read(p[0], buf, sizeof buf));
	return 0;
}
