/* sigtrap: int3 with the default action kills the process with SIGTRAP (status 133). */
#include <stdio.h>

int main(void)
{
	printf("executing int3\n");
	fflush(stdout);
	__asm__ volatile("int3");
	printf("not reached\n");
	return 1;
}
