/* sigfpe: integer division by zero kills the process with SIGFPE (status 136). */
#include <stdio.h>

int main(void)
{
	volatile int zero = 0, x = 7;
	printf("dividing by zero\n");
	fflush(stdout);
	x = x / zero;
	printf("not reached: %d\n", x);
	return 1;
}
