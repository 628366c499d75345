/*
 * proc_self_fd: /proc/self/fd lists exactly the open descriptors; its
 * links name files by path, pipes as pipe:[N], /dev/null; /proc/self/exe
 * names this program (the same file as argv[0]) and reads as an ELF file;
 * /proc/self/cwd is the working directory; /proc/self/fdinfo shows the
 * offset and flags.
 */
#include "compat.h"
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

static void link_of(int fd, char *out, size_t size)
{
	char p[64];
	snprintf(p, sizeof p, "/proc/self/fd/%d", fd);
	long n = readlink(p, out, size - 1);
	out[n > 0 ? n : 0] = 0;
}

int main(int argc, char **argv)
{
	char real[PATH_MAX];
	char *rp = realpath(argv[0], real);
	const char *tmp = compat_tmpdir();
	int f = open("file", O_CREAT | O_RDWR, 0644);
	int p[2];
	pipe(p);
	int nul = open("/dev/null", O_RDONLY);
	char l[PATH_MAX], want[PATH_MAX];
	link_of(f, l, sizeof l);
	snprintf(want, sizeof want, "%s/file", tmp);
	check("file link is its absolute path", strcmp(l, want) == 0);
	link_of(p[0], l, sizeof l);
	check("pipe link is pipe:[N]", strncmp(l, "pipe:[", 6) == 0 && l[strlen(l) - 1] == ']');
	char l2[PATH_MAX];
	link_of(p[1], l2, sizeof l2);
	check("both pipe ends name the same pipe", strcmp(l, l2) == 0);
	link_of(nul, l, sizeof l);
	printf("null: %s\n", l);
	unlink("file");
	link_of(f, l, sizeof l);
	strcat(want, " (deleted)");
	check("unlinked file link ends in \" (deleted)\"", strcmp(l, want) == 0);

	DIR *d = opendir("/proc/self/fd");
	int dfd = dirfd(d), count = 0, bad = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		int fd = atoi(e->d_name);
		count++;
		if (fd != 0 && fd != 1 && fd != 2 && fd != f && fd != p[0] && fd != p[1] && fd != nul && fd != dfd)
			bad++;
	}
	closedir(d);
	CHECK_RET("entries in /proc/self/fd", count, 8);
	CHECK_RET("unexpected entries", bad, 0);

	char exe[PATH_MAX];
	long n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	exe[n > 0 ? n : 0] = 0;
	check("/proc/self/exe is realpath(argv[0])", rp && strcmp(exe, real) == 0);
	struct stat a, b;
	check("stat of /proc/self/exe is argv[0]", stat("/proc/self/exe", &a) == 0 && rp && stat(real, &b) == 0 &&
							   a.st_ino == b.st_ino && a.st_dev == b.st_dev);
	int x = open("/proc/self/exe", O_RDONLY);
	char magic[4] = {0};
	read(x, magic, 4);
	check("/proc/self/exe reads as ELF", memcmp(magic, "\177ELF", 4) == 0);
	n = readlink("/proc/self/cwd", l, sizeof l - 1);
	l[n > 0 ? n : 0] = 0;
	check("/proc/self/cwd is the working directory", strcmp(l, tmp) == 0);

	int g = open("g", O_CREAT | O_WRONLY | O_APPEND, 0644);
	write(g, "12345", 5);
	char info[64], buf[256] = {0};
	snprintf(info, sizeof info, "/proc/self/fdinfo/%d", g);
	int fi = open(info, O_RDONLY);
	read(fi, buf, sizeof buf - 1);
	check("fdinfo has pos:\t5", strstr(buf, "pos:\t5\n") != NULL);
	char *fl = strstr(buf, "flags:\t");
	long flags = fl ? strtol(fl + 7, NULL, 8) : -1;
	check("fdinfo flags show O_WRONLY|O_APPEND", (flags & (O_ACCMODE | O_APPEND)) == (O_WRONLY | O_APPEND));
	return compat_done();
}
