/*
 * flock_fcntl: fcntl record locks. POSIX locks belong to the process:
 * F_GETLK never reports its own, and closing any fd of the file drops
 * them. OFD locks belong to the open file description, so one process can
 * see conflicts between its descriptions (and with its POSIX locks).
 */
#include "pipetest.h"
#include <signal.h>
#include <sys/time.h>

static int fd_probe;

/* probe asks F_OFD_GETLK through another description about [start, start+len). */
static void probe(const char *what, short type, off_t start, off_t len)
{
	struct flock fl = {.l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len};
	errno = 0;
	if (fcntl(fd_probe, F_OFD_GETLK, &fl) < 0) {
		printf("%s: -1 %s\n", what, strerrorname_np(errno));
		return;
	}
	if (fl.l_type == F_UNLCK)
		printf("%s: free\n", what);
	else
		printf("%s: %s lock %ld+%ld whence %d pid %s\n", what, fl.l_type == F_RDLCK ? "read" : "write",
		       (long)fl.l_start, (long)fl.l_len, fl.l_whence,
		       fl.l_pid == getpid() ? "self" : fl.l_pid == -1 ? "-1" : "other");
}

static int setlk(int fd, int cmd, short type, short whence, off_t start, off_t len)
{
	struct flock fl = {.l_type = type, .l_whence = whence, .l_start = start, .l_len = len};
	return fcntl(fd, cmd, &fl);
}

