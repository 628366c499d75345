/*
 * pthread_rwlock8: 6 readers and 2 writers on a rwlock: writers are
 * exclusive (no reader or other writer inside with them), readers do
 * share (at some point two are inside together); writes all land;
 * tryrdlock/trywrlock give EBUSY against a writer; a writer-preferring
 * rwlock.
 */
#include "compat.h"
#include <pthread.h>
#include <unistd.h>

static pthread_rwlock_t rw;
static int readers_in, writers_in, max_readers, violations;
static long value;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

static void *reader(void *arg)
{
	for (int i = 0; i < 2000; i++) {
		pthread_rwlock_rdlock(&rw);
		pthread_mutex_lock(&mu);
		readers_in++;
		if (writers_in)
			violations++;
		if (readers_in > max_readers)
			max_readers = readers_in;
		pthread_mutex_unlock(&mu);
		if (i % 100 == 0)
			usleep(200);
		pthread_mutex_lock(&mu);
		readers_in--;
		pthread_mutex_unlock(&mu);
		pthread_rwlock_unlock(&rw);
	}
	return NULL;
}

static void *writer(void *arg)
{
	for (int i = 0; i < 2000; i++) {
		pthread_rwlock_wrlock(&rw);
		pthread_mutex_lock(&mu);
		writers_in++;
		if (writers_in > 1 || readers_in)
			violations++;
		pthread_mutex_unlock(&mu);
		value++;
		pthread_mutex_lock(&mu);
		writers_in--;
		pthread_mutex_unlock(&mu);
		pthread_rwlock_unlock(&rw);
	}
	return NULL;
}

static void *try_both(void *arg)
{
	long a = pthread_rwlock_tryrdlock(&rw), b = pthread_rwlock_trywrlock(&rw);
	return (void *)(a * 100 + b);
}

int main(void)
{
	pthread_rwlockattr_t at;
	pthread_rwlockattr_init(&at);
	pthread_rwlockattr_setkind_np(&at, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(&rw, &at);
	pthread_t t[8];
	for (int i = 0; i < 6; i++)
		pthread_create(&t[i], NULL, reader, NULL);
	for (int i = 6; i < 8; i++)
		pthread_create(&t[i], NULL, writer, NULL);
	for (int i = 0; i < 8; i++)
		pthread_join(t[i], NULL);
	CHECK_RET("writes", value, 4000);
	CHECK_RET("exclusion violations", violations, 0);
	check("readers overlapped", max_readers >= 2);
	pthread_rwlock_wrlock(&rw);
	pthread_t o;
	void *r;
	pthread_create(&o, NULL, try_both, NULL);
	pthread_join(o, &r);
	CHECK_RET("tryrdlock and trywrlock against a writer: EBUSY, EBUSY", (long)r, EBUSY * 100 + EBUSY);
	CHECK_RET("wrlock again by the owner: EDEADLK", pthread_rwlock_wrlock(&rw), EDEADLK);
	pthread_rwlock_unlock(&rw);
	pthread_rwlock_rdlock(&rw);
	pthread_create(&o, NULL, try_both, NULL);
	pthread_join(o, &r);
	CHECK_RET("against a reader: tryrdlock 0, trywrlock EBUSY", (long)r, EBUSY);
	return compat_done();
}
