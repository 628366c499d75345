/* unix_stream: a SOCK_STREAM server on a path in /tmp and a forked
 * client: bind, listen, connect, accept, names and their lengths, data
 * both ways, end of file. */
#include "unixtest.h"

#define PATH "/tmp/unix_stream.sock"

int main(void)
{
	struct sockaddr_un a, got;
	socklen_t len = addr(&a, PATH);
	socklen_t gl;
	char buf[64];

	unlink(PATH);
	int ls = socket(AF_UNIX, SOCK_STREAM, 0);
	MUST(ls);
	SHOW("listen unbound", listen(ls, 4));
	SHOW("bind", bind(ls, (struct sockaddr *)&a, len));
	SHOW("bind again", bind(ls, (struct sockaddr *)&a, len));
	gl = sizeof got;
	SHOW("getsockname", getsockname(ls, (struct sockaddr *)&got, &gl));
	printf("name len %d path %s\n", gl, got.sun_path);
	gl = 4;
	memset(&got, 0, sizeof got);
	SHOW("getsockname short", getsockname(ls, (struct sockaddr *)&got, &gl));
	printf("len %d family %d path byte %d\n", gl, got.sun_family, got.sun_path[0]);
	SHOW("getpeername unconnected", getpeername(ls, (struct sockaddr *)&got, &gl));
	SHOW("listen", listen(ls, 4));
	SHOW("listen again", listen(ls, 8));
	int v;
	socklen_t vl = sizeof v;
	SHOW("SO_ACCEPTCONN", getsockopt(ls, SOL_SOCKET, SO_ACCEPTCONN, &v, &vl));
	printf("acceptconn %d\n", v);
	show_poll("poll listener idle", ls);

	struct stat st;
	SHOW("stat path", stat(PATH, &st));
	printf("path is socket %d\n", S_ISSOCK(st.st_mode));
	SHOW("open path", open(PATH, O_RDONLY));

	pid_t pid = fork();
	MUST(pid);
	if (pid == 0) {
		int c = socket(AF_UNIX, SOCK_STREAM, 0);
		if (connect(c, (struct sockaddr *)&a, len) < 0) {
			printf("child connect: %s\n", strerrorname_np(errno));
			_exit(1);
		}
		struct sockaddr_un p;
		socklen_t pl = sizeof p, ol;
		getpeername(c, (struct sockaddr *)&p, &pl);
		struct sockaddr_un o;
		ol = sizeof o;
		getsockname(c, (struct sockaddr *)&o, &ol);
		write(c, "hello from child", 16);
		char b[64];
		ssize_t n = read(c, b, sizeof b);
		/* Print only now: the server waits for our close. */
		printf("child peer len %d path %s\n", pl, p.sun_path);
		printf("child own name len %d\n", ol);
		printf("child read %zd: %.*s\n", n, (int)n, b);
		fflush(stdout);
		close(c);
		_exit(0);
	}
	struct sockaddr_un peer;
	socklen_t pl = sizeof peer;
	memset(&peer, 0x55, sizeof peer);
	int s = accept(ls, (struct sockaddr *)&peer, &pl);
	SHOW("accept", s >= 0 ? 0 : -1);
	printf("accepted peer len %d family %d\n", pl, peer.sun_family);
	gl = sizeof got;
	getsockname(s, (struct sockaddr *)&got, &gl);
	printf("accepted name len %d path %s\n", gl, got.sun_path);
	ssize_t n = read(s, buf, sizeof buf);
	printf("server read %zd: %.*s\n", n, (int)n, buf);
	fflush(stdout);
	ssize_t w = write(s, "reply", 5);
	ssize_t eof = read(s, buf, sizeof buf); /* the child prints, then closes */
	printf("server wrote %zd, then read %zd\n", w, eof);
	reap("child", pid);
	show_poll("poll after peer closed", s);
	SHOW("send to closed", send(s, "x", 1, MSG_NOSIGNAL));
	close(s);

	/* A client connected, never accepted, when the listener closes. */
	int c2 = socket(AF_UNIX, SOCK_STREAM, 0);
	SHOW("connect pending", connect(c2, (struct sockaddr *)&a, len));
	SHOW("send before accept", send(c2, "early", 5, 0));
	show_poll("poll listener pending", ls);
	close(ls);
	show_poll("poll client after listener closed", c2);
	SHOW("recv after listener closed", recv(c2, buf, sizeof buf, 0));
	SHOW("recv again", recv(c2, buf, sizeof buf, 0));
	close(c2);

	/* Nobody listens at the path any more. */
	int c3 = socket(AF_UNIX, SOCK_STREAM, 0);
	SHOW("connect closed listener", connect(c3, (struct sockaddr *)&a, len));
	SHOW("bind taken path", bind(c3, (struct sockaddr *)&a, len));
	SHOW("unlink", unlink(PATH));
	SHOW("bind freed path", bind(c3, (struct sockaddr *)&a, len));
	SHOW("connect self unlistened", connect(socket(AF_UNIX, SOCK_STREAM, 0), (struct sockaddr *)&a, len));
	unlink(PATH);
	return 0;
}
