/*
 * inet_msgflags: the flags of send and recv on TCP: MSG_WAITALL across
 * several sends, MSG_PEEK, MSG_DONTWAIT on a blocking socket, MSG_MORE
 * and TCP_CORK, MSG_TRUNC, MSG_CMSG_CLOEXEC, MSG_OOB with SIOCATMARK,
 * recvmsg with scattered buffers, sendmsg with gathered ones, and
 * sendto's ignored address on a stream.
 */
#include "inet.h"
#include <sys/ioctl.h>

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	int c, s;
	char buf[64];
	connected(AF_INET, &c, &s);

	pid_t pid = fork();
	MUST(pid);
	if (pid == 0) {
		const char *parts[] = {"abc", "defg", "hij"};
		for (int i = 0; i < 3; i++) {
			usleep(30000);
			if (write(c, parts[i], strlen(parts[i])) < 0)
				exit(1);
		}
		exit(0);
	}
	memset(buf, 0, sizeof buf);
	SHOW("recv 10 with MSG_WAITALL", recv(s, buf, 10, MSG_WAITALL));
	printf("  %s\n", buf);
	wait_child("writer", pid);

	MUST(write(c, "peekaboo", 8));
	usleep(20000);
	memset(buf, 0, sizeof buf);
	SHOW("peek 4", recv(s, buf, 4, MSG_PEEK));
	SHOW("peek all, MSG_WAITALL", recv(s, buf, 8, MSG_PEEK | MSG_WAITALL));
	printf("  %s\n", buf);
	SHOW("recv MSG_TRUNC 2 into NULL (discards)", recv(s, NULL, 2, MSG_TRUNC));
	memset(buf, 0, sizeof buf);
	SHOW("recv MSG_TRUNC 2 (discards)", recv(s, buf, 2, MSG_TRUNC));
	printf("  buffer untouched: %d\n", buf[0] == 0);
	memset(buf, 0, sizeof buf);
	SHOW("recv MSG_CMSG_CLOEXEC", recv(s, buf, sizeof buf, MSG_CMSG_CLOEXEC));
	printf("  %s\n", buf);
	SHOW("recv MSG_DONTWAIT, nothing there", recv(s, buf, sizeof buf, MSG_DONTWAIT));

	/* MSG_MORE and TCP_CORK hold data back; the last send flushes. */
	SHOW("send MSG_MORE", send(c, "corked ", 7, MSG_MORE));
	SHOW("send", send(c, "data", 4, 0));
	usleep(20000);
	SHOW("recv", recv(s, buf, sizeof buf, 0));
	int one = 1, zero = 0;
	MUST(setsockopt(c, IPPROTO_TCP, TCP_CORK, &one, sizeof one));
	SHOW("send while corked", send(c, "abc", 3, 0));
	MUST(setsockopt(c, IPPROTO_TCP, TCP_CORK, &zero, sizeof zero));
	usleep(20000);
	SHOW("recv after uncorking", recv(s, buf, sizeof buf, MSG_DONTWAIT));

	/* Gather and scatter. */
	struct iovec out[3] = {{"one ", 4}, {"two ", 4}, {"three", 5}};
	struct msghdr m = {.msg_iov = out, .msg_iovlen = 3};
	SHOW("sendmsg 3 iovecs", sendmsg(c, &m, 0));
	char a[5] = {0}, b[20] = {0};
	struct iovec in[2] = {{a, 4}, {b, sizeof b - 1}};
	m = (struct msghdr){.msg_iov = in, .msg_iovlen = 2};
	SHOW("recvmsg 2 iovecs, MSG_WAITALL", recvmsg(s, &m, MSG_WAITALL | MSG_DONTWAIT));
	printf("  [%s] [%s] flags %#x namelen %d controllen %d\n", a, b, m.msg_flags, (int)m.msg_namelen, (int)m.msg_controllen);
	struct sockaddr_in nowhere = {.sin_family = AF_INET, .sin_port = htons(9), .sin_addr.s_addr = htonl(0x7f000002)};
	SHOW("sendto with an address on a stream", sendto(c, "x", 1, 0, (struct sockaddr *)&nowhere, sizeof nowhere));
	SHOW("recvfrom", recvfrom(s, buf, sizeof buf, 0, (struct sockaddr *)&nowhere, &(socklen_t){sizeof nowhere}));

	/* Urgent data. */
	SHOW("send MSG_OOB", send(c, "xy!", 3, MSG_OOB));
	usleep(20000);
	int mark = -1;
	SHOW("SIOCATMARK", ioctl(s, SIOCATMARK, &mark));
	printf("  %d\n", mark);
	SHOW("recv normal data", recv(s, buf, sizeof buf, 0));
	MUST(ioctl(s, SIOCATMARK, &mark));
	printf("  at mark %d\n", mark);
	SHOW("recv MSG_OOB", recv(s, buf, 1, MSG_OOB));
	printf("  %c\n", buf[0]);
	SHOW("recv MSG_OOB again", recv(s, buf, 1, MSG_OOB));

	/* Bad buffers. */
	SHOW("send from a bad pointer", send(c, (void *)8, 10, 0));
	SHOW("send 0 bytes", send(c, "", 0, 0));
	MUST(write(c, "z", 1));
	usleep(20000);
	SHOW("recv into a bad pointer", recv(s, (void *)8, 10, 0));
	return 0;
}
