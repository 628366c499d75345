/*
 * tls_threads: __thread variables are per thread (8 threads each count to
 * their own total), initialised from the TLS image in every new thread;
 * pthread keys run their destructors at thread exit; errno is per thread.
 */
#include "compat.h"
#include <pthread.h>
#include <unistd.h>

static __thread long counter = 1000;
static __thread char tag[16] = "init";
static pthread_key_t key;
static volatile int destructed;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

static void destroy(void *v)
{
	pthread_mutex_lock(&mu);
	destructed += (int)(long)v;
	pthread_mutex_unlock(&mu);
}

static void *worker(void *arg)
{
	long id = (long)arg;
	int ok = counter == 1000 && strcmp(tag, "init") == 0;
	snprintf(tag, sizeof tag, "t%ld", id);
	for (long i = 0; i < id * 1000; i++) {
		counter++;
		if (i % 100 == 0)
			sched_yield();
	}
	pthread_setspecific(key, (void *)(id + 1));
	errno = (int)id + 100;
	usleep(10000);
	ok &= errno == (int)id + 100;
	ok &= counter == 1000 + id * 1000;
	char want[16];
	snprintf(want, sizeof want, "t%ld", id);
	ok &= strcmp(tag, want) == 0;
	return (void *)(long)ok;
}

int main(void)
{
	pthread_key_create(&key, destroy);
	pthread_t t[8];
	for (long i = 0; i < 8; i++)
		pthread_create(&t[i], NULL, worker, (void *)i);
	int ok = 1;
	for (int i = 0; i < 8; i++) {
		void *r;
		pthread_join(t[i], &r);
		ok &= r == (void *)1L;
	}
	check("each thread's __thread values were its own", ok);
	check("main's copy untouched", counter == 1000 && strcmp(tag, "init") == 0);
	CHECK_RET("key destructors ran with each value (sum 1..8)", destructed, 36);
	return compat_done();
}
