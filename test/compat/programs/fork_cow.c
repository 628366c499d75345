/*
 * fork_cow: fork copies memory: the child's stores to globals, the heap,
 * the stack and a MAP_PRIVATE anonymous mapping stay in the child; a
 * MAP_SHARED anonymous mapping is shared both ways; stores after fork in
 * the parent are not seen by the child; a large heap (16 MiB) is copied
 * correctly.
 */
#include "compat.h"
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static int global = 1;

int main(void)
{
	int local = 2;
	int *heap = malloc(sizeof *heap);
	*heap = 3;
	int *priv = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int *shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	*priv = 4;
	*shared = 5;
	size_t big = 16 << 20;
	unsigned char *b = malloc(big);
	for (size_t i = 0; i < big; i += 4096)
		b[i] = (unsigned char)(i >> 12);
	int go[2], back[2];
	pipe(go);
	pipe(back);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		global = 10, local = 20, *heap = 30, *priv = 40, *shared = 50;
		char c;
		read(go[0], &c, 1);
		int ok = 1;
		for (size_t i = 0; i < big; i += 4096)
			ok &= b[i] == (unsigned char)(i >> 12);
		ok &= shared[1] == 99;	/* the parent's store to shared memory */
		ok &= priv[1] == 0;	/* not the parent's private store */
		_exit(ok ? 0 : 1);
	}
	usleep(50000);
	priv[1] = 77;
	shared[1] = 99;
	memset(b, 0, big);
	write(go[1], "g", 1);
	int st;
	waitpid(pid, &st, 0);
	check("child saw its own copy and the shared page", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	printf("parent after the child's stores: global %d local %d heap %d private %d shared %d\n", global, local, *heap,
	       *priv, *shared);
	return compat_done();
}
