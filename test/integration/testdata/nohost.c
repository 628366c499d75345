/* Writes that an application makes under a host directory: inside moat they
 * succeed in the sandbox's in-memory layer and are visible there, and leave
 * nothing on the host. Sockets are not implemented yet: ENOSYS.
 * argv[1] is a host directory the test watches. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static void report(const char *what, long r) {
	printf("%s: %s\n", what, r < 0 ? strerror(errno) : "ok");
}

int main(int argc, char **argv) {
	char dir[4096], file[4096], moved[4096];
	snprintf(dir, sizeof dir, "%s/made-by-mkdir", argv[1]);
	snprintf(file, sizeof file, "%s/made-by-open", argv[1]);
	snprintf(moved, sizeof moved, "%s/renamed", argv[1]);
	report("mkdir", mkdir(dir, 0755));
	int fd = syscall(SYS_open, file, O_CREAT | O_WRONLY, 0644);
	report("open", fd);
	report("write", write(fd, "data\n", 5));
	close(fd);
	report("rename", rename(file, moved));
	struct stat st;
	report("stat renamed", stat(moved, &st));
	printf("size %ld\n", (long)st.st_size);
	report("stat old name", stat(file, &st));
	/* The default network is the sandbox's own loopback: a socket is the
	 * Sentry's, and nothing beyond 127.0.0.0/8 is reachable. */
	int s = socket(AF_INET, SOCK_STREAM, 0);
	report("socket", s);
	struct sockaddr_in out = {.sin_family = AF_INET, .sin_port = htons(80)};
	out.sin_addr.s_addr = htonl(0xc0000201); /* 192.0.2.1, TEST-NET-1 */
	report("connect outside", connect(s, (struct sockaddr *)&out, sizeof out));
	return 0;
}
