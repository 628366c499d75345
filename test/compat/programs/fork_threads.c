/*
 * fork_threads: fork in a process with 4 running threads: the child has
 * one thread (/proc/self/status Threads: 1, /proc/self/task has one
 * entry), keeps the memory of all of them, sees a mutex another thread
 * held at fork time still locked, can malloc, printf and create threads
 * of its own; pthread_atfork handlers run in order (prepare in reverse).
 */
#include "compat.h"
#include <dirent.h>
#include <pthread.h>
#include <sys/wait.h>
#include <unistd.h>

static pthread_mutex_t held = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t ready;
static volatile int stop;
static volatile long spins[3];
static char order[32];

static void *spinner(void *arg)
{
	long i = (long)arg;
	pthread_barrier_wait(&ready);
	while (!stop)
		spins[i]++;
	return NULL;
}

static void *holder(void *arg)
{
	pthread_mutex_lock(&held);
	pthread_barrier_wait(&ready);
	while (!stop)
		usleep(1000);
	pthread_mutex_unlock(&held);
	return NULL;
}

static void *child_thread(void *arg) { return (void *)42L; }

static int threads_in_status(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	int n = -1;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "Threads: %d", &n) == 1)
			break;
	fclose(f);
	return n;
}

static int tasks(void)
{
	DIR *d = opendir("/proc/self/task");
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static void prep1(void) { strcat(order, "P1 "); }
static void prep2(void) { strcat(order, "P2 "); }
static void parent1(void) { strcat(order, "A1 "); }
static void parent2(void) { strcat(order, "A2 "); }
static void child1(void) { strcat(order, "C1 "); }
static void child2(void) { strcat(order, "C2 "); }

int main(void)
{
	pthread_barrier_init(&ready, NULL, 5);
	pthread_t t[4];
	for (long i = 0; i < 3; i++)
		pthread_create(&t[i], NULL, spinner, (void *)i);
	pthread_create(&t[3], NULL, holder, NULL);
	pthread_barrier_wait(&ready);
	pthread_atfork(prep1, parent1, child1);
	pthread_atfork(prep2, parent2, child2);
	CHECK_RET("parent: 5 threads", threads_in_status(), 5);
	for (int i = 0; i < 5000 && (spins[0] < 1000 || spins[1] < 1000 || spins[2] < 1000); i++)
		usleep(1000);
	check("spinners running at fork time", spins[0] >= 1000 && spins[1] >= 1000 && spins[2] >= 1000);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		printf("child atfork order: %s\n", order);
		check("child: Threads: 1", threads_in_status() == 1);
		check("child: one task", tasks() == 1);
		check("child: mutex held by another thread is still locked", pthread_mutex_trylock(&held) == EBUSY);
		char *m = malloc(1 << 20);
		check("child: malloc works", m != NULL);
		free(m);
		pthread_t ct;
		void *r;
		check("child: pthread_create", pthread_create(&ct, NULL, child_thread, NULL) == 0);
		pthread_join(ct, &r);
		check("child: its thread ran", r == (void *)42L);
		fflush(stdout);
		_exit(compat_done());
	}
	int st;
	waitpid(pid, &st, 0);
	printf("parent atfork order: %s\n", order);
	check("child passed", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	stop = 1;
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	return compat_done();
}
