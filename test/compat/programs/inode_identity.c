/*
 * inode_identity: inode numbers relate the way Linux promises, without
 * printing them: a file's number is stable across stat calls and rename,
 * shared by hard links and fstat of an open descriptor, different between
 * files; a new file made after unlink may or may not reuse it (not
 * printed); st_dev is the same for files in one directory; "." and ".."
 * of a subdirectory are it and its parent.
 */
#include "compat.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

static ino_t ino(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 ? st.st_ino : 0;
}

int main(void)
{
	compat_tmpdir();
	int fd = open("a", O_CREAT | O_RDWR, 0644);
	close(open("b", O_CREAT | O_RDWR, 0644));
	mkdir("d", 0755);
	ino_t a = ino("a");
	check("stable across stat calls", a != 0 && a == ino("a"));
	check("different files differ", a != ino("b") && a != ino("d"));
	struct stat st;
	fstat(fd, &st);
	check("fstat agrees", st.st_ino == a);
	link("a", "hard");
	check("a hard link shares it", ino("hard") == a);
	rename("a", "d/moved");
	check("rename keeps it", ino("d/moved") == a);
	symlink("d/moved", "sym");
	check("stat through a symlink gives the target's", ino("sym") == a);
	struct stat ls;
	lstat("sym", &ls);
	check("lstat of the symlink gives its own", ls.st_ino != a);
	check("d/. is d", ino("d/.") == ino("d"));
	check("d/.. is .", ino("d/..") == ino("."));
	struct stat s1, s2;
	stat("b", &s1);
	stat("d/moved", &s2);
	check("same st_dev within the directory", s1.st_dev == s2.st_dev);
	return compat_done();
}
