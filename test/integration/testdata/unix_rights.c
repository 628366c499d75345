/* unix_rights: SCM_RIGHTS. Descriptors passed to a forked child share
 * their descriptions (offset, flags); short control buffers truncate
 * (MSG_CTRUNC); MSG_CMSG_CLOEXEC; the SCM_MAX_FD limit; descriptors in
 * unread messages are closed with the socket. */
#include "unixtest.h"

static int send_fds(int s, const int *fds, int n, const char *data, size_t dlen)
{
	char cbuf[CMSG_SPACE(sizeof(int) * 300)];
	struct iovec iov = { (void *)data, dlen };
	struct msghdr m = { 0 };
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	if (n > 0) {
		m.msg_control = cbuf;
		m.msg_controllen = CMSG_SPACE(sizeof(int) * n);
		struct cmsghdr *c = CMSG_FIRSTHDR(&m);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * n);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * n);
	}
	return sendmsg(s, &m, 0);
}

/* recv_fds receives with a control buffer of clen bytes and reports what
 * came; the descriptors go to out. */
static int recv_fds(const char *what, int s, size_t clen, int flags, int *out, int max)
{
	char data[64];
	char cbuf[4096];
	struct iovec iov = { data, sizeof data };
	struct msghdr m = { 0 };
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = clen ? cbuf : NULL;
	m.msg_controllen = clen;
	ssize_t n = recvmsg(s, &m, flags);
	if (n < 0) {
		printf("%s: -1 %s\n", what, strerrorname_np(errno));
		return -1;
	}
	int got = 0;
	printf("%s: %zd data '%.*s' flags%s%s controllen %zu\n", what, n, (int)n, data,
	       m.msg_flags & MSG_CTRUNC ? " CTRUNC" : "", m.msg_flags & MSG_TRUNC ? " TRUNC" : "", (size_t)m.msg_controllen);
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
		int k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		printf("  cmsg level %d type %d len %zu fds %d\n", c->cmsg_level, c->cmsg_type, (size_t)c->cmsg_len, k);
		for (int i = 0; i < k && got < max; i++)
			memcpy(&out[got++], CMSG_DATA(c) + i * sizeof(int), sizeof(int));
	}
	fflush(stdout);
	return got;
}

static int open_count(void)
{
	int n = 0;
	for (int fd = 0; fd < 1024; fd++)
		if (fcntl(fd, F_GETFD) >= 0)
			n++;
	return n;
}

