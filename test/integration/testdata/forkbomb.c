/* Forks until the sandbox refuses (EAGAIN), then exits: init's exit takes
 * the children with it. */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

int main(void) {
	int n = 0;
	for (;;) {
		pid_t p = fork();
		if (p == 0) {
			for (;;)
				pause();
		}
		if (p < 0) {
			printf("fork failed with %s after %s\n", errno == EAGAIN ? "EAGAIN" : "another error",
			       n > 10 ? "many" : "few");
			return 0;
		}
		n++;
	}
}
