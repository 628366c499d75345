/*
 * malloc: glibc's allocator over brk (small blocks) and mmap (large
 * blocks): many sizes, patterns kept intact, free, realloc growing and
 * shrinking across the mmap threshold, calloc zeroed.
 */
#include "compat.h"
#include <stdint.h>

#define N 512

static unsigned char pat(size_t i, size_t k) { return (unsigned char)(i * 31 + k * 7 + 1); }

static int intact(const unsigned char *p, size_t n, size_t k)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != pat(i, k))
			return 0;
	return 1;
}

static void fill(unsigned char *p, size_t n, size_t k)
{
	for (size_t i = 0; i < n; i++)
		p[i] = pat(i, k);
}

static int zeroed(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

int main(void)
{
	static unsigned char *blocks[N];
	static size_t sizes[N];
	int ok = 1, aligned = 1;

	/* Small blocks of many sizes, freed in an interleaved order. */
	for (size_t k = 0; k < N; k++) {
		sizes[k] = 1 + (k * 37) % 2000;
		blocks[k] = malloc(sizes[k]);
		if (!blocks[k]) {
			ok = 0;
			break;
		}
		aligned &= ((uintptr_t)blocks[k] % 16) == 0;
		fill(blocks[k], sizes[k], k);
	}
	check("small mallocs succeed", ok);
	check("small blocks 16-byte aligned", aligned);
	for (size_t k = 0; k < N; k += 2) {
		free(blocks[k]);
		blocks[k] = NULL;
	}
	ok = 1;
	for (size_t k = 1; k < N; k += 2)
		ok &= intact(blocks[k], sizes[k], k);
	check("small blocks intact after freeing neighbours", ok);
	for (size_t k = 1; k < N; k += 2)
		free(blocks[k]);

	/* Large blocks (above the 128 KiB mmap threshold). */
	size_t large[] = {128 << 10, 200 << 10, 1 << 20, 3 << 20, (16 << 20) + 123};
	ok = 1;
	unsigned char *lp[5];
	for (int k = 0; k < 5; k++) {
		lp[k] = malloc(large[k]);
		if (!lp[k]) {
			ok = 0;
			continue;
		}
		fill(lp[k], large[k], k);
	}
	check("large mallocs succeed", ok);
	ok = 1;
	for (int k = 0; k < 5; k++)
		ok &= lp[k] && intact(lp[k], large[k], k);
	check("large blocks intact", ok);
	for (int k = 0; k < 5; k++)
		free(lp[k]);

	/* realloc keeps contents while growing and shrinking. */
	size_t steps[] = {10, 100, 5000, 300000, 2 << 20, 1000, 64 << 10, 7};
	unsigned char *r = NULL;
	size_t have = 0;
	ok = 1;
	for (int k = 0; k < 8; k++) {
		unsigned char *q = realloc(r, steps[k]);
		if (!q) {
			ok = 0;
			break;
		}
		size_t keep = have < steps[k] ? have : steps[k];
		ok &= intact(q, keep, 99);
		fill(q, steps[k], 99);
		r = q;
		have = steps[k];
	}
	check("realloc keeps contents", ok);
	free(r);

	/* calloc returns zeroed memory, also when reusing freed blocks. */
	ok = 1;
	for (int k = 0; k < 64; k++) {
		unsigned char *p = malloc(256 + k);
		memset(p, 0xa5, 256 + k);
		free(p);
		unsigned char *c = calloc(1, 256 + k);
		ok &= c && zeroed(c, 256 + k);
		free(c);
	}
	check("calloc small zeroed after reuse", ok);
	unsigned char *big = calloc(1024, 1024);
	check("calloc 1 MiB zeroed", big && zeroed(big, 1 << 20));
	free(big);
	errno = 0;
	volatile size_t nmemb = (size_t)1 << 62;
	void *over = calloc(nmemb, 16);
	check("calloc overflow fails with ENOMEM", over == NULL && errno == ENOMEM);
	errno = 0;
	volatile size_t hugesz = (size_t)1 << 50;
	void *huge = malloc(hugesz);
	check("malloc 1 PiB fails with ENOMEM", huge == NULL && errno == ENOMEM);
	void *z = malloc(0);
	check("malloc(0) returns a unique pointer", z != NULL);
	free(z);
	return compat_done();
}
