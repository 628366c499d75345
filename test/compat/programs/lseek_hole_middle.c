/*
 * lseek_hole_middle: SEEK_HOLE and SEEK_DATA find a 1 MiB hole between
 * two written pages (ext4 tracks holes by block, tmpfs by page).
 */
#include "compat.h"
#include <fcntl.h>
#include <unistd.h>

int main(void)
{
	compat_tmpdir();
	char page[4096];
	memset(page, 'a', sizeof page);
	int g = open("g", O_CREAT | O_RDWR, 0644);
	pwrite(g, page, sizeof page, 0);
	pwrite(g, page, sizeof page, 1 << 20);
	CHECK_RET("SEEK_HOLE 0: after the first page", lseek(g, 0, SEEK_HOLE), 4096);
	CHECK_RET("SEEK_DATA 4096: the second page", lseek(g, 4096, SEEK_DATA), 1 << 20);
	CHECK_RET("SEEK_HOLE in the second page: the end", lseek(g, (1 << 20) + 10, SEEK_HOLE), (1 << 20) + 4096);
	return compat_done();
}
