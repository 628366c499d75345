/*
 * leader_zombie_state: after the main thread exits alone (pthread_exit),
 * the process runs on in its other thread, and /proc shows the leader as
 * a zombie: /proc/self/status (the leader's) and its task entry say
 * "Z (zombie)" while the worker's says it is running.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static pid_t leader;

static void show(const char *label, const char *path)
{
	char buf[256];
	FILE *f = fopen(path, "r");
	if (!f) {
		printf("%s: cannot open\n", path);
		return;
	}
	while (fgets(buf, sizeof buf, f))
		if (!strncmp(buf, "State:", 6) || !strncmp(buf, "Threads:", 8))
			printf("%s %s", label, buf);
	fclose(f);
}

static void *worker(void *arg)
{
	(void)arg;
	usleep(200000); /* the main thread has exited by now */
	show("process", "/proc/self/status");
	char path[64];
	snprintf(path, sizeof path, "/proc/self/task/%d/status", (int)leader);
	show("leader", path);
	snprintf(path, sizeof path, "/proc/self/task/%ld/status", (long)syscall(SYS_gettid));
	show("worker", path);
	fflush(stdout);
	return NULL;
}

int main(void)
{
	leader = getpid();
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	pthread_exit(NULL);
}
