/*
 * fifo_basic: named pipes made by mkfifo and mknod, opened within one
 * process: O_NONBLOCK readers never wait, O_NONBLOCK writers without a
 * reader get ENXIO, O_RDWR never waits; the data goes when the last end
 * closes.
 */
#include "pipetest.h"
#include <sys/ioctl.h>
#include <sys/stat.h>

static void fifo(const char *path)
{
	char buf[64];
	unlink(path);
	SHOW("mkfifo", mkfifo(path, 0640));
	struct stat st, fst;
	MUST(stat(path, &st));
	printf("stat: fifo %d perm %o size %ld\n", S_ISFIFO(st.st_mode), st.st_mode & 07777, (long)st.st_size);
	SHOW("mkfifo again", mkfifo(path, 0640));
	SHOW("open O_WRONLY|O_NONBLOCK without a reader", open(path, O_WRONLY | O_NONBLOCK));
	SHOW("open O_DIRECT", open(path, O_RDONLY | O_NONBLOCK | O_DIRECT));
	int r = open(path, O_RDONLY | O_NONBLOCK);
	SHOW("open O_RDONLY|O_NONBLOCK", r >= 0);
	SHOW("F_GETFL", fcntl(r, F_GETFL));
	SHOW("read with no writer", read(r, buf, sizeof buf));
	MUST(fstat(r, &fst));
	printf("fstat: fifo %d same inode %d\n", S_ISFIFO(fst.st_mode), fst.st_ino == st.st_ino);
	int w = open(path, O_WRONLY | O_NONBLOCK);
	SHOW("open O_WRONLY|O_NONBLOCK with a reader", w >= 0);
	SHOW("read, writer there", read(r, buf, sizeof buf));
	SHOW("write", write(w, "through the fifo", 16));
	int n = -1;
	ioctl(r, FIONREAD, &n);
	printf("FIONREAD %d\n", n);
	SHOW("F_GETPIPE_SZ", fcntl(w, F_GETPIPE_SZ));
	SHOW("F_SETPIPE_SZ", fcntl(w, F_SETPIPE_SZ, 8192));
	SHOW("read 7", read(r, buf, 7));
	SHOW("second reader, blocking open (a writer is there)", (n = open(path, O_RDONLY)) >= 0);
	SHOW("it reads the rest", read(n, buf, sizeof buf));
	printf("got %.9s\n", buf);
	close(n);
	SHOW("write, then close everything", write(w, "lost", 4));
	close(w);
	SHOW("read after the writer left", read(r, buf, 2));
	close(r);
	int rw = open(path, O_RDWR | O_NONBLOCK);
	SHOW("open O_RDWR", rw >= 0);
	SHOW("size is back to the default", fcntl(rw, F_GETPIPE_SZ));
	SHOW("old data is gone", read(rw, buf, sizeof buf));
	SHOW("O_RDWR write", write(rw, "self", 4));
	SHOW("O_RDWR read", read(rw, buf, sizeof buf));
	close(rw);
	rw = open(path, O_RDWR);
	SHOW("blocking O_RDWR open", rw >= 0);
	w = open(path, O_WRONLY);
	SHOW("blocking O_WRONLY open with a reader", w >= 0);
	close(w);
	close(rw);
	SHOW("unlink", unlink(path));
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	umask(022);
	printf("in /tmp\n");
	fifo("/tmp/fifo_basic.fifo");
	printf("in /dev/shm\n");
	fifo("/dev/shm/fifo_basic.fifo");
	printf("in /var/tmp\n");
	fifo("/var/tmp/fifo_basic.fifo");
	unlink("/tmp/fifo_basic.mknod");
	SHOW("mknod S_IFIFO", mknod("/tmp/fifo_basic.mknod", S_IFIFO | 0600, 0));
	int fd = open("/tmp/fifo_basic.mknod", O_RDWR);
	SHOW("open it", fd >= 0);
	SHOW("write", write(fd, "ok", 2));
	char buf[4];
	SHOW("read", read(fd, buf, 4));
	unlink("/tmp/fifo_basic.mknod");
	return 0;
}
