/* Maps some memory, says "ready", then waits for a byte on stdin: the test
 * inspects the stub process meanwhile. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

int main(void) {
	char *p = mmap(0, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	p[0] = 1;
	char *q = malloc(1 << 16);
	q[0] = 1;
	write(1, "ready\n", 6);
	char c;
	read(0, &c, 1);
	return 0;
}
