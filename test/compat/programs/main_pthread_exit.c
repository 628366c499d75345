/*
 * main_pthread_exit: when the main thread calls pthread_exit, the process
 * lives on while other threads run (they can still print and see the
 * main thread's globals) and exits with status 0 after the last one
 * returns. An alarm ends a hung run after 5 s.
 */
#include "compat.h"
#include <pthread.h>
#include <unistd.h>

static int shared = 5;
static pthread_t first;

static void *worker(void *arg)
{
	long i = (long)arg;
	if (i == 1)
		pthread_join(first, NULL); /* print in order */
	usleep(100000);
	printf("worker %ld: still running after main's pthread_exit, shared=%d\n", i, shared);
	fflush(stdout);
	return NULL;
}

int main(void)
{
	alarm(5); /* bounds a hung run */
	pthread_t second;
	pthread_create(&first, NULL, worker, (void *)0L);
	pthread_create(&second, NULL, worker, (void *)1L);
	printf("main calls pthread_exit\n");
	fflush(stdout);
	pthread_exit(NULL);
}
