/* RLIMIT_FSIZE: growing a file past it with truncate, ftruncate or
 * fallocate fails with EFBIG and raises SIGXFSZ; shrinking, or growing up
 * to the limit, does not. */
#include "attr.h"
#include <signal.h>
#include <sys/resource.h>

static volatile int xfsz;

static void on_xfsz(int sig)
{
	(void)sig;
	xfsz++;
}

#define SIG(what, call) do { \
	xfsz = 0; T(what, call); printf("  SIGXFSZ %d\n", xfsz); \
} while (0)

int main(int argc, char **argv)
{
	enter(argv[1]);
	signal(SIGXFSZ, on_xfsz);
	writefile("f", "0123456789", 0644);
	struct rlimit lim = {100, RLIM_INFINITY};
	setrlimit(RLIMIT_FSIZE, &lim);

	SIG("truncate to the limit", truncate("f", 100));
	SIG("truncate past the limit", truncate("f", 101));
	show("  f", "f");
	int fd = open("f", O_RDWR);
	SIG("ftruncate past the limit", ftruncate(fd, 4096));
	SIG("ftruncate shrink", ftruncate(fd, 50));
	SIG("fallocate past the limit", fallocate(fd, 0, 90, 20));
	SIG("fallocate keep size within", fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, 60));
	SIG("fallocate to the limit", fallocate(fd, 0, 90, 10));
	show("  f", "f");
	lim.rlim_cur = 10;
	setrlimit(RLIMIT_FSIZE, &lim);
	SIG("truncate shrink above the limit", truncate("f", 20));
	SIG("ftruncate same size above the limit", ftruncate(fd, 20));
	SIG("truncate grow above the limit", truncate("f", 21));
	show("  f", "f");

	signal(SIGXFSZ, SIG_IGN);
	SIG("ignored: ftruncate past the limit", ftruncate(fd, 4096));
	close(fd);
	lim.rlim_cur = RLIM_INFINITY;
	setrlimit(RLIMIT_FSIZE, &lim);
	leave();
	return 0;
}
