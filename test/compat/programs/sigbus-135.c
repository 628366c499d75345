/*
 * sigbus: with the alignment-check flag (EFLAGS.AC) set, an unaligned load
 * raises #AC, which Linux turns into SIGBUS; the default action kills the
 * process (status 135). No file is needed.
 */
#include <stdio.h>

int main(void)
{
	static char buf[16] __attribute__((aligned(16)));
	printf("unaligned load with EFLAGS.AC set\n");
	fflush(stdout);
	__asm__ volatile(
		"pushfq\n\t"
		"orq $0x40000, (%%rsp)\n\t"
		"popfq\n\t"
		"movl (%0), %%eax\n\t"
		:
		: "r"(buf + 1)
		: "eax", "memory", "cc");
	printf("not reached\n");
	return 1;
}
