/*
 * inet.h: what the AF_INET and AF_INET6 programs share. They run natively
 * and under `moat do --network=host`, and print only what is the same on
 * both: results and errno names, never port numbers or addresses that
 * the host chooses. SHOW prints a call's result ("what: 5" or
 * "what: -1 EAGAIN").
 */
#ifndef INET_H
#define INET_H

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static inline void show_(const char *what, long r, int e)
{
	if (r == -1)
		printf("%s: -1 %s\n", what, strerrorname_np(e));
	else
		printf("%s: %ld\n", what, r);
}
#define SHOW(what, call) do { errno = 0; long r_ = (long)(call); show_((what), r_, errno); } while (0)

/* MUST reports a setup step that failed: the rest would mean nothing. */
#define MUST(call) do { if ((long)(call) < 0) { printf("setup failed at line %d: %s\n", __LINE__, strerrorname_np(errno)); exit(2); } } while (0)

/* loopback fills a with the loopback address of family and port. */
static inline socklen_t loopback(int family, struct sockaddr_storage *a, int port)
{
	memset(a, 0, sizeof *a);
	if (family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)a;
		s6->sin6_family = AF_INET6;
		s6->sin6_addr = in6addr_loopback;
		s6->sin6_port = htons(port);
		return sizeof *s6;
	}
	struct sockaddr_in *s4 = (struct sockaddr_in *)a;
	s4->sin_family = AF_INET;
	s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s4->sin_port = htons(port);
	return sizeof *s4;
}

static inline int port_of(const struct sockaddr_storage *a)
{
	if (a->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)a)->sin6_port);
	return ntohs(((const struct sockaddr_in *)a)->sin_port);
}

/* listener makes a socket of type listening (or, for datagrams, bound)
 * on an ephemeral loopback port and returns its address in a. */
static inline int listener(int family, int type, struct sockaddr_storage *a, socklen_t *len)
{
	int s = socket(family, type, 0);
	MUST(s);
	*len = loopback(family, a, 0);
	MUST(bind(s, (struct sockaddr *)a, *len));
	if (type == SOCK_STREAM)
		MUST(listen(s, 16));
	socklen_t l = sizeof *a;
	MUST(getsockname(s, (struct sockaddr *)a, &l));
	return s;
}

/* connected makes a connected TCP pair over loopback. */
static inline void connected(int family, int *client, int *server)
{
	struct sockaddr_storage a;
	socklen_t len;
	int l = listener(family, SOCK_STREAM, &a, &len);
	*client = socket(family, SOCK_STREAM, 0);
	MUST(*client);
	MUST(connect(*client, (struct sockaddr *)&a, len));
	*server = accept(l, NULL, NULL);
	MUST(*server);
	close(l);
}

/* wait_child waits for pid and prints how it ended. */
static inline void wait_child(const char *what, pid_t pid)
{
	int st;
	MUST(waitpid(pid, &st, 0));
	if (WIFSIGNALED(st))
		printf("%s: killed by %s\n", what, sigabbrev_np(WTERMSIG(st)));
	else
		printf("%s: exit %d\n", what, WEXITSTATUS(st));
}

static inline double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

#endif