static void on_alarm(int sig) {}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	const char *path = "/tmp/flock_fcntl.lock";
	int a = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	MUST(a);
	MUST(write(a, "0123456789", 10));
	fd_probe = open(path, O_RDWR);
	int b = open(path, O_RDWR);

	SHOW("POSIX write lock 0+100", setlk(a, F_SETLK, F_WRLCK, SEEK_SET, 0, 100));
	probe("probe 0+1", F_RDLCK, 0, 1);
	probe("probe 100+1", F_WRLCK, 100, 1);
	struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10};
	SHOW("F_GETLK on the process's own lock", fcntl(b, F_GETLK, &fl));
	printf("l_type is F_UNLCK: %d, l_start %ld, l_len %ld\n", fl.l_type == F_UNLCK, (long)fl.l_start, (long)fl.l_len);
	SHOW("POSIX lock through another fd: same owner", setlk(b, F_SETLK, F_WRLCK, SEEK_SET, 50, 10));

	/* Splitting and merging. */
	SHOW("unlock 40+20", setlk(a, F_SETLK, F_UNLCK, SEEK_SET, 40, 20));
	probe("probe 39+1", F_RDLCK, 39, 1);
	probe("probe 40+20", F_RDLCK, 40, 20);
	probe("probe 55+100", F_RDLCK, 55, 100);
	SHOW("read lock 30+20", setlk(a, F_SETLK, F_RDLCK, SEEK_SET, 30, 20));
	probe("read probe 30+1", F_RDLCK, 30, 1);
	probe("write probe 30+1", F_WRLCK, 30, 1);
	probe("write probe 45+1", F_WRLCK, 45, 1);
	SHOW("write lock 0 to EOF", setlk(a, F_SETLK, F_WRLCK, SEEK_SET, 0, 0));
	probe("probe 1000+1", F_RDLCK, 1000, 1);
	SHOW("unlock all", setlk(a, F_SETLK, F_UNLCK, SEEK_SET, 0, 0));
	probe("probe 0 to EOF", F_WRLCK, 0, 0);

	/* Whence and negative lengths. */
	MUST(lseek(a, 4, SEEK_SET));
	SHOW("SEEK_CUR 2, length -3", setlk(a, F_SETLK, F_WRLCK, SEEK_CUR, 2, -3));
	probe("probe 0+10", F_RDLCK, 0, 10);
	SHOW("SEEK_END -2, length 1", setlk(a, F_SETLK, F_RDLCK, SEEK_END, -2, 1));
	probe("write probe 5+10", F_WRLCK, 5, 10);
	SHOW("unlock all", setlk(a, F_SETLK, F_UNLCK, SEEK_SET, 0, 0));

	/* OFD locks conflict between descriptions of one process. */
	SHOW("OFD write lock through b", setlk(b, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 5));
	SHOW("POSIX lock over it", setlk(a, F_SETLK, F_RDLCK, SEEK_SET, 2, 1));
	fl = (struct flock){.l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
	SHOW("F_GETLK sees the OFD lock", fcntl(a, F_GETLK, &fl));
	printf("type %s start %ld len %ld pid %d\n", fl.l_type == F_WRLCK ? "write" : "other", (long)fl.l_start, (long)fl.l_len, fl.l_pid);
	SHOW("OFD lock through a, read", setlk(a, F_OFD_SETLK, F_RDLCK, SEEK_SET, 3, 1));
	SHOW("OFD lock through b again: its own", setlk(b, F_OFD_SETLK, F_RDLCK, SEEK_SET, 0, 10));
	SHOW("POSIX lock on 5+5", setlk(a, F_SETLK, F_WRLCK, SEEK_SET, 5, 5));
	probe("probe 0+10 (b's OFD read lock)", F_WRLCK, 0, 10);
	probe("probe 10+1", F_WRLCK, 10, 1);

	/* F_SETLKW on a conflict waits, and a signal ends the wait. */
	struct sigaction sa = {.sa_handler = on_alarm};
	sigaction(SIGALRM, &sa, NULL);
	struct itimerval it = {{0, 0}, {0, 50000}};
	setitimer(ITIMER_REAL, &it, NULL);
	SHOW("F_SETLKW blocked by b's OFD lock, interrupted", setlk(a, F_SETLKW, F_WRLCK, SEEK_SET, 0, 1));
	setitimer(ITIMER_REAL, &it, NULL);
	SHOW("F_OFD_SETLKW, interrupted", setlk(fd_probe, F_OFD_SETLKW, F_WRLCK, SEEK_SET, 0, 1));
	SHOW("F_OFD_SETLKW, no conflict", setlk(fd_probe, F_OFD_SETLKW, F_WRLCK, SEEK_SET, 20, 1));

	/* Closing any fd of the file drops the process's POSIX locks. */
	SHOW("POSIX lock on 30+5", setlk(a, F_SETLK, F_WRLCK, SEEK_SET, 30, 5));
	int c = open(path, O_RDONLY);
	probe("before closing c: 30+5", F_RDLCK, 30, 5);
	close(c);
	probe("after closing c: 30+5", F_RDLCK, 30, 5);
	/* Closing b drops its OFD locks; a dup of a keeps a's. */
	close(b);
	probe("after closing b: 0+10", F_WRLCK, 0, 10);
	SHOW("OFD read lock through a on 3", setlk(a, F_OFD_SETLK, F_RDLCK, SEEK_SET, 3, 1));
	int a2 = dup(a);
	close(a2);
	probe("after closing a dup of a: 3+1", F_WRLCK, 3, 1);

	/* Errors. */
	int ro = open(path, O_RDONLY);
	SHOW("write lock on a read-only fd", setlk(ro, F_SETLK, F_WRLCK, SEEK_SET, 0, 1));
	int wo = open(path, O_WRONLY);
	SHOW("read lock on a write-only fd", setlk(wo, F_SETLK, F_RDLCK, SEEK_SET, 0, 1));
	SHOW("unlock on a read-only fd", setlk(ro, F_SETLK, F_UNLCK, SEEK_SET, 0, 1));
	SHOW("bad type", setlk(a, F_SETLK, 7, SEEK_SET, 0, 1));
	SHOW("bad whence", setlk(a, F_SETLK, F_RDLCK, 9, 0, 1));
	SHOW("negative start", setlk(a, F_SETLK, F_RDLCK, SEEK_SET, -1, 1));
	SHOW("length before 0", setlk(a, F_SETLK, F_RDLCK, SEEK_SET, 2, -3));
	SHOW("overflow", setlk(a, F_SETLK, F_RDLCK, SEEK_SET, 0x7fffffffffffffffL, 2));
	fl = (struct flock){.l_type = F_UNLCK, .l_whence = SEEK_SET};
	SHOW("F_GETLK with F_UNLCK", fcntl(a, F_GETLK, &fl));
	fl = (struct flock){.l_type = F_RDLCK, .l_whence = SEEK_SET, .l_pid = 1};
	SHOW("F_OFD_SETLK with l_pid", fcntl(a, F_OFD_SETLK, &fl));
	SHOW("F_OFD_GETLK with l_pid", fcntl(a, F_OFD_GETLK, &fl));
	SHOW("bad address", fcntl(a, F_SETLK, (struct flock *)8));
	int o = open(path, O_PATH);
	SHOW("O_PATH fd", setlk(o, F_SETLK, F_RDLCK, SEEK_SET, 0, 1));
	SHOW("F_SETLEASE F_UNLCK with no lease", fcntl(a, F_SETLEASE, F_UNLCK));
	SHOW("F_GETLEASE", fcntl(a, F_GETLEASE));
	SHOW("F_SETLEASE bad", fcntl(a, F_SETLEASE, 9));
	int p[2];
	MUST(pipe(p));
	SHOW("F_SETLEASE on a pipe", fcntl(p[0], F_SETLEASE, F_RDLCK));
	SHOW("F_GETOWN", fcntl(a, F_GETOWN));
	SHOW("F_SETOWN self", fcntl(a, F_SETOWN, getpid()));
	SHOW("F_GETOWN is self", fcntl(a, F_GETOWN) == getpid());
	SHOW("F_SETOWN no such process", fcntl(a, F_SETOWN, 999999));
	SHOW("F_GETSIG", fcntl(a, F_GETSIG));
	SHOW("F_SETSIG SIGUSR1", fcntl(a, F_SETSIG, SIGUSR1));
	SHOW("F_GETSIG", fcntl(a, F_GETSIG));
	SHOW("F_SETSIG 65", fcntl(a, F_SETSIG, 65));
	unlink(path);
	return 0;
}
