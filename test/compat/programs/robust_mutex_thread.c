/*
 * robust_mutex_thread: a robust mutex held by a thread that exits: the
 * next locker gets EOWNERDEAD (the kernel walks the dead thread's robust
 * list); a waiter blocked in lock at the time of death is woken with it.
 */
#include "compat.h"
#include <pthread.h>
#include <unistd.h>

static pthread_mutex_t m;
static pthread_barrier_t bar;

static void *holder(void *arg)
{
	pthread_mutex_lock(&m);
	pthread_barrier_wait(&bar);
	usleep(100000);
	return NULL; /* exits holding it */
}

static void *waiter(void *arg)
{
	pthread_barrier_wait(&bar);
	long r = pthread_mutex_lock(&m);
	if (r == EOWNERDEAD) {
		pthread_mutex_consistent(&m);
		pthread_mutex_unlock(&m);
	}
	return (void *)r;
}

int main(void)
{
	pthread_mutexattr_t a;
	pthread_mutexattr_init(&a);
	pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
	pthread_mutex_init(&m, &a);
	pthread_barrier_init(&bar, NULL, 2);
	pthread_t t;
	pthread_create(&t, NULL, holder, NULL);
	pthread_barrier_wait(&bar);
	pthread_join(t, NULL);
	CHECK_RET("lock after the owning thread exited: EOWNERDEAD", pthread_mutex_lock(&m), EOWNERDEAD);
	pthread_mutex_consistent(&m);
	pthread_mutex_unlock(&m);

	pthread_barrier_init(&bar, NULL, 3);
	pthread_t h, w;
	pthread_create(&h, NULL, holder, NULL);
	pthread_create(&w, NULL, waiter, NULL);
	pthread_barrier_wait(&bar);
	void *r;
	pthread_join(w, &r);
	pthread_join(h, NULL);
	CHECK_RET("a blocked waiter wakes with EOWNERDEAD", (long)r, EOWNERDEAD);
	CHECK_RET("then the mutex is fine", pthread_mutex_lock(&m), 0);
	return compat_done();
}
