/* A process tree with threads: three forked children, each with two extra
 * threads, all parked. Says "ready" once everything exists (counted in
 * shared memory), then waits for its stdin to close. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

static atomic_int *ready;

static void *park(void *arg) {
	atomic_fetch_add(ready, 1);
	for (;;)
		pause();
	return arg;
}

int main(void) {
	ready = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	for (int i = 0; i < 3; i++) {
		if (fork() == 0) {
			pthread_t t;
			pthread_create(&t, 0, park, 0);
			pthread_create(&t, 0, park, 0);
			for (;;)
				pause();
		}
	}
	while (atomic_load(ready) < 6)
		usleep(1000);
	write(1, "ready\n", 6);
	char c;
	read(0, &c, 1);
	return 0;
}
