/*
 * fcntl_getlk: POSIX record locks between processes: a child's F_GETLK
 * reports the parent's conflicting write lock (type, range, and the
 * parent's pid) and F_UNLCK where there is none; the child's F_SETLK on a
 * locked range gives EAGAIN, on a free range works; read locks coexist;
 * F_SETLKW waits until the parent unlocks; locks vanish when any
 * descriptor of the file is closed by their owner.
 */
#include "compat.h"
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

static int lk(int fd, int cmd, short type, off_t start, off_t len)
{
	struct flock fl = {.l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len};
	return fcntl(fd, cmd, &fl);
}

int main(void)
{
	compat_tmpdir();
	int fd = open("f", O_CREAT | O_RDWR, 0644);
	write(fd, "0123456789", 10);
	CHECK_RET("parent: write lock on [0, 10)", lk(fd, F_SETLK, F_WRLCK, 0, 10), 0);
	CHECK_RET("parent: read lock on [20, 30)", lk(fd, F_SETLK, F_RDLCK, 20, 10), 0);
	pid_t parent = getpid();
	int go[2], done[2];
	pipe(go);
	pipe(done);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		int cfd = open("f", O_RDWR);
		struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 5, .l_len = 1};
		fcntl(cfd, F_GETLK, &fl);
		check("child F_GETLK: F_WRLCK", fl.l_type == F_WRLCK);
		check("child F_GETLK: range [0, 10)", fl.l_start == 0 && fl.l_len == 10);
		check("child F_GETLK: l_pid is the parent", fl.l_pid == parent);
		struct flock f2 = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 10, .l_len = 5};
		fcntl(cfd, F_GETLK, &f2);
		check("child F_GETLK on a free range: F_UNLCK", f2.l_type == F_UNLCK);
		struct flock f3 = {.l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = 20, .l_len = 5};
		fcntl(cfd, F_GETLK, &f3);
		check("child F_GETLK read vs read: F_UNLCK", f3.l_type == F_UNLCK);
		f3.l_type = F_WRLCK;
		fcntl(cfd, F_GETLK, &f3);
		check("child F_GETLK write vs read: F_RDLCK", f3.l_type == F_RDLCK && f3.l_start == 20);
		CHECK_ERR("child F_SETLK on the locked range", lk(cfd, F_SETLK, F_WRLCK, 5, 1), EAGAIN);
		CHECK_RET("child F_SETLK on a free range", lk(cfd, F_SETLK, F_WRLCK, 10, 5), 0);
		CHECK_RET("child read lock beside the parent's", lk(cfd, F_SETLK, F_RDLCK, 25, 5), 0);
		fflush(stdout);
		write(go[1], "g", 1);
		CHECK_RET("child F_SETLKW waits for the parent", lk(cfd, F_SETLKW, F_WRLCK, 0, 1), 0);
		fflush(stdout);
		_exit(compat_done());
	}
	char c;
	read(go[0], &c, 1);
	struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 12, .l_len = 1};
	fcntl(fd, F_GETLK, &fl);
	check("parent F_GETLK sees the child's lock", fl.l_type == F_WRLCK && fl.l_pid == pid);
	usleep(100000);
	int dup_fd = open("f", O_RDONLY);
	close(dup_fd); /* closing any descriptor of the file drops the parent's locks */
	int st;
	waitpid(pid, &st, 0);
	check("child passed", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK_ERR("F_SETLK with a bad type", lk(fd, F_SETLK, 42, 0, 1), EINVAL);
	CHECK_ERR("F_GETLK with F_UNLCK", lk(fd, F_GETLK, F_UNLCK, 0, 1), EINVAL);
	int ro = open("f", O_RDONLY);
	CHECK_ERR("write lock on a read-only fd", lk(ro, F_SETLK, F_WRLCK, 0, 1), EBADF);
	return compat_done();
}
