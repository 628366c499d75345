/*
 * open_creat_dangling: O_CREAT without O_EXCL follows a final symlink that
 * dangles and creates its target.
 */
#include "compat.h"
#include <fcntl.h>
#include <unistd.h>

int main(void)
{
	compat_tmpdir();
	symlink("target", "link");
	int fd = open("link", O_CREAT | O_WRONLY, 0644);
	check("open(\"link\", O_CREAT) through a dangling symlink", fd >= 0);
	check("the target exists now", access("target", F_OK) == 0);
	return compat_done();
}
