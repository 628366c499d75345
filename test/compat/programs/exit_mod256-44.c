/* exit_mod256: the status is the low 8 bits of exit_group's argument: 300 ends with 44. */
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
	printf("exit_group(300)\n");
	fflush(stdout);
	syscall(SYS_exit_group, 300);
	printf("not reached\n");
	return 1;
}
