/*
 * dev_files: /dev/null reads EOF and swallows writes; /dev/zero reads
 * zeros and swallows writes; /dev/full reads zeros and fails writes with
 * ENOSPC; /dev/urandom and /dev/random give the bytes asked for; the
 * device numbers are Linux's (1,3), (1,5), (1,7), (1,8), (1,9)
 * (dev_lseek: seeking them); mmap of /dev/zero gives zeroed memory.
 */
#include "compat.h"
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static void dev(const char *p)
{
	struct stat st;
	if (stat(p, &st) != 0) {
		printf("%s: %s\n", p, errname(errno));
		return;
	}
	printf("%s: char %d, %u:%u, mode %04o\n", p, S_ISCHR(st.st_mode), major(st.st_rdev), minor(st.st_rdev),
	       st.st_mode & 0777);
}

int main(void)
{
	dev("/dev/null");
	dev("/dev/zero");
	dev("/dev/full");
	dev("/dev/random");
	dev("/dev/urandom");
	char buf[4096];
	int n = open("/dev/null", O_RDWR);
	CHECK_RET("/dev/null read", read(n, buf, sizeof buf), 0);
	CHECK_RET("/dev/null write", write(n, buf, sizeof buf), 4096);
	int z = open("/dev/zero", O_RDWR);
	memset(buf, 'x', sizeof buf);
	CHECK_RET("/dev/zero read", read(z, buf, sizeof buf), 4096);
	int zeros = 1;
	for (int i = 0; i < 4096; i++)
		zeros &= buf[i] == 0;
	check("all zeros", zeros);
	CHECK_RET("/dev/zero write", write(z, buf, 10), 10);
	char *m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE, z, 0);
	check("mmap /dev/zero", m != MAP_FAILED && m[0] == 0 && m[8191] == 0);
	int f = open("/dev/full", O_RDWR);
	CHECK_ERR("/dev/full write", write(f, "x", 1), ENOSPC);
	memset(buf, 'x', 16);
	CHECK_RET("/dev/full read", read(f, buf, 16), 16);
	check("zeros", buf[0] == 0 && buf[15] == 0);
	int u = open("/dev/urandom", O_RDONLY);
	CHECK_RET("/dev/urandom read 4096", read(u, buf, sizeof buf), 4096);
	int nonzero = 0;
	for (int i = 0; i < 4096; i++)
		nonzero += buf[i] != 0;
	check("not all zeros", nonzero > 3000);
	int r = open("/dev/random", O_RDONLY);
	CHECK_RET("/dev/random read 64", read(r, buf, 64), 64);
	return compat_done();
}
