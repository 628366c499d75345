/* Creates threads until the sandbox refuses (EAGAIN). */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static void *park(void *arg) {
	for (;;)
		pause();
	return arg;
}

int main(void) {
	int n = 0;
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 << 10);
	for (;;) {
		pthread_t t;
		int err = pthread_create(&t, &attr, park, 0);
		if (err) {
			printf("pthread_create failed with %s after %s\n", err == EAGAIN ? "EAGAIN" : "another error",
			       n > 10 ? "many" : "few");
			return 0;
		}
		n++;
	}
}
