/*
 * inotify_flags: inotify_add_watch's flags and errors (IN_ONESHOT,
 * IN_MASK_ADD, IN_MASK_CREATE, IN_ONLYDIR, IN_DONT_FOLLOW, IN_EXCL_UNLINK),
 * watch descriptors (one per inode per instance, never reused at once),
 * reads too small for an event, renames of and over watched files and
 * directories, RENAME_EXCHANGE, and two instances watching one directory.
 */
#include "inotify.h"
#include <stdio.h>
#include <sys/syscall.h>

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	workdir();
	int in, fd;
	MUST(in = inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
	printf("getfd %d\n", fcntl(in, F_GETFD));
	MUST(fd = open("f", O_CREAT | O_WRONLY, 0644));
	close(fd);
	mkdir("d", 0755);
	symlink("f", "l");

	SHOW("mask 0", inotify_add_watch(in, ".", 0));
	SHOW("only flags", inotify_add_watch(in, ".", IN_ONESHOT));
	SHOW("add and create", inotify_add_watch(in, ".", IN_MODIFY | IN_MASK_ADD | IN_MASK_CREATE));
	SHOW("bad fd", inotify_add_watch(99, ".", IN_MODIFY));
	SHOW("not inotify", inotify_add_watch(0, ".", IN_MODIFY));
	SHOW("missing", inotify_add_watch(in, "nope", IN_MODIFY));
	SHOW("empty path", inotify_add_watch(in, "", IN_MODIFY));
	SHOW("bad path address", inotify_add_watch(in, (char *)8, IN_MODIFY));
	SHOW("onlydir on a file", inotify_add_watch(in, "f", IN_MODIFY | IN_ONLYDIR));
	SHOW("onlydir on a dir", inotify_add_watch(in, "d", IN_MODIFY | IN_ONLYDIR));
	SHOW("the same dir again", inotify_add_watch(in, "d/", IN_ATTRIB));
	SHOW("mask create on it", inotify_add_watch(in, "d", IN_ATTRIB | IN_MASK_CREATE));
	SHOW("link, followed", inotify_add_watch(in, "l", IN_ATTRIB));
	SHOW("the file: same wd", inotify_add_watch(in, "f", IN_ATTRIB));
	SHOW("link itself", inotify_add_watch(in, "l", IN_ATTRIB | IN_DONT_FOLLOW));
	SHOW("rm bad wd", inotify_rm_watch(in, 42));
	SHOW("rm bad fd", inotify_rm_watch(99, 1));
	SHOW("rm not inotify", inotify_rm_watch(1, 1));

	/* The last setting wins, unless IN_MASK_ADD. */
	chmod("d", 0700);
	drain("chmod d (watch now IN_ATTRIB only)", in);
	SHOW("d: add IN_CREATE", inotify_add_watch(in, "d", IN_CREATE | IN_MASK_ADD));
	MUST(fd = open("d/x", O_CREAT | O_WRONLY, 0644));
	write(fd, "x", 1);
	close(fd);
	chmod("d", 0755);
	drain("create d/x, chmod d", in);
	SHOW("d: replace with IN_DELETE", inotify_add_watch(in, "d", IN_DELETE));
	chmod("d", 0700);
	unlink("d/x");
	drain("chmod d, unlink d/x", in);

	/* One shot. */
	SHOW("oneshot on f", inotify_add_watch(in, "f", IN_ATTRIB | IN_ONESHOT));
	chmod("f", 0600);
	chmod("f", 0644);
	drain("chmod f twice", in);
	SHOW("rm the oneshot, gone already", inotify_rm_watch(in, 3));
	SHOW("a new watch gets a new wd", inotify_add_watch(in, "f", IN_ATTRIB));

	/* Reads too small. */
	chmod("f", 0600);
	char small[8];
	SHOW("read 8 bytes", read(in, small, sizeof small));
	SHOW("read 16 bytes", read(in, (char[16]){0}, 16));
	int dw;
	MUST(dw = inotify_add_watch(in, ".", IN_CREATE));
	MUST(fd = open("a-rather-long-name-for-a-file", O_CREAT | O_WRONLY, 0644));
	close(fd);
	SHOW("read 16 bytes with a named event", read(in, (char[16]){0}, 16));
	drain("the event", in);

	/* Renames over watched things, of directories, exchanges. */
	int fw, gw, sw;
	MUST(fd = open("g", O_CREAT | O_WRONLY, 0644));
	close(fd);
	MUST(fw = inotify_add_watch(in, "f", IN_ALL_EVENTS));
	MUST(gw = inotify_add_watch(in, "g", IN_ALL_EVENTS));
	MUST(inotify_add_watch(in, ".", IN_ALL_EVENTS));
	printf("f %d g %d\n", fw, gw);
	rename("f", "g");
	drain("rename f over g", in);
	MUST(sw = inotify_add_watch(in, "d", IN_ALL_EVENTS));
	rename("d", "e");
	drain("rename directory d to e", in);
	mkdir("e2", 0755);
	SHOW("exchange", syscall(SYS_renameat2, AT_FDCWD, "e", AT_FDCWD, "e2", RENAME_EXCHANGE));
	drain("exchange e and e2", in);

	/* IN_EXCL_UNLINK: no events from a file once unlinked. */
	MUST(inotify_add_watch(in, ".", IN_MODIFY | IN_EXCL_UNLINK));
	MUST(fd = open("u", O_CREAT | O_WRONLY, 0644));
	write(fd, "1", 1);
	unlink("u");
	write(fd, "2", 1);
	close(fd);
	MUST(inotify_add_watch(in, ".", IN_MODIFY));
	MUST(fd = open("v", O_CREAT | O_WRONLY, 0644));
	unlink("v");
	write(fd, "2", 1);
	close(fd);
	drain("writes before and after unlink", in);

	/* Two instances. */
	int in2;
	MUST(in2 = inotify_init1(IN_NONBLOCK));
	SHOW("second instance, first wd", inotify_add_watch(in2, ".", IN_CREATE));
	mkdir("k", 0700);
	drain("first instance", in);
	drain("second instance", in2);
	close(in2);
	close(in);
	return 0;
}
