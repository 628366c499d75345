/*
 * mkdir_rmdir: mkdir applies the umask and makes a directory whose link
 * count is 2 plus its subdirectories; EEXIST, ENOENT for a missing parent;
 * rmdir of a non-empty directory ENOTEMPTY, of "." EINVAL, of ".."
 * ENOTEMPTY, of a file ENOTDIR, of a missing one ENOENT; a trailing slash
 * works for both.
 */
#include "compat.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

static long nlink(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 ? (long)st.st_nlink : -1;
}

int main(void)
{
	compat_tmpdir();
	umask(022);
	struct stat st;
	CHECK_RET("mkdir d 0777", mkdir("d", 0777), 0);
	check("mode 0755 (umask 022)", stat("d", &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 07777) == 0755);
	CHECK_RET("nlink of an empty directory", nlink("d"), 2);
	mkdir("d/a", 0700);
	mkdir("d/b", 0700);
	CHECK_RET("nlink with 2 subdirectories", nlink("d"), 4);
	close(open("d/file", O_CREAT | O_WRONLY, 0644));
	CHECK_RET("a file does not add a link", nlink("d"), 4);
	CHECK_RET("mkdir with a sticky bit", mkdir("sticky", 01777), 0);
	check("sticky bit kept", stat("sticky", &st) == 0 && (st.st_mode & 07777) == 01755);
	CHECK_ERR("mkdir existing", mkdir("d", 0755), EEXIST);
	CHECK_ERR("mkdir over a file", mkdir("d/file", 0755), EEXIST);
	CHECK_ERR("mkdir in a missing parent", mkdir("x/y", 0755), ENOENT);
	CHECK_ERR("mkdir under a file", mkdir("d/file/y", 0755), ENOTDIR);
	CHECK_RET("mkdir with a trailing slash", mkdir("t/", 0755), 0);
	CHECK_ERR("mkdir \".\"", mkdir(".", 0755), EEXIST);

	CHECK_ERR("rmdir non-empty", rmdir("d"), ENOTEMPTY);
	CHECK_ERR("rmdir \".\"", rmdir("d/a/."), EINVAL);
	CHECK_ERR("rmdir \"..\"", rmdir("d/a/.."), ENOTEMPTY);
	CHECK_ERR("rmdir a file", rmdir("d/file"), ENOTDIR);
	CHECK_ERR("rmdir missing", rmdir("d/none"), ENOENT);
	CHECK_RET("rmdir with a trailing slash", rmdir("t/"), 0);
	CHECK_RET("rmdir d/a", rmdir("d/a"), 0);
	CHECK_RET("nlink drops to 3", nlink("d"), 3);
	unlink("d/file");
	rmdir("d/b");
	CHECK_RET("rmdir the emptied d", rmdir("d"), 0);
	CHECK_ERR("stat after rmdir", stat("d", &st), ENOENT);
	symlink("sticky", "lsticky");
	CHECK_ERR("rmdir a symlink to a directory", rmdir("lsticky"), ENOTDIR);
	return compat_done();
}
