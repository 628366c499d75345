/*
 * inet_udp: datagrams over loopback: sendto and recvfrom with source
 * addresses, MSG_TRUNC and MSG_PEEK, msg_flags, FIONREAD, zero-length
 * datagrams, sendmmsg and recvmmsg, IP_RECVTOS with an IP_TOS control
 * message, MSG_CTRUNC, and the errors of bad addresses.
 */
#include "inet.h"
#include <sys/ioctl.h>

static void run(int family)
{
	printf("== %s\n", family == AF_INET ? "AF_INET" : "AF_INET6");
	struct sockaddr_storage a, from;
	socklen_t len, fl;
	int r = listener(family, SOCK_DGRAM, &a, &len);
	int w = socket(family, SOCK_DGRAM, 0);
	MUST(w);
	char buf[64];

	SHOW("sendto", sendto(w, "0123456789", 10, 0, (struct sockaddr *)&a, len));
	int avail = -1;
	MUST(ioctl(r, FIONREAD, &avail));
	printf("FIONREAD %d\n", avail);
	SHOW("peek 4", recv(r, buf, 4, MSG_PEEK));
	fl = sizeof from;
	SHOW("recvfrom 4 with MSG_TRUNC", recvfrom(r, buf, 4, MSG_TRUNC, (struct sockaddr *)&from, &fl));
	printf("got %.4s, from length %d, family ok %d, port > 0 %d\n", buf, (int)fl, from.ss_family == family, port_of(&from) > 0);
	SHOW("recv MSG_DONTWAIT on empty", recv(r, buf, sizeof buf, MSG_DONTWAIT));

	/* recvmsg reports the truncation in msg_flags. */
	SHOW("sendto", sendto(w, "abcdefgh", 8, 0, (struct sockaddr *)&a, len));
	struct iovec iov = {buf, 3};
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
	SHOW("recvmsg 3", recvmsg(r, &m, 0));
	printf("msg_flags %#x, namelen %d\n", m.msg_flags, (int)m.msg_namelen);

	/* Zero-length datagrams exist. */
	SHOW("sendto 0 bytes", sendto(w, "", 0, 0, (struct sockaddr *)&a, len));
	SHOW("recv it", recv(r, buf, sizeof buf, 0));

	/* sendmmsg / recvmmsg. */
	struct mmsghdr ms[3];
	struct iovec iovs[3];
	char data[3][8] = {"one", "two!", "three"};
	for (int i = 0; i < 3; i++) {
		iovs[i] = (struct iovec){data[i], strlen(data[i])};
		ms[i] = (struct mmsghdr){.msg_hdr = {.msg_name = &a, .msg_namelen = len, .msg_iov = &iovs[i], .msg_iovlen = 1}};
	}
	SHOW("sendmmsg", sendmmsg(w, ms, 3, 0));
	printf("lengths %u %u %u\n", ms[0].msg_len, ms[1].msg_len, ms[2].msg_len);
	char rb[3][16];
	for (int i = 0; i < 3; i++) {
		iovs[i] = (struct iovec){rb[i], sizeof rb[i]};
		ms[i] = (struct mmsghdr){.msg_hdr = {.msg_iov = &iovs[i], .msg_iovlen = 1}};
	}
	SHOW("recvmmsg", recvmmsg(r, ms, 3, MSG_DONTWAIT, NULL));
	for (int i = 0; i < 3; i++)
		printf("  %.*s\n", ms[i].msg_len, rb[i]);

	/* A type of service, sent and received as control messages. */
	int one = 1;
	if (family == AF_INET) {
		MUST(setsockopt(r, IPPROTO_IP, IP_RECVTOS, &one, sizeof one));
		char cbuf[CMSG_SPACE(sizeof(int))] = {0};
		struct msghdr sm = {.msg_name = &a, .msg_namelen = len, .msg_iov = &iov, .msg_iovlen = 1,
				    .msg_control = cbuf, .msg_controllen = sizeof cbuf};
		struct cmsghdr *cm = CMSG_FIRSTHDR(&sm);
		cm->cmsg_level = IPPROTO_IP;
		cm->cmsg_type = IP_TOS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		*(int *)CMSG_DATA(cm) = 0x20;
		iov = (struct iovec){"tos", 3};
		SHOW("sendmsg with IP_TOS", sendmsg(w, &sm, 0));
		cm->cmsg_len = CMSG_LEN(2);
		SHOW("sendmsg with a 2-byte IP_TOS", sendmsg(w, &sm, 0));
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		*(int *)CMSG_DATA(cm) = 0;
		SHOW("sendmsg with SCM_RIGHTS (ignored)", sendmsg(w, &sm, 0));
		cm->cmsg_len = 200;
		SHOW("sendmsg with a bad cmsg_len", sendmsg(w, &sm, 0));

		char rc[64];
		iov = (struct iovec){buf, sizeof buf};
		struct msghdr rm = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = rc, .msg_controllen = sizeof rc};
		SHOW("recvmsg", recvmsg(r, &rm, 0));
		printf("controllen %d, flags %#x\n", (int)rm.msg_controllen, rm.msg_flags);
		for (cm = CMSG_FIRSTHDR(&rm); cm; cm = CMSG_NXTHDR(&rm, cm))
			printf("  cmsg level %d type %d len %d value %#x\n", cm->cmsg_level, cm->cmsg_type, (int)cm->cmsg_len, *(unsigned char *)CMSG_DATA(cm));
		rm = (struct msghdr){.msg_iov = &iov, .msg_iovlen = 1, .msg_control = rc, .msg_controllen = 8};
		SHOW("recvmsg with 8 bytes of control room", recvmsg(r, &rm, 0));
		printf("controllen %d, flags %#x\n", (int)rm.msg_controllen, rm.msg_flags);
		rm = (struct msghdr){.msg_iov = &iov, .msg_iovlen = 1, .msg_control = rc, .msg_controllen = CMSG_LEN(0)};
		SHOW("sendto", sendto(w, "x", 1, 0, (struct sockaddr *)&a, len));
		SHOW("recvmsg with room for a header only", recvmsg(r, &rm, 0));
		printf("controllen %d, flags %#x\n", (int)rm.msg_controllen, rm.msg_flags);
	}

	/* Bad destinations. */
	SHOW("sendto a short address", sendto(w, "x", 1, 0, (struct sockaddr *)&a, 4));
	struct sockaddr_storage u = a;
	u.ss_family = AF_UNIX;
	SHOW("sendto an AF_UNIX address", sendto(w, "x", 1, 0, (struct sockaddr *)&u, len));
	SHOW("send without a destination", send(w, "x", 1, 0));
	SHOW("recv MSG_ERRQUEUE", recv(w, buf, sizeof buf, MSG_ERRQUEUE | MSG_DONTWAIT));
	SHOW("sendto MSG_OOB", sendto(w, "x", 1, MSG_OOB, (struct sockaddr *)&a, len));
	SHOW("socketpair", socketpair(family, SOCK_DGRAM, 0, (int[2]){0, 0}));
	close(r);
	close(w);
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	run(AF_INET);
	run(AF_INET6);
	SHOW("socket SOCK_SEQPACKET", socket(AF_INET, SOCK_SEQPACKET, 0));
	SHOW("socket TCP with IPPROTO_UDP", socket(AF_INET, SOCK_STREAM, IPPROTO_UDP));
	SHOW("socket protocol 1000", socket(AF_INET, SOCK_STREAM, 1000));
	return 0;
}
