/*
 * inotify_basic: watches on a directory and on a file see what the
 * program does to them: create, open, read, write, close, chmod, rename
 * (paired cookies), mkdir and rmdir, unlink (the file's watch ends with
 * IN_DELETE_SELF and IN_IGNORED), and inotify_rm_watch. Also the flags of
 * inotify_init1 and what fstat and /proc show.
 */
#include "inotify.h"

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	workdir();
	int in;
	SHOW("bad flags", inotify_init1(1));
	MUST(in = inotify_init1(IN_NONBLOCK));
	printf("getfl %#x getfd %d\n", fcntl(in, F_GETFL), fcntl(in, F_GETFD));
	struct stat st;
	MUST(fstat(in, &st));
	printf("mode %o\n", st.st_mode);
	show_link("link", in);
	printf("revents empty %#x\n", revents(in, POLLIN | POLLOUT));
	SHOW("read empty", read(in, (char[64]){0}, 64));

	SHOW("watch .", inotify_add_watch(in, ".", IN_ALL_EVENTS));
	int fd;
	MUST(fd = open("a", O_CREAT | O_WRONLY, 0644));
	printf("revents %#x\n", revents(in, POLLIN | POLLOUT));
	int avail = -1;
	ioctl(in, FIONREAD, &avail);
	printf("FIONREAD %d\n", avail);
	write(fd, "hello", 5);
	write(fd, "hello", 5);
	close(fd);
	drain("create, two writes, close", in);

	char buf[16];
	MUST(fd = open("a", O_RDONLY));
	read(fd, buf, sizeof buf);
	read(fd, buf, sizeof buf); /* at the end: no IN_ACCESS */
	close(fd);
	drain("open, read, close", in);

	chmod("a", 0600);
	truncate("a", 2);
	MUST(fd = open("a", O_WRONLY | O_TRUNC));
	close(fd);
	drain("chmod, truncate, open with O_TRUNC", in);

	rename("a", "b");
	drain("rename", in);

	mkdir("d", 0755);
	SHOW("watch d", inotify_add_watch(in, "d", IN_ALL_EVENTS));
	MUST(fd = open("d", O_RDONLY | O_DIRECTORY));
	close(fd);
	rmdir("d");
	drain("mkdir, opendir, rmdir", in);

	SHOW("watch b", inotify_add_watch(in, "b", IN_MODIFY | IN_ATTRIB | IN_DELETE_SELF));
	MUST(fd = open("b", O_WRONLY | O_APPEND));
	write(fd, "x", 1);
	close(fd);
	unlink("b");
	drain("write to b, unlink b", in);

	symlink("target", "s");
	MUST(fd = open("f", O_CREAT | O_RDWR, 0644));
	close(fd);
	SHOW("watch f", inotify_add_watch(in, "f", IN_ATTRIB | IN_MOVE_SELF));
	link("f", "g");
	rename("f", "h");
	unlink("g");
	unlink("s");
	drain("symlink, link, rename a watched file, unlink", in);

	SHOW("rm_watch .", inotify_rm_watch(in, 1));
	SHOW("rm_watch . again", inotify_rm_watch(in, 1));
	MUST(fd = open("z", O_CREAT | O_WRONLY, 0644));
	close(fd);
	drain("rm_watch", in);
	SHOW("new watch", inotify_add_watch(in, ".", IN_CREATE));
	return 0;
}
