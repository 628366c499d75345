/*
 * fifo_open: mkfifo makes a FIFO (S_ISFIFO, mode less umask); a
 * non-blocking read open succeeds with no writer, a non-blocking write
 * open with no reader gives ENXIO; a blocking open waits for the other
 * side; data flows between processes; the reader sees EOF when the writer
 * closes; mkfifo on an existing name gives EEXIST.
 */
#include "compat.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
	compat_tmpdir();
	umask(022);
	CHECK_RET("mkfifo", mkfifo("fifo", 0666), 0);
	struct stat st;
	check("S_ISFIFO, mode 0644", stat("fifo", &st) == 0 && S_ISFIFO(st.st_mode) && (st.st_mode & 07777) == 0644);
	CHECK_ERR("mkfifo existing", mkfifo("fifo", 0666), EEXIST);
	CHECK_ERR("O_WRONLY|O_NONBLOCK without a reader", open("fifo", O_WRONLY | O_NONBLOCK), ENXIO);
	int r = open("fifo", O_RDONLY | O_NONBLOCK);
	check("O_RDONLY|O_NONBLOCK without a writer", r >= 0);
	char buf[64];
	CHECK_RET("read with no writer ever: 0", read(r, buf, sizeof buf), 0);
	int w = open("fifo", O_WRONLY | O_NONBLOCK);
	check("O_WRONLY|O_NONBLOCK with a reader", w >= 0);
	CHECK_ERR("read with a writer but no data", read(r, buf, sizeof buf), EAGAIN);
	write(w, "abc", 3);
	CHECK_RET("read 3", read(r, buf, sizeof buf), 3);
	close(w);
	close(r);
	int rw = open("fifo", O_RDWR);
	check("O_RDWR open does not block", rw >= 0);
	close(rw);

	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		int fd = open("fifo", O_WRONLY); /* blocks until the parent opens */
		write(fd, "from the child", 14);
		_exit(0);
	}
	r = open("fifo", O_RDONLY);
	check("blocking read open", r >= 0);
	memset(buf, 0, sizeof buf);
	int got = 0, n;
	while ((n = read(r, buf + got, sizeof buf - 1 - got)) > 0)
		got += n;
	printf("read: %s\n", buf);
	CHECK_RET("then EOF", n, 0);
	int status;
	waitpid(pid, &status, 0);
	CHECK_RET("mknod S_IFIFO", mknod("fifo2", S_IFIFO | 0600, 0), 0);
	check("it is a FIFO", stat("fifo2", &st) == 0 && S_ISFIFO(st.st_mode));
	return compat_done();
}
