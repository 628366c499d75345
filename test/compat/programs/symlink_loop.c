/*
 * symlink_loop: a chain of 40 symlinks resolves, 41 give ELOOP (Linux
 * follows at most 40 per lookup); a self-loop and a two-link cycle give
 * ELOOP; a loop in a middle component too; lstat of a looping link works.
 */
#include "compat.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

int main(void)
{
	compat_tmpdir();
	close(open("target", O_CREAT | O_WRONLY, 0644));
	char name[32], next[32];
	/* l0 -> target, l(i) -> l(i-1): following l(n) follows n+1 links. */
	symlink("target", "l0");
	for (int i = 1; i <= 41; i++) {
		snprintf(name, sizeof name, "l%d", i);
		snprintf(next, sizeof next, "l%d", i - 1);
		symlink(next, name);
	}
	struct stat st;
	CHECK_RET("39 links deep (40 follows)", stat("l39", &st), 0);
	CHECK_ERR("40 links deep (41 follows)", stat("l40", &st), ELOOP);
	CHECK_ERR("open 41 follows", open("l40", O_RDONLY), ELOOP);
	mkdir("dir", 0755);
	symlink("dir", "d0");
	for (int i = 1; i <= 40; i++) {
		snprintf(name, sizeof name, "d%d", i);
		snprintf(next, sizeof next, "d%d", i - 1);
		symlink(next, name);
	}
	CHECK_RET("middle component 40 follows", stat("d39/.", &st), 0);
	CHECK_ERR("middle component 41 follows", stat("d40/.", &st), ELOOP);
	symlink("self", "self");
	CHECK_ERR("self loop", stat("self", &st), ELOOP);
	check("lstat of the self loop", lstat("self", &st) == 0 && S_ISLNK(st.st_mode));
	symlink("pong", "ping");
	symlink("ping", "pong");
	CHECK_ERR("two-link cycle", open("ping", O_RDONLY), ELOOP);
	CHECK_ERR("cycle in the middle", stat("ping/x", &st), ELOOP);
	CHECK_ERR("O_CREAT through a cycle", open("ping", O_CREAT | O_WRONLY, 0644), ELOOP);
	return compat_done();
}
