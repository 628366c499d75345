/*
 * renameat2_flags: RENAME_NOREPLACE fails with EEXIST when the target
 * exists and renames otherwise; RENAME_EXCHANGE swaps two files, a file
 * and a directory, and needs both to exist (ENOENT); both flags together
 * give EINVAL, as do unknown flags.
 */
#include "compat.h"
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

static void put(const char *p, const char *s)
{
	int fd = open(p, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	write(fd, s, strlen(s));
	close(fd);
}

static void show(const char *p)
{
	struct stat st;
	char buf[16] = {0};
	if (lstat(p, &st) != 0) {
		printf("  %s: %s\n", p, errname(errno));
		return;
	}
	if (S_ISDIR(st.st_mode)) {
		printf("  %s: directory\n", p);
		return;
	}
	int fd = open(p, O_RDONLY);
	read(fd, buf, sizeof buf - 1);
	close(fd);
	printf("  %s: %s\n", p, buf);
}

int main(void)
{
	compat_tmpdir();
	put("a", "A");
	put("b", "B");
	CHECK_ERR("NOREPLACE onto an existing file", renameat2(AT_FDCWD, "a", AT_FDCWD, "b", RENAME_NOREPLACE), EEXIST);
	show("a");
	show("b");
	CHECK_RET("NOREPLACE onto a new name", renameat2(AT_FDCWD, "a", AT_FDCWD, "c", RENAME_NOREPLACE), 0);
	show("a");
	show("c");
	CHECK_RET("EXCHANGE b and c", renameat2(AT_FDCWD, "b", AT_FDCWD, "c", RENAME_EXCHANGE), 0);
	show("b");
	show("c");
	mkdir("d", 0755);
	put("d/in", "IN");
	CHECK_RET("EXCHANGE a file and a directory", renameat2(AT_FDCWD, "b", AT_FDCWD, "d", RENAME_EXCHANGE), 0);
	show("b");
	show("d");
	show("b/in");
	CHECK_ERR("EXCHANGE with a missing target", renameat2(AT_FDCWD, "c", AT_FDCWD, "none", RENAME_EXCHANGE), ENOENT);
	CHECK_ERR("NOREPLACE|EXCHANGE", renameat2(AT_FDCWD, "c", AT_FDCWD, "d", RENAME_NOREPLACE | RENAME_EXCHANGE), EINVAL);
	CHECK_ERR("unknown flag", renameat2(AT_FDCWD, "c", AT_FDCWD, "e", 1 << 10), EINVAL);
	CHECK_ERR("EXCHANGE a directory into its own child", renameat2(AT_FDCWD, "b", AT_FDCWD, "b/in", RENAME_EXCHANGE), EINVAL);
	CHECK_RET("flags 0 is rename", renameat2(AT_FDCWD, "c", AT_FDCWD, "e", 0), 0);
	show("e");
	return compat_done();
}
