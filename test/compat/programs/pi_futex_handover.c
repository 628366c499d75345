/*
 * pi_futex_handover: FUTEX_UNLOCK_PI with two threads blocked in
 * FUTEX_LOCK_PI hands the futex to one of them: the word becomes the new
 * owner's tid with FUTEX_WAITERS set (Linux sets it on every hand-over,
 * whether or not more waiters remain, so the next unlock goes through the
 * kernel too). The new owner unlocks through the kernel and the second
 * waiter gets the lock the same way. An alarm ends a hung run after 5 s.
 */
#include "compat.h"
#include <linux/futex.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

static _Atomic uint32_t word;
static volatile int blocked;
static volatile uint32_t seen[2];
static volatile int order;

static long fx(int op) { return syscall(SYS_futex, &word, op, 0, NULL, NULL, 0); }

static void *waiter(void *arg)
{
	__atomic_fetch_add(&blocked, 1, __ATOMIC_SEQ_CST);
	uint32_t tid = syscall(SYS_gettid);
	if (fx(FUTEX_LOCK_PI_PRIVATE) != 0)
		return (void *)1L;
	int i = __atomic_fetch_add(&order, 1, __ATOMIC_SEQ_CST);
	uint32_t w = word;
	seen[i] = (w & FUTEX_TID_MASK) == tid ? (w & FUTEX_WAITERS ? 2 : 1) : 0;
	usleep(50000);
	uint32_t expect = tid;
	if (!__atomic_compare_exchange_n(&word, &expect, 0, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
		fx(FUTEX_UNLOCK_PI_PRIVATE);
	return NULL;
}

int main(void)
{
	alarm(5);
	word = syscall(SYS_gettid); /* taken uncontended, as glibc does */
	pthread_t a, b;
	pthread_create(&a, NULL, waiter, NULL);
	pthread_create(&b, NULL, waiter, NULL);
	while (blocked < 2)
		usleep(1000);
	usleep(100000);
	check("both waiters set FUTEX_WAITERS", word & FUTEX_WAITERS);
	CHECK_RET("FUTEX_UNLOCK_PI", fx(FUTEX_UNLOCK_PI_PRIVATE), 0);
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	check("first new owner: its tid with FUTEX_WAITERS", seen[0] == 2);
	check("second (last) owner: its tid with FUTEX_WAITERS", seen[1] == 2);
	CHECK_RET("word is 0 at the end", word, 0);
	return compat_done();
}
