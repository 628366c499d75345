/* Tries to read a file outside the sandbox's root in every way a path can
 * say it: dot-dots, absolute and relative symlinks, /proc/self/root,
 * openat from a directory fd, O_PATH plus /proc/self/fd. argv[1] is the
 * host path of the secret, argv[2] its path relative to the root's parent. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int tries, leaks;

static void try(const char *how, const char *path) {
	char buf[64] = {0};
	tries++;
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return;
	int n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n > 0 && strstr(buf, "SECRET")) {
		printf("LEAK via %s (%s)\n", how, path);
		leaks++;
	}
}

int main(int argc, char **argv) {
	char p[4096];
	try("absolute path", argv[1]);
	snprintf(p, sizeof p, "/../../../../%s", argv[2]);
	try("dot-dots from /", p);
	chdir("/");
	snprintf(p, sizeof p, "../../../%s", argv[2]);
	try("dot-dots from cwd", p);
	symlink(argv[1], "/tmp/abs");
	try("absolute symlink", "/tmp/abs");
	snprintf(p, sizeof p, "../../../../../../%s", argv[2]);
	symlink(p, "/tmp/rel");
	try("relative symlink", "/tmp/rel");
	snprintf(p, sizeof p, "/proc/self/root/../../%s", argv[2]);
	try("/proc/self/root", p);
	snprintf(p, sizeof p, "/proc/1/root/../%s", argv[2]);
	try("/proc/1/root", p);
	int dfd = open("/", O_PATH | O_DIRECTORY);
	snprintf(p, sizeof p, "../../%s", argv[2]);
	int fd = openat(dfd, p, O_RDONLY);
	tries++;
	if (fd >= 0) {
		char buf[64] = {0};
		if (read(fd, buf, 63) > 0 && strstr(buf, "SECRET")) {
			printf("LEAK via openat from /\n");
			leaks++;
		}
	}
	snprintf(p, sizeof p, "/proc/self/fd/%d/../../%s", dfd, argv[2]);
	try("/proc/self/fd dir link", p);
	chroot("/tmp");
	try("after chroot, absolute", argv[1]);
	snprintf(p, sizeof p, "../../../../%s", argv[2]);
	try("after chroot, dot-dots", p);
	printf("%d tries, %d leaks\n", tries, leaks);
	return leaks != 0;
}
