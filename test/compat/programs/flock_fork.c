/*
 * flock_fork: flock locks belong to the open file description: a child
 * opening the file itself cannot take LOCK_EX|LOCK_NB while the parent
 * holds LOCK_EX (EWOULDBLOCK) but can once it is released; shared locks
 * coexist; a descriptor inherited across fork shares the parent's lock;
 * converting and unlocking; bad operations give EINVAL.
 */
#include "compat.h"
#include <fcntl.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

/* run fn in a child and return its exit status */
static int in_child(int (*fn)(int), int arg)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0)
		_exit(fn(arg));
	int st;
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 100;
}

/* 0: got the lock; 1: EWOULDBLOCK; 2: other error */
static int try_lock(int op)
{
	int fd = open("f", O_RDONLY);
	if (flock(fd, op | LOCK_NB) == 0)
		return 0;
	return errno == EWOULDBLOCK ? 1 : 2;
}

static int inherited_unlock(int fd) { return flock(fd, LOCK_UN) == 0 ? 0 : 2; }

int main(void)
{
	compat_tmpdir();
	int fd = open("f", O_CREAT | O_RDWR, 0644);
	CHECK_RET("LOCK_EX", flock(fd, LOCK_EX), 0);
	CHECK_RET("child's LOCK_EX|LOCK_NB: EWOULDBLOCK", in_child(try_lock, LOCK_EX), 1);
	CHECK_RET("child's LOCK_SH|LOCK_NB: EWOULDBLOCK", in_child(try_lock, LOCK_SH), 1);
	CHECK_RET("LOCK_EX again on the same fd", flock(fd, LOCK_EX | LOCK_NB), 0);
	int other = open("f", O_RDONLY);
	CHECK_ERR("second open in this process", flock(other, LOCK_EX | LOCK_NB), EWOULDBLOCK);
	int d = dup(fd);
	CHECK_RET("a dup shares the lock", flock(d, LOCK_EX | LOCK_NB), 0);
	CHECK_RET("convert to LOCK_SH", flock(fd, LOCK_SH), 0);
	CHECK_RET("child's LOCK_SH now works", in_child(try_lock, LOCK_SH), 0);
	CHECK_RET("child's LOCK_EX still fails", in_child(try_lock, LOCK_EX), 1);
	CHECK_RET("LOCK_SH on the second open", flock(other, LOCK_SH | LOCK_NB), 0);
	flock(other, LOCK_UN);
	CHECK_RET("LOCK_UN", flock(fd, LOCK_UN), 0);
	CHECK_RET("child's LOCK_EX works after unlock", in_child(try_lock, LOCK_EX), 0);
	flock(fd, LOCK_EX);
	CHECK_RET("child unlocks the inherited descriptor", in_child(inherited_unlock, fd), 0);
	CHECK_RET("which released the parent's lock", flock(other, LOCK_EX | LOCK_NB), 0);
	flock(other, LOCK_UN);
	CHECK_ERR("bad operation", flock(fd, 0), EINVAL);
	CHECK_ERR("LOCK_SH|LOCK_EX", flock(fd, LOCK_SH | LOCK_EX), EINVAL);
	CHECK_ERR("closed fd", flock(99, LOCK_EX), EBADF);
	flock(fd, LOCK_EX);
	close(fd);
	close(d);
	CHECK_RET("closing the last descriptor releases it", flock(other, LOCK_EX | LOCK_NB), 0);
	return compat_done();
}
