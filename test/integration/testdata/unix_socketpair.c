/* unix_socketpair: pairs of each type, read/write/readv/writev, fstat,
 * /proc/self/fd names and the identity options. */
#include "unixtest.h"
#include <sys/uio.h>

static void types(const char *what, int fd)
{
	int v[3];
	socklen_t l;
	l = sizeof v[0]; getsockopt(fd, SOL_SOCKET, SO_TYPE, &v[0], &l);
	l = sizeof v[1]; getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &v[1], &l);
	l = sizeof v[2]; getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &v[2], &l);
	printf("%s: type %d domain %d protocol %d\n", what, v[0], v[1], v[2]);
}

static int *volatile badp = (int *)8;

int main(void)
{
	int sv[2];
	char buf[64];

	SHOW("socketpair stream", socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	types("stream", sv[0]);
	SHOW("write", write(sv[0], "abc", 3));
	SHOW("write", write(sv[0], "def", 3));
	SHOW("read joins writes", read(sv[1], buf, sizeof buf));
	struct iovec iov[3] = { { "one ", 4 }, { "two ", 4 }, { "three", 5 } };
	SHOW("writev", writev(sv[1], iov, 3));
	char a1[3], a2[20];
	struct iovec riov[2] = { { a1, 3 }, { a2, 20 } };
	SHOW("readv", readv(sv[0], riov, 2));
	printf("readv got %.3s|%.10s\n", a1, a2);
	SHOW("read 0", read(sv[0], buf, 0));

	struct stat st;
	SHOW("fstat", fstat(sv[0], &st));
	printf("S_ISSOCK %d mode %o nlink %lu size %ld\n", S_ISSOCK(st.st_mode), st.st_mode & 07777, (unsigned long)st.st_nlink, (long)st.st_size);
	struct stat st2;
	fstat(sv[1], &st2);
	printf("different inodes %d same dev %d\n", st.st_ino != st2.st_ino, st.st_dev == st2.st_dev);
	char link[64], path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", sv[0]);
	ssize_t n = readlink(path, link, sizeof link - 1);
	link[n > 0 ? n : 0] = 0;
	char want[64];
	snprintf(want, sizeof want, "socket:[%lu]", (unsigned long)st.st_ino);
	printf("link is socket:[ino] %d\n", strcmp(link, want) == 0);
	SHOW("lseek", lseek(sv[0], 0, SEEK_SET));
	SHOW("pread", pread(sv[0], buf, 1, 0));
	socklen_t l = sizeof buf;
	struct sockaddr_un *sa = (struct sockaddr_un *)buf;
	SHOW("getsockname", getsockname(sv[0], (struct sockaddr *)sa, &l));
	printf("len %d family %d\n", l, sa->sun_family);
	l = sizeof buf;
	SHOW("getpeername", getpeername(sv[0], (struct sockaddr *)sa, &l));
	printf("len %d\n", l);
	int bufsz;
	l = sizeof bufsz;
	getsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &bufsz, &l);
	printf("default sndbuf %d\n", bufsz);
	bufsz = 10000;
	SHOW("set SO_SNDBUF", setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &bufsz, sizeof bufsz));
	l = sizeof bufsz;
	getsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &bufsz, &l);
	printf("sndbuf after 10000: %d\n", bufsz);
	bufsz = 1;
	SHOW("set SO_RCVBUF", setsockopt(sv[0], SOL_SOCKET, SO_RCVBUF, &bufsz, sizeof bufsz));
	l = sizeof bufsz;
	getsockopt(sv[0], SOL_SOCKET, SO_RCVBUF, &bufsz, &l);
	printf("rcvbuf after 1: %d\n", bufsz);
	int one = 1;
	SHOW("SO_REUSEADDR", setsockopt(sv[0], SOL_SOCKET, SO_REUSEADDR, &one, sizeof one));
	l = sizeof one; one = 7;
	getsockopt(sv[0], SOL_SOCKET, SO_REUSEADDR, &one, &l);
	printf("reuseaddr %d\n", one);
	SHOW("SO_REUSEADDR short", setsockopt(sv[0], SOL_SOCKET, SO_REUSEADDR, &one, 2));
	SHOW("unknown option", setsockopt(sv[0], SOL_SOCKET, 12345, &one, sizeof one));
	SHOW("other level", setsockopt(sv[0], 6 /* SOL_TCP */, 1, &one, sizeof one));
	int ty = 0;
	l = 2;
	SHOW("SO_TYPE short", getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &ty, &l));
	printf("type %d len %d\n", ty, l);
	l = -1;
	SHOW("negative optlen", getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &ty, &l));
	SHOW("ENOTSOCK", getsockopt(0, SOL_SOCKET, SO_TYPE, &ty, &l));
	SHOW("EBADF", shutdown(99, SHUT_RD));
	close(sv[0]);
	close(sv[1]);

	SHOW("socketpair dgram", socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
	types("dgram", sv[0]);
	SHOW("write", write(sv[0], "abc", 3));
	SHOW("write", write(sv[0], "defg", 4));
	SHOW("read keeps boundaries", read(sv[1], buf, sizeof buf));
	SHOW("read keeps boundaries", read(sv[1], buf, sizeof buf));
	SHOW("writev one datagram", writev(sv[1], iov, 3));
	SHOW("read it", read(sv[0], buf, sizeof buf));
	close(sv[0]);
	close(sv[1]);

	SHOW("socketpair seqpacket", socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv));
	types("seqpacket", sv[0]);
	SHOW("send", send(sv[0], "12345", 5, 0));
	SHOW("recv 3 of 5", recv(sv[1], buf, 3, 0));
	SHOW("rest is gone", recv(sv[1], buf, sizeof buf, MSG_DONTWAIT));
	close(sv[0]);
	close(sv[1]);

	SHOW("socketpair raw is dgram", socketpair(AF_UNIX, SOCK_RAW, 0, sv));
	types("raw", sv[0]);
	close(sv[0]);
	close(sv[1]);

	SHOW("socketpair cloexec nonblock", socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sv));
	printf("cloexec %d nonblock %d\n", fcntl(sv[0], F_GETFD) & FD_CLOEXEC, (fcntl(sv[1], F_GETFL) & O_NONBLOCK) != 0);
	SHOW("read empty nonblocking", read(sv[0], buf, sizeof buf));
	SHOW("socketpair bad type", socketpair(AF_UNIX, 7, 0, sv));
	SHOW("socketpair bad protocol", socketpair(AF_UNIX, SOCK_STREAM, 9, sv));
	SHOW("socketpair bad flags", socketpair(AF_UNIX, SOCK_STREAM | 0x40, 0, sv));
	SHOW("socketpair bad family", socketpair(200, SOCK_STREAM, 0, sv));
	SHOW("socketpair EFAULT", socketpair(AF_UNIX, SOCK_STREAM, 0, badp));
	SHOW("socket bad type", socket(AF_UNIX, 12, 0));
	SHOW("socket rdm", socket(AF_UNIX, SOCK_RDM, 0));
	return 0;
}
