/* unix_mmsg: sendmmsg and recvmmsg on datagrams, sendmsg and recvmsg
 * argument checks. */
#include "unixtest.h"

int main(void)
{
	int sv[2];
	MUST(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
	char *words[4] = { "alpha", "be", "gamma!", "d" };
	struct mmsghdr mm[4];
	struct iovec iov[4];
	memset(mm, 0, sizeof mm);
	for (int i = 0; i < 4; i++) {
		iov[i].iov_base = words[i];
		iov[i].iov_len = strlen(words[i]);
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	SHOW("sendmmsg 4", sendmmsg(sv[0], mm, 4, 0));
	for (int i = 0; i < 4; i++)
		printf("  msg_len[%d] %u\n", i, mm[i].msg_len);
	SHOW("sendmmsg 0", sendmmsg(sv[0], mm, 0, 0));

	char bufs[4][8];
	struct mmsghdr rm[4];
	struct iovec riov[4];
	memset(rm, 0, sizeof rm);
	for (int i = 0; i < 4; i++) {
		riov[i].iov_base = bufs[i];
		riov[i].iov_len = 5;
		rm[i].msg_hdr.msg_iov = &riov[i];
		rm[i].msg_hdr.msg_iovlen = 1;
	}
	SHOW("recvmmsg 3", recvmmsg(sv[1], rm, 3, 0, NULL));
	for (int i = 0; i < 3; i++)
		printf("  [%d] len %u flags TRUNC %d '%.*s'\n", i, rm[i].msg_len, (rm[i].msg_hdr.msg_flags & MSG_TRUNC) != 0, (int)(rm[i].msg_len < 5 ? rm[i].msg_len : 5), bufs[i]);
	SHOW("recvmmsg WAITFORONE", recvmmsg(sv[1], rm, 4, MSG_WAITFORONE, NULL));
	SHOW("recvmmsg DONTWAIT empty", recvmmsg(sv[1], rm, 4, MSG_DONTWAIT, NULL));
	struct timespec ts = { 0, 0 };
	send(sv[0], "t1", 2, 0);
	send(sv[0], "t2", 2, 0);
	SHOW("recvmmsg zero timeout", recvmmsg(sv[1], rm, 4, 0, &ts));
	ts.tv_nsec = 2000000000;
	SHOW("recvmmsg bad timeout", recvmmsg(sv[1], rm, 4, 0, &ts));

	/* sendmmsg stops at the first failure after a success. */
	iov[1].iov_base = (void *)8;
	SHOW("sendmmsg bad second", sendmmsg(sv[0], mm, 4, 0));
	SHOW("sendmmsg bad first", sendmmsg(sv[0], &mm[1], 3, 0));
	while (recv(sv[1], bufs[0], 8, MSG_DONTWAIT) >= 0)
		;

	/* msghdr checks. */
	struct msghdr m = { 0 };
	struct iovec one = { "x", 1 };
	m.msg_iov = &one;
	m.msg_iovlen = 1025;
	SHOW("sendmsg iovlen 1025", sendmsg(sv[0], &m, 0));
	SHOW("recvmsg iovlen 1025", recvmsg(sv[1], &m, 0));
	m.msg_iovlen = 1;
	SHOW("sendmsg NULL msghdr", sendmsg(sv[0], NULL, 0));
	m.msg_control = (void *)8;
	m.msg_controllen = 16;
	SHOW("sendmsg bad control", sendmsg(sv[0], &m, 0));
	m.msg_control = NULL;
	m.msg_controllen = 0;
	struct sockaddr_un to;
	m.msg_name = &to;
	m.msg_namelen = addr(&to, "@unix_mmsg.nobody");
	SHOW("sendmsg to nobody", sendmsg(sv[0], &m, 0));
	m.msg_name = NULL;
	m.msg_namelen = 0;
	struct iovec two[2] = { { "ab", 2 }, { "cde", 3 } };
	m.msg_iov = two;
	m.msg_iovlen = 2;
	SHOW("sendmsg 2 iovecs", sendmsg(sv[0], &m, 0));
	char r1[1], r2[10];
	struct iovec rtwo[2] = { { r1, 1 }, { r2, 10 } };
	struct msghdr rmh = { 0 };
	rmh.msg_iov = rtwo;
	rmh.msg_iovlen = 2;
	struct sockaddr_un from;
	rmh.msg_name = &from;
	rmh.msg_namelen = sizeof from;
	rmh.msg_flags = 12345;
	SHOW("recvmsg 2 iovecs", recvmsg(sv[1], &rmh, 0));
	printf("  '%.1s' '%.4s' namelen %d flags %d\n", r1, r2, rmh.msg_namelen, rmh.msg_flags);
	SHOW("MSG_CMSG_COMPAT", recvmsg(sv[1], &rmh, 0x80000000));
	return 0;
}
