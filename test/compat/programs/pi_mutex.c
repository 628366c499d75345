/*
 * pi_mutex: priority-inheritance mutexes (FUTEX_LOCK_PI/UNLOCK_PI under
 * contention): 2 threads increment a counter 20000 times each; the total
 * is exact (pi_mutex_contention: 8 threads); trylock while held gives EBUSY; an error-checking PI mutex
 * relocked gives EDEADLK (pi_mutex_robust: owner death).
 */
#include "compat.h"
#include <pthread.h>
#include <unistd.h>

static pthread_mutex_t m;
static long counter;

static void *worker(void *arg)
{
	for (int i = 0; i < 20000; i++) {
		pthread_mutex_lock(&m);
		counter++;
		if (i % 1000 == 0)
			sched_yield();
		pthread_mutex_unlock(&m);
	}
	return NULL;
}

static void *trier(void *arg) { return (void *)(long)pthread_mutex_trylock(&m); }

int main(void)
{
	pthread_mutexattr_t a;
	pthread_mutexattr_init(&a);
	CHECK_RET("setprotocol PTHREAD_PRIO_INHERIT", pthread_mutexattr_setprotocol(&a, PTHREAD_PRIO_INHERIT), 0);
	pthread_mutex_init(&m, &a);
	pthread_t t[2];
	for (int i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, worker, NULL);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	CHECK_RET("counter", counter, 40000);
	pthread_mutex_lock(&m);
	pthread_t o;
	void *v;
	pthread_create(&o, NULL, trier, NULL);
	pthread_join(o, &v);
	CHECK_RET("trylock by another thread: EBUSY", (long)v, EBUSY);
	pthread_mutex_unlock(&m);

	pthread_mutex_t e;
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ERRORCHECK);
	pthread_mutex_init(&e, &a);
	pthread_mutex_lock(&e);
	CHECK_RET("errorcheck PI relock: EDEADLK", pthread_mutex_lock(&e), EDEADLK);
	pthread_mutex_unlock(&e);
	return compat_done();
}
