/* unix_creds: SO_PEERCRED (socketpair, connect/accept, listen) and
 * SCM_CREDENTIALS with SO_PASSCRED, on streams and datagrams. */
#include "unixtest.h"

static void peercred(const char *what, int fd, pid_t pid)
{
	struct ucred u;
	socklen_t l = sizeof u;
	memset(&u, 0x55, sizeof u);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &u, &l) < 0) {
		printf("%s: -1 %s\n", what, strerrorname_np(errno));
		return;
	}
	printf("%s: len %d pid ok %d uid ok %d gid ok %d\n", what, l, u.pid == pid, u.uid == geteuid(), u.gid == getegid());
}

/* recv_creds receives one message and reports its SCM_CREDENTIALS. */
static void recv_creds(const char *what, int s, pid_t pid, size_t clen)
{
	char data[64];
	char cbuf[256];
	struct iovec iov = { data, sizeof data };
	struct msghdr m = { 0 };
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = cbuf;
	m.msg_controllen = clen;
	ssize_t n = recvmsg(s, &m, 0);
	if (n < 0) {
		printf("%s: -1 %s\n", what, strerrorname_np(errno));
		return;
	}
	printf("%s: %zd '%.*s'%s controllen %zu\n", what, n, (int)n, data, m.msg_flags & MSG_CTRUNC ? " CTRUNC" : "", (size_t)m.msg_controllen);
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS && c->cmsg_len == CMSG_LEN(sizeof(struct ucred))) {
			struct ucred u;
			memcpy(&u, CMSG_DATA(c), sizeof u);
			printf("  creds pid ok %d uid ok %d gid ok %d\n", u.pid == pid, u.uid == getuid(), u.gid == getgid());
		} else {
			printf("  cmsg level %d type %d len %zu\n", c->cmsg_level, c->cmsg_type, (size_t)c->cmsg_len);
		}
	}
	fflush(stdout);
}

static int send_creds(int s, pid_t pid, uid_t uid, gid_t gid, const char *data)
{
	char cbuf[CMSG_SPACE(sizeof(struct ucred))];
	struct iovec iov = { (void *)data, strlen(data) };
	struct msghdr m = { 0 };
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = cbuf;
	m.msg_controllen = sizeof cbuf;
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_CREDENTIALS;
	c->cmsg_len = CMSG_LEN(sizeof(struct ucred));
	struct ucred u = { pid, uid, gid };
	memcpy(CMSG_DATA(c), &u, sizeof u);
	return sendmsg(s, &m, 0);
}

int main(void)
{
	pid_t me = getpid();
	int sv[2];
	MUST(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	peercred("socketpair peercred", sv[0], me);
	struct ucred u;
	socklen_t l = 6;
	SHOW("peercred short", getsockopt(sv[0], SOL_SOCKET, SO_PEERCRED, &u, &l));
	printf("len %d\n", l);
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	l = sizeof u;
	getsockopt(s, SOL_SOCKET, SO_PEERCRED, &u, &l);
	printf("unconnected peercred pid %d uid %d gid %d\n", u.pid, (int)u.uid, (int)u.gid);

	/* SO_PASSCRED on a stream. */
	int one = 1, v;
	l = sizeof v;
	getsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &v, &l);
	printf("passcred default %d\n", v);
	send(sv[0], "before", 6, 0);
	recv_creds("no passcred", sv[1], me, 256);
	SHOW("set SO_PASSCRED", setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &one, sizeof one));
	l = sizeof v;
	getsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &v, &l);
	printf("passcred now %d\n", v);
	send(sv[0], "after", 5, 0);
	recv_creds("passcred", sv[1], me, 256);
	send(sv[0], "short", 5, 0);
	recv_creds("passcred short control", sv[1], me, 20);
	send(sv[0], "none", 4, 0);
	recv_creds("passcred no room", sv[1], me, 0);
	SHOW("explicit creds", send_creds(sv[0], me, getuid(), getgid(), "explicit"));
	recv_creds("explicit", sv[1], me, 256);
	SHOW("creds bad uid -1", send_creds(sv[0], me, -1, getgid(), "bad"));

	/* A forked child's writes are not joined with ours. */
	pid_t pid = fork();
	MUST(pid);
	if (pid == 0) {
		send(sv[0], "child", 5, 0);
		_exit(0);
	}
	reap("child", pid);
	send(sv[0], "parent", 6, 0);
	recv_creds("from child", sv[1], pid, 256);
	recv_creds("from parent", sv[1], me, 256);
	close(sv[0]);
	close(sv[1]);

	/* Datagrams. */
	MUST(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
	setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &one, sizeof one);
	send(sv[0], "dgram", 5, 0);
	recv_creds("dgram passcred", sv[1], me, 256);
	close(sv[0]);
	close(sv[1]);

	/* connect/accept: the client's peer is the listener's creator, the
	 * server's peer the client. */
	const char *path = "@unix_creds";
	struct sockaddr_un a;
	socklen_t len = addr(&a, path);
	int ls = socket(AF_UNIX, SOCK_STREAM, 0);
	MUST(bind(ls, (struct sockaddr *)&a, len));
	peercred("listener before listen", ls, 0);
	MUST(listen(ls, 5));
	peercred("listener after listen", ls, me);
	int sync[2];
	MUST(pipe(sync));
	pid = fork();
	MUST(pid);
	if (pid == 0) {
		int c = socket(AF_UNIX, SOCK_STREAM, 0);
		if (connect(c, (struct sockaddr *)&a, len) < 0)
			_exit(1);
		struct ucred pu;
		socklen_t pl = sizeof pu;
		getsockopt(c, SOL_SOCKET, SO_PEERCRED, &pu, &pl);
		char r = pu.pid == me ? 'y' : 'n';
		write(sync[1], &r, 1);
		char b;
		read(c, &b, 1);
		_exit(0);
	}
	int as = accept(ls, NULL, NULL);
	MUST(as);
	char r;
	read(sync[0], &r, 1);
	printf("client's peer is the listener's creator: %c\n", r);
	peercred("accepted peercred", as, pid);
	close(as);
	reap("client", pid);
	return 0;
}
