/*
 * alarm_default: alarm(1) with SIGALRM at its default action kills a
 * process spinning in user code, without system calls (status 142).
 */
#include <stdio.h>
#include <time.h>
#include <unistd.h>

int main(void)
{
	struct timespec start, now;
	clock_gettime(CLOCK_MONOTONIC, &start); /* the vDSO: no system call */
	printf("alarm(1) returned %u; spinning\n", alarm(1));
	fflush(stdout);
	for (volatile unsigned long i = 0;; i++) {
		if (i % (1 << 20) == 0) {
			clock_gettime(CLOCK_MONOTONIC, &now);
			if (now.tv_sec - start.tv_sec > 10)
				break;
		}
	}
	printf("no SIGALRM after 10 s\n");
	return 1;
}
