/* pipe_basic: pipe and pipe2, what the ends look like, EOF, FIONREAD. */
#include "pipetest.h"
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <signal.h>

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	int p[2];
	MUST(pipe(p));
	printf("fds: %d %d\n", p[0], p[1]);
	SHOW("F_GETFL read end", fcntl(p[0], F_GETFL));
	SHOW("F_GETFL write end", fcntl(p[1], F_GETFL));
	SHOW("F_GETFD", fcntl(p[0], F_GETFD));
	struct stat r, w;
	MUST(fstat(p[0], &r));
	MUST(fstat(p[1], &w));
	printf("fstat: fifo %d mode %o nlink %ld size %ld blksize %ld uid %d same inode %d same dev %d\n",
	       S_ISFIFO(r.st_mode), r.st_mode, (long)r.st_nlink, (long)r.st_size, (long)r.st_blksize,
	       r.st_uid, r.st_ino == w.st_ino, r.st_dev == w.st_dev);

	SHOW("write", write(p[1], "hello, world", 12));
	int n = -1;
	SHOW("FIONREAD", ioctl(p[0], FIONREAD, &n));
	printf("FIONREAD says %d\n", n);
	char buf[64];
	SHOW("read 5", read(p[0], buf, 5));
	printf("got %.5s\n", buf);
	SHOW("write on the read end", write(p[0], "x", 1));
	SHOW("read on the write end", read(p[1], buf, 1));
	SHOW("lseek", lseek(p[0], 0, SEEK_CUR));
	SHOW("pread", pread(p[0], buf, 1, 0));
	SHOW("pwrite", pwrite(p[1], buf, 1, 0));
	SHOW("read 0 bytes", read(p[0], buf, 0));
	SHOW("close write end", close(p[1]));
	SHOW("read the rest", read(p[0], buf, sizeof buf));
	printf("got %.7s\n", buf);
	SHOW("read at EOF", read(p[0], buf, sizeof buf));
	close(p[0]);

	MUST(pipe2(p, O_CLOEXEC | O_NONBLOCK));
	SHOW("pipe2 F_GETFD", fcntl(p[0], F_GETFD));
	SHOW("pipe2 F_GETFL read end", fcntl(p[0], F_GETFL));
	SHOW("pipe2 F_GETFL write end", fcntl(p[1], F_GETFL));
	SHOW("empty nonblocking read", read(p[0], buf, 1));
	SHOW("F_SETFL blocking", fcntl(p[0], F_SETFL, 0));
	SHOW("F_GETFL after", fcntl(p[0], F_GETFL));
	int on = 1;
	SHOW("FIONBIO", ioctl(p[0], FIONBIO, &on));
	SHOW("read after FIONBIO", read(p[0], buf, 1));
	close(p[0]);
	SHOW("write without readers (SIGPIPE ignored)", (signal(SIGPIPE, SIG_IGN), write(p[1], "x", 1)));
	close(p[1]);

	SHOW("pipe2 O_APPEND", pipe2(p, O_APPEND));
	SHOW("pipe2 O_NOTIFICATION_PIPE", pipe2(p, O_EXCL));
	int *volatile bad = (int *)8;
	SHOW("pipe bad address", pipe(bad));
	return 0;
}
