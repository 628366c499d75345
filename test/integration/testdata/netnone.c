/* netnone: what a program sees of the network under moat's default
 * --network=none. "connect ADDR PORT" reports a TCP connect; "serve PORT"
 * listens on 127.0.0.1:PORT, says "listening", and reports whether a
 * connection arrives within two seconds. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static struct sockaddr_in addr(const char *ip, const char *port) {
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(atoi(port))};
	if (inet_pton(AF_INET, ip, &a.sin_addr) != 1) {
		fprintf(stderr, "bad address %s\n", ip);
		exit(2);
	}
	return a;
}

int main(int argc, char **argv) {
	if (argc == 4 && strcmp(argv[1], "connect") == 0) {
		struct sockaddr_in a = addr(argv[2], argv[3]);
		int s = socket(AF_INET, SOCK_STREAM, 0);
		int r = connect(s, (struct sockaddr *)&a, sizeof a);
		printf("connect %s:%s: %s\n", argv[2], argv[3], r == 0 ? "ok" : strerror(errno));
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "serve") == 0) {
		struct sockaddr_in a = addr("127.0.0.1", argv[2]);
		int s = socket(AF_INET, SOCK_STREAM, 0);
		int one = 1;
		setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
		if (bind(s, (struct sockaddr *)&a, sizeof a) < 0 || listen(s, 8) < 0) {
			perror("bind/listen");
			return 1;
		}
		printf("listening\n");
		fflush(stdout);
		struct pollfd p = {.fd = s, .events = POLLIN};
		printf("%s\n", poll(&p, 1, 2000) == 1 ? "accepted a connection" : "no connection");
		return 0;
	}
	fprintf(stderr, "usage: netnone connect ADDR PORT | serve PORT\n");
	return 2;
}
