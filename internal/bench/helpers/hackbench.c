/*
 * hackbench: message passing between groups of tasks, in the manner of the
 * kernel's hackbench (written afresh for moat bench).
 *
 *   hackbench pipe|socket process|thread GROUPS LOOPS
 *
 * Each group has 20 receivers, each with its own channel (a pipe, or a Unix
 * stream socket pair), and 20 senders; every sender writes LOOPS messages of
 * 100 bytes to every receiver of its group, and every receiver reads all
 * 20 * LOOPS of them. Tasks are processes (fork) or threads (pthreads). All
 * tasks start together once every one is ready; the time from then until
 * the last has finished is divided by the number of messages. Prints one
 * line:
 *
 *   mode=pipe kind=process tasks=N messages=M ns_per_message=X
 *
 * Exits 1, with a message on stderr, if any call fails.
 *
 * Built by moat bench with: gcc -static -O2 -pthread
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define FDS 20     /* receivers and senders per group */
#define MSG 100    /* bytes per message */

static int use_threads;
static long loops;
static int ready_pipe[2], go_pipe[2];

struct task {
	int sender;      /* 1: sender, 0: receiver */
	int out[FDS];    /* sender: the write ends of the group's channels */
	int in;          /* receiver: the read end of its channel */
};

static void die(const char *what)
{
	fprintf(stderr, "hackbench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void await_start(void)
{
	char c = 0;
	if (write(ready_pipe[1], &c, 1) != 1)
		die("write ready");
	/* The parent closes the go pipe's write end: read returns 0. */
	ssize_t n;
	while ((n = read(go_pipe[0], &c, 1)) < 0 && errno == EINTR)
		;
	if (n != 0)
		die("read go");
}

static void *run_task(void *arg)
{
	struct task *t = arg;
	char buf[MSG * 16];
	await_start();
	if (t->sender) {
		memset(buf, 's', MSG);
		for (long i = 0; i < loops; i++) {
			for (int j = 0; j < FDS; j++) {
				ssize_t done = 0;
				while (done < MSG) {
					ssize_t n = write(t->out[j], buf + done, MSG - done);
					if (n < 0 && errno == EINTR)
						continue;
					if (n <= 0)
						die("write");
					done += n;
				}
			}
		}
	} else {
		long want = (long)FDS * loops * MSG;
		while (want > 0) {
			ssize_t n = read(t->in, buf, want < (long)sizeof(buf) ? want : (long)sizeof(buf));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				die("read");
			want -= n;
		}
	}
	return NULL;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: hackbench pipe|socket process|thread GROUPS LOOPS\n");
		return 2;
	}
	int use_pipes = strcmp(argv[1], "pipe") == 0;
	if (!use_pipes && strcmp(argv[1], "socket") != 0) {
		fprintf(stderr, "hackbench: mode must be pipe or socket\n");
		return 2;
	}
	use_threads = strcmp(argv[2], "thread") == 0;
	if (!use_threads && strcmp(argv[2], "process") != 0) {
		fprintf(stderr, "hackbench: kind must be process or thread\n");
		return 2;
	}
	int groups = atoi(argv[3]);
	loops = atol(argv[4]);
	if (groups < 1 || loops < 1) {
		fprintf(stderr, "hackbench: GROUPS and LOOPS must be positive\n");
		return 2;
	}
	if (pipe(ready_pipe) < 0 || pipe(go_pipe) < 0)
		die("pipe");

	int ntasks = groups * FDS * 2;
	struct task *tasks = calloc(ntasks, sizeof(*tasks));
	pid_t *pids = calloc(ntasks, sizeof(*pids));
	pthread_t *threads = calloc(ntasks, sizeof(*threads));
	if (!tasks || !pids || !threads)
		die("calloc");
	int k = 0;
	for (int g = 0; g < groups; g++) {
		int wr[FDS];
		for (int r = 0; r < FDS; r++) {
			int fds[2];
			if (use_pipes) {
				if (pipe(fds) < 0)
					die("pipe");
			} else if (socketpair(AF_UNIX, SOCK_STREAM, 0, fds) < 0) {
				die("socketpair");
			}
			tasks[k].sender = 0;
			tasks[k].in = fds[0];
			wr[r] = fds[1];
			k++;
		}
		for (int s = 0; s < FDS; s++) {
			tasks[k].sender = 1;
			memcpy(tasks[k].out, wr, sizeof(wr));
			k++;
		}
	}
	for (int i = 0; i < ntasks; i++) {
		if (use_threads) {
			pthread_attr_t attr;
			pthread_attr_init(&attr);
			pthread_attr_setstacksize(&attr, 256 * 1024);
			errno = pthread_create(&threads[i], &attr, run_task, &tasks[i]);
			if (errno)
				die("pthread_create");
		} else {
			pid_t pid = fork();
			if (pid < 0)
				die("fork");
			if (pid == 0) {
				/* Only the parent may hold the go pipe open. */
				close(go_pipe[1]);
				run_task(&tasks[i]);
				_exit(0);
			}
			pids[i] = pid;
		}
	}
	for (int i = 0; i < ntasks; i++) {
		char c;
		ssize_t n = read(ready_pipe[0], &c, 1);
		if (n < 0 && errno == EINTR) {
			i--;
			continue;
		}
		if (n != 1)
			die("read ready");
	}
	double start = now();
	close(go_pipe[1]);
	int failed = 0;
	for (int i = 0; i < ntasks; i++) {
		if (use_threads) {
			pthread_join(threads[i], NULL);
		} else {
			int status;
			while (waitpid(pids[i], &status, 0) < 0) {
				if (errno != EINTR)
					die("waitpid");
			}
			if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
				failed = 1;
		}
	}
	double elapsed = now() - start;
	if (failed) {
		fprintf(stderr, "hackbench: a task failed\n");
		return 1;
	}
	long messages = (long)groups * FDS * FDS * loops;
	printf("mode=%s kind=%s tasks=%d messages=%ld ns_per_message=%.2f\n",
	       argv[1], argv[2], ntasks, messages, elapsed / messages);
	return 0;
}
