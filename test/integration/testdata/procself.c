/* procself reads its own /proc entries through the system calls a program
 * uses, and prints what it finds: one line per check. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static ssize_t slurp(const char *path, char *buf, size_t size) {
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	ssize_t n, total = 0;
	while ((n = read(fd, buf + total, size - 1 - total)) > 0)
		total += n;
	close(fd);
	buf[total] = 0;
	return total;
}

int main(int argc, char **argv) {
	char buf[65536], path[4096];
	(void)argc;

	/* exe names this program; cmdline holds argv, NUL-separated. */
	ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
	path[n < 0 ? 0 : n] = 0;
	printf("exe %s\n", path);
	n = slurp("/proc/self/cmdline", buf, sizeof buf);
	for (ssize_t i = 0; i < n; i++)
		if (buf[i] == 0)
			buf[i] = ' ';
	printf("cmdline %s\n", buf);

	/* stat: the PID, the state of a running caller, the parent. */
	slurp("/proc/self/stat", buf, sizeof buf);
	int pid, ppid;
	char state;
	char *p = strrchr(buf, ')');
	sscanf(buf, "%d", &pid);
	sscanf(p + 2, "%c %d", &state, &ppid);
	printf("stat pid %d getpid %d state %c ppid %d\n", pid, getpid(), state, ppid);

	/* Opening /proc/self/fd/1 opens stdout (a pipe here) anew. */
	int fd = open("/proc/self/fd/1", O_WRONLY);
	if (fd < 0) {
		perror("open /proc/self/fd/1");
		return 1;
	}
	fflush(stdout);
	write(fd, "through fd link\n", 16);
	close(fd);

	/* fstat through the link agrees with fstat of the fd. */
	struct stat a, b;
	fstat(1, &a);
	stat("/proc/self/fd/1", &b);
	printf("same stdout %d\n", a.st_ino == b.st_ino && a.st_dev == b.st_dev);

	/* thread-self is this thread. */
	n = readlink("/proc/thread-self", path, sizeof path - 1);
	path[n < 0 ? 0 : n] = 0;
	printf("thread-self %s\n", path);

	/* A directory fd shows as its path. */
	int dfd = open("/etc", O_RDONLY | O_DIRECTORY);
	snprintf(buf, sizeof buf, "/proc/self/fd/%d", dfd);
	n = readlink(buf, path, sizeof path - 1);
	path[n < 0 ? 0 : n] = 0;
	printf("dirfd %s\n", path);
	return 0;
}
