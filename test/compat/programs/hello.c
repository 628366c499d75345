/* hello: the smallest program: stdio to stdout and stderr, exit 0. */
#include <stdio.h>
#include <unistd.h>

int main(void)
{
	printf("hello, world\n");
	fflush(stdout);
	fprintf(stderr, "hello, stderr\n");
	if (write(1, "write(2) to stdout\n", 19) != 19)
		return 1;
	puts("goodbye");
	return 0;
}
