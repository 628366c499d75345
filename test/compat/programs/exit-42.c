/* exit: exit(42) runs atexit handlers (last registered first), flushes stdio, and ends with status 42. */
#include <stdio.h>
#include <stdlib.h>

static void first(void) { printf("atexit: first registered, runs last\n"); }
static void second(void) { printf("atexit: second registered, runs first\n"); }

int main(void)
{
	atexit(first);
	atexit(second);
	printf("buffered, flushed by exit\n");
	fprintf(stderr, "exiting with 42\n");
	exit(42);
}
