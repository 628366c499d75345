/*
 * pi_mutex_contention: 8 threads contend for one priority-inheritance
 * mutex (FUTEX_LOCK_PI / FUTEX_UNLOCK_PI), 5 rounds of 2000 lock/unlock
 * pairs each; the total is exact and nobody is left waiting. An alarm
 * ends a hung run after 10 s.
 */
#include "compat.h"
#include <pthread.h>
#include <unistd.h>

static pthread_mutex_t m;
static long counter;

static void *worker(void *arg)
{
	for (int i = 0; i < 2000; i++) {
		pthread_mutex_lock(&m);
		counter++;
		pthread_mutex_unlock(&m);
	}
	return NULL;
}

int main(void)
{
	alarm(10);
	pthread_mutexattr_t a;
	pthread_mutexattr_init(&a);
	pthread_mutexattr_setprotocol(&a, PTHREAD_PRIO_INHERIT);
	pthread_mutex_init(&m, &a);
	for (int round = 0; round < 5; round++) {
		pthread_t t[8];
		for (int i = 0; i < 8; i++)
			pthread_create(&t[i], NULL, worker, NULL);
		for (int i = 0; i < 8; i++)
			pthread_join(t[i], NULL);
	}
	CHECK_RET("counter after 5 rounds of 8 threads", counter, 5 * 8 * 2000);
	return compat_done();
}
