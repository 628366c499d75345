/* Credentials belong to each thread; the C library's setuid changes every
 * thread's through a signal to each, and a raw system call only the
 * caller's. */
#include "proc_attr.h"
#include <pthread.h>

static pthread_barrier_t bar;

static void *thread(void *arg)
{
	(void)arg;
	pthread_barrier_wait(&bar); /* main changes IDs */
	pthread_barrier_wait(&bar);
	printf("thread uid after setresuid: %ld\n", syscall(SYS_geteuid));
	pthread_barrier_wait(&bar); /* main uses the raw call */
	pthread_barrier_wait(&bar);
	printf("thread gid after raw setgid: %ld\n", syscall(SYS_getegid));
	printf("thread fsuid: %ld\n", syscall(SYS_setfsuid, -1));
	return NULL;
}

int main(void)
{
	pthread_t th;
	pthread_barrier_init(&bar, NULL, 2);
	pthread_create(&th, NULL, thread, NULL);
	pthread_barrier_wait(&bar);
	T("setresuid(0, 1000, 0)", setresuid(0, 1000, 0));
	pthread_barrier_wait(&bar);
	pthread_barrier_wait(&bar);
	T("seteuid(0)", seteuid(0));
	T("raw setgid(55)", syscall(SYS_setgid, 55));
	T("raw setfsuid(9)", syscall(SYS_setfsuid, 9));
	printf("main gid: %ld\n", syscall(SYS_getegid));
	pthread_barrier_wait(&bar);
	pthread_join(th, NULL);
	return 0;
}
