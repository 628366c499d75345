/*
 * readdir_changes: readdir(3) over a directory that changes: entries
 * created before rewinddir are seen after it, unlinked ones are gone; an
 * entry removed while the stream is open is not returned after rewind
 * (getdents_removed_dir: a directory removed while open).
 */
#include "compat.h"
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

static int count(DIR *d, const char *want, int *found)
{
	int n = 0;
	*found = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		n++;
		if (strcmp(e->d_name, want) == 0)
			*found = 1;
	}
	return n;
}

int main(void)
{
	compat_tmpdir();
	mkdir("d", 0755);
	close(open("d/a", O_CREAT | O_WRONLY, 0644));
	close(open("d/b", O_CREAT | O_WRONLY, 0644));
	DIR *d = opendir("d");
	int found;
	CHECK_RET("entries: . .. a b", count(d, "a", &found), 4);
	close(open("d/c", O_CREAT | O_WRONLY, 0644));
	unlink("d/a");
	rewinddir(d);
	int n = count(d, "c", &found);
	check("after rewinddir: 4 entries, c among them", n == 4 && found);
	rewinddir(d);
	count(d, "a", &found);
	check("a is gone", !found);
	closedir(d);
	return compat_done();
}
