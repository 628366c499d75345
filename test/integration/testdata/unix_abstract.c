/* unix_abstract: abstract names (sun_path[0] == 0) and autobind. */
#include "unixtest.h"
#include <ctype.h>

static void name_of(const char *what, int fd)
{
	struct sockaddr_un a;
	socklen_t l = sizeof a;
	memset(&a, 0x55, sizeof a);
	if (getsockname(fd, (struct sockaddr *)&a, &l) < 0) {
		printf("%s: -1 %s\n", what, strerrorname_np(errno));
		return;
	}
	int plen = l - offsetof(struct sockaddr_un, sun_path);
	printf("%s: len %d", what, l);
	if (plen > 0 && a.sun_path[0] == 0) {
		printf(" abstract '");
		for (int i = 1; i < plen; i++)
			putchar(isprint((unsigned char)a.sun_path[i]) ? a.sun_path[i] : '.');
		printf("'");
	}
	printf("\n");
}

/* autobound checks an autobind name's shape: NUL and five hex digits. */
static void autobound(const char *what, int fd)
{
	struct sockaddr_un a;
	socklen_t l = sizeof a;
	getsockname(fd, (struct sockaddr *)&a, &l);
	int ok = l == offsetof(struct sockaddr_un, sun_path) + 6 && a.sun_path[0] == 0;
	for (int i = 1; i < 6 && ok; i++)
		ok = isxdigit((unsigned char)a.sun_path[i]) && !isupper((unsigned char)a.sun_path[i]);
	printf("%s: len %d five hex digits %d\n", what, l, ok);
}

int main(void)
{
	struct sockaddr_un a, b;
	socklen_t la = addr(&a, "@unix_abstract.test");
	int s1 = socket(AF_UNIX, SOCK_STREAM, 0);
	name_of("unbound", s1);
	SHOW("bind abstract", bind(s1, (struct sockaddr *)&a, la));
	name_of("bound", s1);
	int s2 = socket(AF_UNIX, SOCK_STREAM, 0);
	SHOW("bind same name", bind(s2, (struct sockaddr *)&a, la));
	/* The namespace is per type. */
	int d1 = socket(AF_UNIX, SOCK_DGRAM, 0);
	SHOW("dgram binds the stream's name", bind(d1, (struct sockaddr *)&a, la));
	/* The length is part of the name: a trailing NUL makes another. */
	SHOW("bind with trailing NUL", bind(s2, (struct sockaddr *)&a, la + 1));
	name_of("with NUL", s2);
	close(s2);
	s2 = socket(AF_UNIX, SOCK_STREAM, 0);
	/* Only the NUL. */
	socklen_t lz = addr(&b, "@");
	SHOW("bind empty abstract name", bind(s2, (struct sockaddr *)&b, lz));
	name_of("empty name", s2);
	close(s2);
	s2 = socket(AF_UNIX, SOCK_STREAM, 0);

	SHOW("listen", listen(s1, 5));
	int c = socket(AF_UNIX, SOCK_STREAM, 0);
	SHOW("connect", connect(c, (struct sockaddr *)&a, la));
	SHOW("connect again", connect(c, (struct sockaddr *)&a, la));
	struct sockaddr_un p;
	socklen_t pl = sizeof p;
	getpeername(c, (struct sockaddr *)&p, &pl);
	printf("peer len %d\n", pl);
	int as = accept(s1, NULL, NULL);
	SHOW("write", write(c, "abs", 3));
	char buf[16];
	SHOW("read", read(as, buf, sizeof buf));
	name_of("accepted", as);
	int c2 = socket(AF_UNIX, SOCK_STREAM, 0);
	socklen_t ln = addr(&b, "@unix_abstract.none");
	SHOW("connect unbound name", connect(c2, (struct sockaddr *)&b, ln));
	SHOW("connect short name", connect(c2, (struct sockaddr *)&a, la - 1));
	SHOW("dgram connect to stream name", connect(socket(AF_UNIX, SOCK_DGRAM, 0), (struct sockaddr *)&b, ln));
	/* Closing frees the name. */
	close(as);
	close(c);
	close(s1);
	SHOW("rebind after close", bind(s2, (struct sockaddr *)&a, la));
	close(s2);

	/* Autobind: bind with only the family. */
	int s3 = socket(AF_UNIX, SOCK_DGRAM, 0);
	SHOW("autobind", bind(s3, (struct sockaddr *)&a, sizeof(sa_family_t)));
	autobound("autobound", s3);
	SHOW("autobind again", bind(s3, (struct sockaddr *)&a, sizeof(sa_family_t)));
	SHOW("bind after autobind", bind(s3, (struct sockaddr *)&a, la));
	int s4 = socket(AF_UNIX, SOCK_DGRAM, 0);
	SHOW("autobind another", bind(s4, (struct sockaddr *)&a, sizeof(sa_family_t)));
	struct sockaddr_un n3, n4;
	socklen_t l3 = sizeof n3, l4 = sizeof n4;
	getsockname(s3, (struct sockaddr *)&n3, &l3);
	getsockname(s4, (struct sockaddr *)&n4, &l4);
	printf("names differ %d\n", memcmp(&n3, &n4, l3) != 0);
	SHOW("sendto autobound", sendto(s4, "hi", 2, 0, (struct sockaddr *)&n3, l3));
	struct sockaddr_un from;
	socklen_t fl = sizeof from;
	SHOW("recvfrom", recvfrom(s3, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl));
	printf("from is the sender %d\n", fl == l4 && memcmp(&from, &n4, l4) == 0);

	/* SO_PASSCRED autobinds a datagram sender. */
	int s5 = socket(AF_UNIX, SOCK_DGRAM, 0);
	int one = 1;
	setsockopt(s5, SOL_SOCKET, SO_PASSCRED, &one, sizeof one);
	name_of("passcred before send", s5);
	SHOW("sendto with passcred", sendto(s5, "pc", 2, 0, (struct sockaddr *)&n3, l3));
	autobound("passcred after send", s5);
	fl = sizeof from;
	SHOW("recvfrom", recvfrom(s3, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl));
	printf("from len %d\n", fl);
	int s6 = socket(AF_UNIX, SOCK_DGRAM, 0);
	SHOW("sendto unbound sender", sendto(s6, "ub", 2, 0, (struct sockaddr *)&n3, l3));
	fl = sizeof from;
	SHOW("recvfrom", recvfrom(s3, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl));
	printf("from len %d\n", fl);
	return 0;
}
