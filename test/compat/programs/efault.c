/*
 * efault: system calls given bad user pointers fail with EFAULT instead of
 * crashing; read-only memory is fine as a source. (Buffers that are only
 * partly mapped are pipe_write_efault's.)
 */
#include "compat.h"
#include <signal.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#define PG 4096UL
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0); /* our raw writes go in order */
	char *m = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, ANON, -1, 0);
	memcpy(m + PG - 8, "partial\n", 8);
	memcpy(m + PG, "from read-only memory\n", 22);
	mprotect(m + PG, PG, PROT_READ);
	munmap(m + 2 * PG, PG);
	char *ro = m + PG, *bad = m + 2 * PG;
	char *volatile null = NULL;

	CHECK_ERR("write from unmapped", write(1, bad, 10), EFAULT);
	CHECK_ERR("write from NULL", write(1, null, 10), EFAULT);
	CHECK_ERR("write from a kernel address", write(1, (void *)0xffffffffff600000UL - PG, 10), EFAULT);
	CHECK_RET("write from read-only", write(1, ro, 22), 22);
	CHECK_RET("write(NULL, 0) writes nothing", write(1, NULL, 0), 0);
	CHECK_RET("write across writable into read-only", write(1, m + PG - 8, 8 + 22), 30);
	CHECK_ERR("fstat into read-only", fstat(1, (struct stat *)ro), EFAULT);

	CHECK_ERR("fstat into unmapped", fstat(1, (struct stat *)bad), EFAULT);
	CHECK_ERR("newfstatat into unmapped", syscall(SYS_newfstatat, 1, "", bad, AT_EMPTY_PATH), EFAULT);
	CHECK_ERR("newfstatat with unmapped path", syscall(SYS_newfstatat, 1, bad, m, AT_EMPTY_PATH), EFAULT);
	CHECK_ERR("clock_gettime into unmapped", syscall(SYS_clock_gettime, CLOCK_MONOTONIC, bad), EFAULT);
	CHECK_ERR("gettimeofday into unmapped", syscall(SYS_gettimeofday, bad, NULL), EFAULT);
	CHECK_ERR("uname into unmapped", syscall(SYS_uname, bad), EFAULT);
	CHECK_ERR("getrandom into unmapped", syscall(SYS_getrandom, bad, 16, 0), EFAULT);
	CHECK_ERR("rt_sigaction from unmapped", syscall(SYS_rt_sigaction, SIGUSR1, bad, NULL, 8), EFAULT);
	CHECK_ERR("rt_sigprocmask from unmapped", syscall(SYS_rt_sigprocmask, SIG_BLOCK, bad, NULL, 8), EFAULT);
	CHECK_ERR("sigaltstack from unmapped", syscall(SYS_sigaltstack, bad, NULL), EFAULT);
	CHECK_ERR("nanosleep from unmapped", syscall(SYS_nanosleep, bad, NULL), EFAULT);
	CHECK_ERR("sysinfo into unmapped", syscall(SYS_sysinfo, bad), EFAULT);
	CHECK_ERR("getrlimit into unmapped", syscall(SYS_getrlimit, RLIMIT_NOFILE, bad), EFAULT);

	struct iovec iov[1] = {{bad, 4}};
	CHECK_ERR("writev with an unmapped iovec array", writev(1, (struct iovec *)bad, 1), EFAULT);
	CHECK_ERR("writev whose first buffer is unmapped", writev(1, iov, 1), EFAULT);

	/* /dev/null never touches the buffer. */
	CHECK_RET("read from /dev/null into unmapped", read(0, bad, 10), 0);
	CHECK_RET("read from /dev/null into NULL", read(0, null, 10), 0);
	return compat_done();
}
