/* Calls that reach the file system and the network, made before the Sentry
 * implements them: each must fail with ENOSYS and leave nothing on the host.
 * argv[1] is a host directory the test watches. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static void report(const char *what, long r) {
	printf("%s: %s\n", what, r < 0 ? strerror(errno) : "succeeded");
}

int main(int argc, char **argv) {
	char path[4096];
	snprintf(path, sizeof path, "%s/made-by-mkdir", argv[1]);
	report("mkdir", mkdir(path, 0755));
	snprintf(path, sizeof path, "%s/made-by-open", argv[1]);
	report("open", syscall(SYS_open, path, O_CREAT | O_WRONLY, 0644));
	report("openat", syscall(SYS_openat, AT_FDCWD, path, O_CREAT | O_WRONLY, 0644));
	report("socket", socket(AF_INET, SOCK_STREAM, 0));
	return 0;
}
