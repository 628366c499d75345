/*
 * robust_mutex_process: a process-shared robust mutex in shared memory:
 * a child locks it and exits; the parent's lock returns EOWNERDEAD, it
 * marks the mutex consistent, unlocks and relocks normally; had it
 * unlocked without pthread_mutex_consistent, the mutex would become
 * unusable (ENOTRECOVERABLE).
 */
#include "compat.h"
#include <pthread.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static pthread_mutex_t *make(void)
{
	pthread_mutex_t *m = mmap(NULL, sizeof *m, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pthread_mutexattr_t a;
	pthread_mutexattr_init(&a);
	pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
	pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
	pthread_mutex_init(m, &a);
	return m;
}

static void die_holding(pthread_mutex_t *m)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		pthread_mutex_lock(m);
		_exit(0);
	}
	waitpid(pid, NULL, 0);
}

int main(void)
{
	pthread_mutex_t *m = make();
	die_holding(m);
	CHECK_RET("lock after the owner died: EOWNERDEAD", pthread_mutex_lock(m), EOWNERDEAD);
	CHECK_RET("pthread_mutex_consistent", pthread_mutex_consistent(m), 0);
	CHECK_RET("unlock", pthread_mutex_unlock(m), 0);
	CHECK_RET("lock again: 0", pthread_mutex_lock(m), 0);
	CHECK_RET("unlock", pthread_mutex_unlock(m), 0);

	pthread_mutex_t *n = make();
	die_holding(n);
	CHECK_RET("trylock after the owner died: EOWNERDEAD", pthread_mutex_trylock(n), EOWNERDEAD);
	CHECK_RET("unlock without consistent", pthread_mutex_unlock(n), 0);
	CHECK_RET("lock: ENOTRECOVERABLE", pthread_mutex_lock(n), ENOTRECOVERABLE);
	return compat_done();
}
