/*
 * pi_mutex_robust: a robust priority-inheritance mutex whose owner thread
 * exits holding it. Linux walks the dying thread's robust list before it
 * clears the thread id and wakes pthread_join, so right after the join the
 * futex word already carries FUTEX_OWNER_DIED, and the next lock returns
 * EOWNERDEAD. Repeated 20 times with a fresh mutex and thread; when the
 * bit is missing the program waits 50 ms before locking.
 */
#include "compat.h"
#include <linux/futex.h>
#include <pthread.h>
#include <stdint.h>
#include <unistd.h>

static pthread_mutex_t r;

static void *die_holding(void *arg)
{
	pthread_mutex_lock(&r);
	return NULL;
}

int main(void)
{
	alarm(10); /* bounds a hung run */
	pthread_mutexattr_t a;
	pthread_mutexattr_init(&a);
	pthread_mutexattr_setprotocol(&a, PTHREAD_PRIO_INHERIT);
	pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
	int marked = 0, owner_dead = 0;
	for (int i = 0; i < 20; i++) {
		pthread_mutex_init(&r, &a);
		pthread_t o;
		pthread_create(&o, NULL, die_holding, NULL);
		pthread_join(o, NULL);
		/* glibc's pthread_mutex_t starts with the futex word */
		uint32_t word = __atomic_load_n((uint32_t *)&r, __ATOMIC_SEQ_CST);
		if (word & FUTEX_OWNER_DIED)
			marked++;
		else
			usleep(50000);
		if (pthread_mutex_lock(&r) == EOWNERDEAD)
			owner_dead++;
		pthread_mutex_consistent(&r);
		pthread_mutex_unlock(&r);
		pthread_mutex_destroy(&r);
	}
	CHECK_RET("FUTEX_OWNER_DIED set when pthread_join returns", marked, 20);
	CHECK_RET("EOWNERDEAD after each owner's exit", owner_dead, 20);
	return compat_done();
}
