/*
 * futex_ops: FUTEX_WAIT with a changed value gives EAGAIN, with a timeout
 * ETIMEDOUT; FUTEX_WAKE returns how many it woke (2 of 3 waiters, then
 * the last); FUTEX_WAIT_BITSET/WAKE_BITSET match on bits; FUTEX_CMP_REQUEUE
 * with a wrong value gives EAGAIN and with the right one moves waiters to
 * a second futex; a shared (non-private) futex in MAP_SHARED memory wakes
 * a waiter in another process; bad ops ENOSYS, bad addresses EFAULT,
 * misaligned EINVAL.
 */
#include "compat.h"
#include <linux/futex.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static uint32_t a, b;
static volatile int woke, ntids;
static volatile pid_t tids[8];
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

static long fx(uint32_t *u, int op, uint32_t val, const struct timespec *ts, uint32_t *u2, uint32_t v3)
{
	return syscall(SYS_futex, u, op, val, ts, u2, v3);
}

static void *waiter(void *arg)
{
	long bits = (long)arg;
	tids[__atomic_fetch_add(&ntids, 1, __ATOMIC_SEQ_CST)] = syscall(SYS_gettid);
	long r = bits ? fx(&a, FUTEX_WAIT_BITSET_PRIVATE, 0, NULL, NULL, (uint32_t)bits) : fx(&a, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
	if (r == 0) {
		pthread_mutex_lock(&mu);
		woke++;
		pthread_mutex_unlock(&mu);
	}
	return NULL;
}

/* waits until the n waiter threads started since the last call are blocked */
static void all_blocked(int n)
{
	while (ntids < n)
		usleep(1000);
	int ok = 1;
	for (int i = 0; i < n; i++)
		ok &= compat_wait_sleeping(getpid(), tids[i]);
	if (!ok)
		printf("waiters did not block\n");
	ntids = 0;
}

static int count(void)
{
	pthread_mutex_lock(&mu);
	int n = woke;
	pthread_mutex_unlock(&mu);
	return n;
}

int main(void)
{
	a = 1;
	CHECK_ERR("FUTEX_WAIT with a changed value", fx(&a, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0), EAGAIN);
	struct timespec ts = {0, 20000000};
	CHECK_ERR("FUTEX_WAIT timeout", fx(&a, FUTEX_WAIT_PRIVATE, 1, &ts, NULL, 0), ETIMEDOUT);
	CHECK_RET("FUTEX_WAKE with no waiters", fx(&a, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0), 0);
	a = 0;
	pthread_t t[3];
	for (int i = 0; i < 3; i++)
		pthread_create(&t[i], NULL, waiter, NULL);
	all_blocked(3);
	CHECK_RET("FUTEX_WAKE 2 of 3", fx(&a, FUTEX_WAKE_PRIVATE, 2, NULL, NULL, 0), 2);
	usleep(50000);
	CHECK_RET("two woke", count(), 2);
	CHECK_RET("FUTEX_WAKE the rest", fx(&a, FUTEX_WAKE_PRIVATE, 10, NULL, NULL, 0), 1);
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);

	woke = 0;
	pthread_create(&t[0], NULL, waiter, (void *)1L);
	pthread_create(&t[1], NULL, waiter, (void *)2L);
	all_blocked(2);
	CHECK_RET("WAKE_BITSET bit 2 wakes one", fx(&a, FUTEX_WAKE_BITSET_PRIVATE, 10, NULL, NULL, 2), 1);
	CHECK_RET("WAKE_BITSET bit 4 wakes none", fx(&a, FUTEX_WAKE_BITSET_PRIVATE, 10, NULL, NULL, 4), 0);
	CHECK_RET("WAKE_BITSET bit 1 wakes the other", fx(&a, FUTEX_WAKE_BITSET_PRIVATE, 10, NULL, NULL, 1), 1);
	pthread_join(t[0], NULL);
	pthread_join(t[1], NULL);
	CHECK_ERR("WAIT_BITSET with bitset 0", fx(&a, FUTEX_WAIT_BITSET_PRIVATE, 0, NULL, NULL, 0), EINVAL);

	woke = 0;
	for (int i = 0; i < 3; i++)
		pthread_create(&t[i], NULL, waiter, NULL);
	all_blocked(3);
	CHECK_ERR("CMP_REQUEUE with the wrong value", fx(&a, FUTEX_CMP_REQUEUE_PRIVATE, 1, (void *)1L, &b, 5), EAGAIN);
	CHECK_RET("CMP_REQUEUE: wake 1, move 2", fx(&a, FUTEX_CMP_REQUEUE_PRIVATE, 1, (void *)2L, &b, 0), 3);
	CHECK_RET("nothing left on a", fx(&a, FUTEX_WAKE_PRIVATE, 10, NULL, NULL, 0), 0);
	CHECK_RET("the 2 moved ones wake from b", fx(&b, FUTEX_WAKE_PRIVATE, 10, NULL, NULL, 0), 2);
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	CHECK_RET("all three woke", count(), 3);

	uint32_t *sh = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		struct timespec t5 = {5, 0};
		long r = fx(sh, FUTEX_WAIT, 0, &t5, NULL, 0);
		_exit(r == 0 && *sh == 1 ? 0 : 1);
	}
	compat_wait_sleeping(pid, pid);
	*sh = 1;
	long n = fx(sh, FUTEX_WAKE, 1, NULL, NULL, 0);
	int st;
	waitpid(pid, &st, 0);
	check("shared futex across processes: woke 1, child saw the value", n == 1 && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK_ERR("unknown op", fx(&a, 99, 0, NULL, NULL, 0), ENOSYS);
	CHECK_ERR("bad address", fx((uint32_t *)8, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0), EFAULT);
	CHECK_ERR("misaligned address", fx((uint32_t *)((char *)&a + 1), FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0), EINVAL);
	struct timespec bad = {0, 1000000000};
	CHECK_ERR("bad timeout", fx(&a, FUTEX_WAIT_PRIVATE, a, &bad, NULL, 0), EINVAL);
	return compat_done();
}
