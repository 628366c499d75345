/*
 * getrandom: lengths from 0 to 1 MiB are filled in full, the bytes vary,
 * every valid flag combination works and invalid ones give EINVAL.
 */
#include "compat.h"
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef GRND_INSECURE
#define GRND_INSECURE 0x4
#endif

static long gr(void *buf, size_t n, unsigned flags) { return syscall(SYS_getrandom, buf, n, flags); }

int main(void)
{
	static unsigned char big[1 << 20];
	unsigned char a[64], b[64];
	CHECK_RET("length 0", gr(a, 0, 0), 0);
	CHECK_RET("length 1", gr(a, 1, 0), 1);
	CHECK_RET("length 64", gr(a, 64, 0), 64);
	CHECK_RET("length 64 again", gr(b, 64, 0), 64);
	check("two draws differ", memcmp(a, b, 64) != 0);
	CHECK_RET("length 256", gr(big, 256, 0), 256);
	long n = gr(big, sizeof big, 0);
	check("1 MiB filled in full", n == (long)sizeof big);
	int counts[256] = {0};
	for (size_t i = 0; i < sizeof big; i++)
		counts[big[i]]++;
	int every = 1;
	for (int i = 0; i < 256; i++)
		every &= counts[i] > 2000; /* expected 4096 each */
	check("1 MiB: every byte value common", every);

	CHECK_RET("GRND_NONBLOCK", gr(a, 16, GRND_NONBLOCK), 16);
	CHECK_RET("GRND_RANDOM", gr(a, 16, GRND_RANDOM), 16);
	CHECK_RET("GRND_RANDOM|GRND_NONBLOCK", gr(a, 16, GRND_RANDOM | GRND_NONBLOCK), 16);
	CHECK_RET("GRND_INSECURE", gr(a, 16, GRND_INSECURE), 16);
	CHECK_RET("GRND_INSECURE|GRND_NONBLOCK", gr(a, 16, GRND_INSECURE | GRND_NONBLOCK), 16);
	CHECK_ERR("GRND_INSECURE|GRND_RANDOM", gr(a, 16, GRND_INSECURE | GRND_RANDOM), EINVAL);
	CHECK_ERR("unknown flag 0x8", gr(a, 16, 0x8), EINVAL);
	CHECK_ERR("unknown flag 0x80000000", gr(a, 16, 0x80000000u), EINVAL);
	CHECK_ERR("NULL with length", gr(NULL, 16, 0), EFAULT);
	CHECK_RET("NULL with length 0", gr(NULL, 0, 0), 0);

	/* A buffer running into a read-only page: the writable part is filled. */
	unsigned char *m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	mprotect(m + 4096, 4096, PROT_READ);
	CHECK_ERR("into read-only memory", gr(m + 4096, 16, 0), EFAULT);
	CHECK_RET("glibc getrandom()", getrandom(a, 32, 0), 32);
	CHECK_RET("getentropy 256", getentropy(big, 256), 0);
	CHECK_ERR("getentropy 257", getentropy(big, 257), EIO);
	return compat_done();
}
