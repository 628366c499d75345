/*
 * sigsegv_thread: a SIGSEGV in a second thread, with no handler, kills
 * the whole process (status 139) while the main thread is blocked in
 * read; nothing after the fault runs.
 */
#include "compat.h"
#include <pthread.h>
#include <unistd.h>

static void *crasher(void *arg)
{
	usleep(50000);
	printf("thread faults now\n");
	fflush(stdout);
	*(volatile int *)8 = 1;
	printf("after the fault: wrong\n");
	return NULL;
}

int main(void)
{
	int p[2];
	pipe(p);
	pthread_t t;
	pthread_create(&t, NULL, crasher, NULL);
	char c;
	read(p[0], &c, 1);
	printf("main thread: read returned: wrong\n");
	return 0;
}
