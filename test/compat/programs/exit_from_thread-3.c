/*
 * exit_from_thread: exit(3) called by a second thread while the main
 * thread is blocked in read ends the whole process with status 3 (exit
 * runs atexit handlers and flushes stdio once).
 */
#include "compat.h"
#include <pthread.h>
#include <unistd.h>

static void bye(void) { printf("atexit handler ran\n"); }

static void *quitter(void *arg)
{
	usleep(50000);
	printf("thread calls exit(3)\n");
	exit(3);
}

int main(void)
{
	atexit(bye);
	int p[2];
	pipe(p);
	pthread_t t;
	pthread_create(&t, NULL, quitter, NULL);
	char c;
	read(p[0], &c, 1);
	printf("main thread: read returned: wrong\n");
	return 0;
}
