/*
 * pthread_cond8: a bounded queue of 4 slots with condition variables: 4
 * producers each put 5000 numbers, 4 consumers take them all; the sum and
 * count are exact; pthread_cond_broadcast wakes all 8 waiters;
 * pthread_cond_timedwait times out with ETIMEDOUT, also on a
 * CLOCK_MONOTONIC condition variable.
 */
#include "compat.h"
#include <pthread.h>
#include <time.h>

#define PER 5000
#define SLOTS 4

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t not_full = PTHREAD_COND_INITIALIZER, not_empty = PTHREAD_COND_INITIALIZER;
static long q[SLOTS];
static int head, count, done_producers;
static long sum, taken;

static void *producer(void *arg)
{
	long base = (long)arg * PER;
	for (long i = 1; i <= PER; i++) {
		pthread_mutex_lock(&mu);
		while (count == SLOTS)
			pthread_cond_wait(&not_full, &mu);
		q[(head + count++) % SLOTS] = base + i;
		pthread_cond_signal(&not_empty);
		pthread_mutex_unlock(&mu);
	}
	pthread_mutex_lock(&mu);
	done_producers++;
	pthread_cond_broadcast(&not_empty);
	pthread_mutex_unlock(&mu);
	return NULL;
}

static void *consumer(void *arg)
{
	for (;;) {
		pthread_mutex_lock(&mu);
		while (count == 0 && done_producers < 4)
			pthread_cond_wait(&not_empty, &mu);
		if (count == 0) {
			pthread_mutex_unlock(&mu);
			return NULL;
		}
		long v = q[head];
		head = (head + 1) % SLOTS;
		count--;
		sum += v;
		taken++;
		pthread_cond_signal(&not_full);
		pthread_mutex_unlock(&mu);
	}
}

static pthread_cond_t gate = PTHREAD_COND_INITIALIZER;
static int open_gate, waiting, woken;

static void *gate_waiter(void *arg)
{
	pthread_mutex_lock(&mu);
	waiting++;
	while (!open_gate)
		pthread_cond_wait(&gate, &mu);
	woken++;
	pthread_mutex_unlock(&mu);
	return NULL;
}

int main(void)
{
	pthread_t t[8];
	for (long i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, producer, (void *)i);
	for (int i = 4; i < 8; i++)
		pthread_create(&t[i], NULL, consumer, NULL);
	for (int i = 0; i < 8; i++)
		pthread_join(t[i], NULL);
	long n = 4L * PER;
	printf("taken %ld sum %ld\n", taken, sum);
	check("every item once", taken == n && sum == n * (n + 1) / 2);

	for (int i = 0; i < 8; i++)
		pthread_create(&t[i], NULL, gate_waiter, NULL);
	for (;;) {
		pthread_mutex_lock(&mu);
		int w = waiting;
		pthread_mutex_unlock(&mu);
		if (w == 8)
			break;
		sched_yield();
	}
	pthread_mutex_lock(&mu);
	open_gate = 1;
	pthread_cond_broadcast(&gate);
	pthread_mutex_unlock(&mu);
	for (int i = 0; i < 8; i++)
		pthread_join(t[i], NULL);
	CHECK_RET("broadcast woke all 8", woken, 8);

	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += 20000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&mu);
	CHECK_RET("timedwait: ETIMEDOUT", pthread_cond_timedwait(&gate, &mu, &ts), ETIMEDOUT);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_t mono;
	pthread_cond_init(&mono, &ca);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_nsec += 20000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	CHECK_RET("CLOCK_MONOTONIC timedwait: ETIMEDOUT", pthread_cond_timedwait(&mono, &mu, &ts), ETIMEDOUT);
	pthread_mutex_unlock(&mu);
	return compat_done();
}