int main(void)
{
	int sv[2];
	MUST(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));

	/* A file whose offset the child moves, and a pipe. */
	char tmpl[] = "/tmp/unix_rights_XXXXXX";
	int file = mkstemp(tmpl);
	MUST(file);
	unlink(tmpl);
	MUST(write(file, "0123456789", 10));
	lseek(file, 2, SEEK_SET);
	int p[2];
	MUST(pipe(p));

	pid_t pid = fork();
	MUST(pid);
	if (pid == 0) {
		close(sv[0]);
		int fds[4];
		int k = recv_fds("child recv", sv[1], 256, 0, fds, 4);
		if (k != 2)
			_exit(1);
		printf("child fds are new %d %d\n", fds[0] != file, fds[1] != p[1]);
		char b[4];
		ssize_t n = read(fds[0], b, 3);
		printf("child read file %zd: %.3s\n", n, b);
		write(fds[1], "via passed pipe", 15);
		printf("child cloexec %d\n", fcntl(fds[0], F_GETFD) & FD_CLOEXEC);
		fflush(stdout);
		write(sv[1], "k", 1);
		_exit(0);
	}
	close(sv[1]);
	int two[2] = { file, p[1] };
	int sent = send_fds(sv[0], two, 2, "F", 1);
	char c;
	ssize_t w = read(sv[0], &c, 1);
	reap("child", pid);
	printf("sent 2 fds: %d, child answered %zd\n", sent, w);
	printf("file offset now %ld\n", (long)lseek(file, 0, SEEK_CUR));
	close(p[1]);
	char b[32];
	ssize_t n = read(p[0], b, sizeof b);
	printf("pipe got %zd: %.*s\n", n, (int)n, b);
	close(p[0]);
	close(sv[0]);

	/* Truncation and MSG_CMSG_CLOEXEC within one process. */
	MUST(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
	int three[3] = { 0, 1, 2 };
	int got[8];
	int before = open_count();
	SHOW("send 3", send_fds(sv[0], three, 3, "x", 1));
	int k = recv_fds("recv room for 1", sv[1], CMSG_SPACE(sizeof(int)), 0, got, 8);
	printf("new fds %d\n", open_count() - before);
	for (int i = 0; i < k; i++)
		close(got[i]);
	SHOW("send 3", send_fds(sv[0], three, 3, "y", 1));
	recv_fds("recv no control", sv[1], 0, 0, got, 8);
	printf("new fds %d\n", open_count() - before);
	SHOW("send 3", send_fds(sv[0], three, 3, "z", 1));
	recv_fds("recv header only", sv[1], sizeof(struct cmsghdr), 0, got, 8);
	SHOW("send 3", send_fds(sv[0], three, 3, "c", 1));
	k = recv_fds("recv cloexec", sv[1], 256, MSG_CMSG_CLOEXEC, got, 8);
	for (int i = 0; i < k; i++) {
		printf("  fd %d cloexec %d\n", i, fcntl(got[i], F_GETFD) & FD_CLOEXEC);
		close(got[i]);
	}
	SHOW("send 3", send_fds(sv[0], three, 3, "p", 1));
	k = recv_fds("peek", sv[1], 256, MSG_PEEK, got, 8);
	for (int i = 0; i < k; i++)
		close(got[i]);
	k = recv_fds("after peek", sv[1], 256, 0, got, 8);
	for (int i = 0; i < k; i++)
		close(got[i]);
	printf("fds back to start %d\n", open_count() == before);

	/* Limits and bad descriptors. */
	int many[254];
	for (int i = 0; i < 254; i++)
		many[i] = 0;
	SHOW("send 253", send_fds(sv[0], many, 253, "m", 1));
	k = recv_fds("recv 253", sv[1], 4096, 0, got, 0);
	printf("new fds %d\n", open_count() - before);
	for (int fd = 3; fd < 1024; fd++)
		if (fd != sv[0] && fd != sv[1] && fd != file && fcntl(fd, F_GETFD) >= 0)
			close(fd);
	SHOW("send 254", send_fds(sv[0], many, 254, "m", 1));
	int bad[1] = { 999 };
	SHOW("send bad fd", send_fds(sv[0], bad, 1, "b", 1));
	int neg[1] = { -1 };
	SHOW("send negative fd", send_fds(sv[0], neg, 1, "b", 1));

	/* A malformed control message. */
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { "q", 1 };
	struct msghdr m = { 0 };
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = cbuf;
	m.msg_controllen = sizeof cbuf;
	struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = sizeof cbuf + 8;
	SHOW("cmsg_len too long", sendmsg(sv[0], &m, 0));
	cm->cmsg_len = 8;
	SHOW("cmsg_len too short", sendmsg(sv[0], &m, 0));
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	cm->cmsg_type = 77;
	SHOW("unknown type", sendmsg(sv[0], &m, 0));
	cm->cmsg_level = 6;
	SHOW("other level ignored", sendmsg(sv[0], &m, 0));
	SHOW("drain", recv(sv[1], b, sizeof b, MSG_DONTWAIT));
	m.msg_controllen = 1 << 20;
	SHOW("control too big", sendmsg(sv[0], &m, 0));

	/* Descriptors in an unread message are closed with the socket: the
	 * pipe's only writer goes and the reader sees end of file. */
	MUST(pipe(p));
	SHOW("send pipe writer", send_fds(sv[0], &p[1], 1, "w", 1));
	close(p[1]);
	struct pollfd pf = { p[0], POLLIN, 0 };
	printf("pipe hup before %d\n", poll(&pf, 1, 0));
	close(sv[1]);
	pf.revents = 0;
	int pr = poll(&pf, 1, 0);
	printf("pipe hup after close %d %s\n", pr, events(pf.revents));
	close(sv[0]);

	/* On a stream, a read stops after the message that carried
	 * descriptors. */
	MUST(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	SHOW("send plain", send(sv[0], "ab", 2, 0));
	SHOW("send with fd", send_fds(sv[0], &three[1], 1, "cd", 2));
	SHOW("send plain", send(sv[0], "ef", 2, 0));
	k = recv_fds("stream recv", sv[1], 256, 0, got, 8);
	for (int i = 0; i < k; i++)
		close(got[i]);
	recv_fds("stream recv rest", sv[1], 256, 0, got, 8);
	SHOW("send fd without data", send_fds(sv[0], &three[1], 1, "", 0));
	SHOW("nothing arrives", recv(sv[1], b, sizeof b, MSG_DONTWAIT));
	return 0;
}
