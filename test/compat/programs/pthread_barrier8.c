/*
 * pthread_barrier8: 8 threads pass a barrier 200 times; in every round
 * exactly one gets PTHREAD_BARRIER_SERIAL_THREAD and no thread starts a
 * round before all finished the previous one.
 */
#include "compat.h"
#include <pthread.h>

#define THREADS 8
#define ROUNDS 200

static pthread_barrier_t b;
static int serial[ROUNDS];
static int arrived[ROUNDS];
static volatile int violations;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

static void *worker(void *arg)
{
	for (int r = 0; r < ROUNDS; r++) {
		pthread_mutex_lock(&mu);
		arrived[r]++;
		if (r > 0 && arrived[r - 1] != THREADS)
			violations++;
		pthread_mutex_unlock(&mu);
		int ret = pthread_barrier_wait(&b);
		if (ret == PTHREAD_BARRIER_SERIAL_THREAD) {
			pthread_mutex_lock(&mu);
			serial[r]++;
			pthread_mutex_unlock(&mu);
		} else if (ret != 0) {
			violations++;
		}
	}
	return NULL;
}

int main(void)
{
	CHECK_RET("barrier count 0: EINVAL", pthread_barrier_init(&b, NULL, 0), EINVAL);
	pthread_barrier_init(&b, NULL, THREADS);
	pthread_t t[THREADS];
	for (int i = 0; i < THREADS; i++)
		pthread_create(&t[i], NULL, worker, NULL);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	int bad = 0;
	for (int r = 0; r < ROUNDS; r++)
		bad += serial[r] != 1 || arrived[r] != THREADS;
	CHECK_RET("rounds without exactly one serial thread", bad, 0);
	CHECK_RET("threads ahead of the barrier", violations, 0);
	CHECK_RET("destroy", pthread_barrier_destroy(&b), 0);
	return compat_done();
}
