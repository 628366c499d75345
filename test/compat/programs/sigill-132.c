/* sigill: ud2 kills the process with SIGILL (status 132). */
#include <stdio.h>

int main(void)
{
	printf("executing ud2\n");
	fflush(stdout);
	__asm__ volatile("ud2");
	printf("not reached\n");
	return 1;
}
