/* segv: a NULL write with the default action kills the process with SIGSEGV (status 139). */
#include <stdio.h>

int main(void)
{
	printf("writing through NULL\n");
	fflush(stdout);
	*(volatile int *)0 = 1;
	printf("not reached\n");
	return 1;
}
