/*
 * pthread_cancel_calls: deferred cancellation acts at a cancellation
 * point (a blocking read), runs cleanup handlers in reverse order and
 * joins as PTHREAD_CANCELED; with cancellation disabled it waits until
 * enabled; asynchronous cancellation stops a busy loop; joins of detached
 * threads give EINVAL; pthread_join returns the thread's value.
 */
#include "compat.h"
#include <pthread.h>
#include <unistd.h>

static char order[32];
static int p[2];
static volatile int in_loop;

static void cleanup(void *arg) { strcat(order, arg); }

static void *reader(void *arg)
{
	pthread_cleanup_push(cleanup, "A");
	pthread_cleanup_push(cleanup, "B");
	char c;
	read(p[0], &c, 1);
	pthread_cleanup_pop(0);
	pthread_cleanup_pop(0);
	return NULL;
}

static void *disabled(void *arg)
{
	int old;
	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old);
	usleep(100000);
	pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, &old);
	pthread_testcancel();
	return (void *)1L;
}

static void *spinner(void *arg)
{
	int old;
	pthread_setcanceltype(PTHREAD_CANCEL_ASYNCHRONOUS, &old);
	in_loop = 1;
	for (volatile unsigned long i = 0;; i++)
		;
	return NULL;
}

static void *value(void *arg) { return (void *)1234L; }

int main(void)
{
	pipe(p);
	pthread_t t;
	void *r;
	pthread_create(&t, NULL, reader, NULL);
	usleep(50000);
	CHECK_RET("pthread_cancel", pthread_cancel(t), 0);
	pthread_join(t, &r);
	check("joined as PTHREAD_CANCELED", r == PTHREAD_CANCELED);
	printf("cleanup order: %s\n", order);
	pthread_create(&t, NULL, disabled, NULL);
	usleep(20000);
	pthread_cancel(t);
	pthread_join(t, &r);
	check("disabled then enabled: canceled at testcancel", r == PTHREAD_CANCELED);
	pthread_create(&t, NULL, spinner, NULL);
	while (!in_loop)
		usleep(1000);
	pthread_cancel(t);
	pthread_join(t, &r);
	check("asynchronous cancel of a busy loop", r == PTHREAD_CANCELED);
	pthread_create(&t, NULL, value, NULL);
	pthread_join(t, &r);
	check("join returns the value", r == (void *)1234L);
	pthread_attr_t a;
	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	pthread_create(&t, &a, value, NULL);
	CHECK_RET("join of a detached thread: EINVAL", pthread_join(t, &r), EINVAL);
	CHECK_RET("join of itself: EDEADLK", pthread_join(pthread_self(), &r), EDEADLK);
	return compat_done();
}
