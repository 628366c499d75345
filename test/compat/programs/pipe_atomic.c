/*
 * pipe_atomic: writes of up to PIPE_BUF bytes are atomic: four children
 * each write 200 records of PIPE_BUF bytes of their own letter into one
 * pipe; the reader finds every record whole. A blocking write larger than
 * the pipe completes once the reader drains it.
 */
#include "compat.h"
#include <limits.h>
#include <sys/wait.h>
#include <unistd.h>

#define WRITERS 4
#define RECORDS 200

static int read_full(int fd, char *buf, int n)
{
	int got = 0;
	while (got < n) {
		int r = read(fd, buf + got, n - got);
		if (r <= 0)
			return got;
		got += r;
	}
	return got;
}

int main(void)
{
	printf("PIPE_BUF: %d\n", PIPE_BUF);
	int p[2];
	pipe(p);
	fflush(stdout);
	for (int w = 0; w < WRITERS; w++) {
		if (fork() == 0) {
			close(p[0]);
			char rec[PIPE_BUF];
			memset(rec, 'a' + w, sizeof rec);
			for (int i = 0; i < RECORDS; i++)
				if (write(p[1], rec, sizeof rec) != sizeof rec)
					_exit(1);
			_exit(0);
		}
	}
	close(p[1]);
	int counts[WRITERS] = {0}, torn = 0, records = 0;
	char rec[PIPE_BUF];
	while (read_full(p[0], rec, sizeof rec) == sizeof rec) {
		records++;
		int c = rec[0] - 'a';
		for (int i = 1; i < PIPE_BUF; i++)
			if (rec[i] != rec[0]) {
				torn++;
				break;
			}
		if (c >= 0 && c < WRITERS)
			counts[c]++;
	}
	int ok = 1, st;
	for (int w = 0; w < WRITERS; w++) {
		wait(&st);
		ok &= WIFEXITED(st) && WEXITSTATUS(st) == 0;
	}
	check("writers all succeeded", ok);
	CHECK_RET("records read", records, WRITERS * RECORDS);
	CHECK_RET("torn records", torn, 0);
	for (int w = 0; w < WRITERS; w++)
		printf("writer %c: %d records\n", 'a' + w, counts[w]);

	pipe(p);
	static char big[200000];
	memset(big, 'z', sizeof big);
	if (fork() == 0) {
		close(p[0]);
		_exit(write(p[1], big, sizeof big) == sizeof big ? 0 : 1);
	}
	close(p[1]);
	static char in[200000];
	CHECK_RET("a 200000-byte blocking write arrives whole", read_full(p[0], in, sizeof in), 200000);
	wait(&st);
	check("the writer's write returned the full count", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	return compat_done();
}
