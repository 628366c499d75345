/*
 * mmap_file_private: a file mapped MAP_PRIVATE: stores stay private (the
 * file and a MAP_SHARED mapping of it do not see them); a page not yet
 * written still shows later changes to the file, a page written does not
 * (it was copied); a forked child's stores to the private mapping do not
 * reach the parent.
 */
#include "compat.h"
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
	compat_tmpdir();
	int fd = open("f", O_CREAT | O_RDWR, 0644);
	char page[4096];
	memset(page, 'a', sizeof page);
	write(fd, page, sizeof page);
	memset(page, 'b', sizeof page);
	write(fd, page, sizeof page);
	char *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	char *s = mmap(NULL, 8192, PROT_READ, MAP_SHARED, fd, 0);
	check("mappings", p != MAP_FAILED && s != MAP_FAILED);
	printf("private sees: %c %c\n", p[0], p[4096]);
	p[0] = 'P';
	char c;
	pread(fd, &c, 1, 0);
	printf("file after a private store: %c\n", c);
	printf("shared mapping: %c\n", s[0]);
	pwrite(fd, "X", 1, 1);
	pwrite(fd, "Y", 1, 4096);
	printf("written page after pwrite to the file: %c%c\n", p[0], p[1]);
	printf("untouched page after pwrite to the file: %c\n", p[4096]);

	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		p[4096 + 1] = 'C';
		p[2] = 'C';
		_exit(0);
	}
	int st;
	waitpid(pid, &st, 0);
	printf("after the child's stores: %c %c\n", p[2], p[4097]);
	pread(fd, &c, 1, 4097);
	printf("file: %c\n", c);
	return compat_done();
}
