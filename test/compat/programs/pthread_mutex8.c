/*
 * pthread_mutex8: 8 threads increment shared counters 50000 times each
 * under a normal, a recursive and an error-checking mutex; the totals are
 * exact; error-checking mutexes report EDEADLK on relock and EPERM on
 * unlock by a non-owner; trylock gives EBUSY while held; timedlock times
 * out with ETIMEDOUT.
 */
#include "compat.h"
#include <pthread.h>
#include <time.h>

#define THREADS 8
#define ITERS 50000

static pthread_mutex_t normal = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t recursive, errorcheck;
static long c1, c2, c3;

static void *worker(void *arg)
{
	for (int i = 0; i < ITERS; i++) {
		pthread_mutex_lock(&normal);
		c1++;
		pthread_mutex_unlock(&normal);
		pthread_mutex_lock(&recursive);
		pthread_mutex_lock(&recursive);
		c2++;
		pthread_mutex_unlock(&recursive);
		pthread_mutex_unlock(&recursive);
		pthread_mutex_lock(&errorcheck);
		c3++;
		pthread_mutex_unlock(&errorcheck);
	}
	return NULL;
}

static int r1, r2, r3;

static void *try_other(void *arg)
{
	r1 = pthread_mutex_trylock(&normal);
	r2 = pthread_mutex_unlock(&errorcheck);
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += 50000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	r3 = pthread_mutex_timedlock(&normal, &ts);
	return NULL;
}

int main(void)
{
	pthread_mutexattr_t a;
	pthread_mutexattr_init(&a);
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&recursive, &a);
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ERRORCHECK);
	pthread_mutex_init(&errorcheck, &a);
	pthread_t t[THREADS];
	for (int i = 0; i < THREADS; i++)
		pthread_create(&t[i], NULL, worker, NULL);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	printf("normal %ld recursive %ld errorcheck %ld\n", c1, c2, c3);
	check("all totals exact", c1 == THREADS * ITERS && c2 == c1 && c3 == c1);

	pthread_mutex_lock(&errorcheck);
	CHECK_RET("errorcheck relock: EDEADLK", pthread_mutex_lock(&errorcheck), EDEADLK);
	pthread_mutex_lock(&normal);
	pthread_t o;
	pthread_create(&o, NULL, try_other, NULL);
	pthread_join(o, NULL);
	CHECK_RET("trylock held by another thread: EBUSY", r1, EBUSY);
	CHECK_RET("errorcheck unlock by a non-owner: EPERM", r2, EPERM);
	CHECK_RET("timedlock: ETIMEDOUT", r3, ETIMEDOUT);
	pthread_mutex_unlock(&normal);
	pthread_mutex_unlock(&errorcheck);
	CHECK_RET("errorcheck unlock when unlocked: EPERM", pthread_mutex_unlock(&errorcheck), EPERM);
	return compat_done();
}
