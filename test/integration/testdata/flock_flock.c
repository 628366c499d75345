/*
 * flock_flock: flock(2) locks belong to open file descriptions: two opens
 * of one file conflict, dups share a lock, and the lock goes with the
 * last fd of its description. flock and fcntl locks do not interact.
 */
#include "pipetest.h"
#include <sys/file.h>

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	const char *path = "/tmp/flock_flock.lock";
	int a = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	int b = open(path, O_RDONLY);
	MUST(a);
	MUST(b);
	SHOW("a LOCK_SH", flock(a, LOCK_SH));
	SHOW("b LOCK_SH|LOCK_NB", flock(b, LOCK_SH | LOCK_NB));
	SHOW("b LOCK_EX|LOCK_NB", flock(b, LOCK_EX | LOCK_NB));
	/* A conversion drops the old lock first: b's failed one lost it. */
	SHOW("a LOCK_EX|LOCK_NB", flock(a, LOCK_EX | LOCK_NB));
	SHOW("b LOCK_EX|LOCK_NB", flock(b, LOCK_EX | LOCK_NB));
	SHOW("a LOCK_SH|LOCK_NB", flock(a, LOCK_SH | LOCK_NB));
	SHOW("b LOCK_UN", flock(b, LOCK_UN));
	SHOW("a LOCK_EX|LOCK_NB", flock(a, LOCK_EX | LOCK_NB));
	SHOW("a LOCK_EX again", flock(a, LOCK_EX));
	int a2 = dup(a);
	SHOW("the dup shares it: a2 LOCK_EX|LOCK_NB", flock(a2, LOCK_EX | LOCK_NB));
	SHOW("b LOCK_SH|LOCK_NB", flock(b, LOCK_SH | LOCK_NB));
	close(a);
	SHOW("closing one fd keeps it: b LOCK_SH|LOCK_NB", flock(b, LOCK_SH | LOCK_NB));
	close(a2);
	SHOW("closing the last fd drops it: b LOCK_EX|LOCK_NB", flock(b, LOCK_EX | LOCK_NB));

	/* fcntl locks are a separate world. */
	int c = open(path, O_RDWR);
	struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
	SHOW("fcntl F_SETLK while b holds flock LOCK_EX", fcntl(c, F_SETLK, &fl));
	SHOW("F_OFD_SETLK: the process's own POSIX lock conflicts", fcntl(c, F_OFD_SETLK, &fl));
	SHOW("b LOCK_UN", flock(b, LOCK_UN));
	SHOW("LOCK_UN when not locked", flock(b, LOCK_UN));

	/* Pipes take flock locks too. */
	int p[2];
	MUST(pipe(p));
	SHOW("pipe LOCK_EX", flock(p[0], LOCK_EX | LOCK_NB));

	SHOW("bad operation", flock(c, 0));
	SHOW("LOCK_NB alone", flock(c, LOCK_NB));
	SHOW("LOCK_SH|LOCK_EX", flock(c, LOCK_SH | LOCK_EX));
	SHOW("LOCK_MAND is ignored", flock(c, 32 | LOCK_EX));
	SHOW("bad fd", flock(99, LOCK_SH));
	int o = open(path, O_PATH);
	SHOW("O_PATH fd", flock(o, LOCK_SH));
	SHOW("O_PATH fd, LOCK_UN", flock(o, LOCK_UN));
	unlink(path);
	return 0;
}
