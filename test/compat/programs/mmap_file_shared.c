/*
 * mmap_file_shared: a file mapped MAP_SHARED: stores show in read(2) at
 * once and persist after munmap; write(2) shows in the mapping; two
 * processes sharing it (fork) see each other's stores; extending the file
 * with ftruncate makes more of a larger mapping usable; a mapping of a
 * read-only descriptor cannot be PROT_WRITE MAP_SHARED (EACCES).
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
	ftruncate(fd, 4096);
	char *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	check("mmap MAP_SHARED", m != MAP_FAILED);
	memcpy(m + 100, "stored", 6);
	char buf[16] = {0};
	pread(fd, buf, 6, 100);
	printf("read(2) sees: %s\n", buf);
	pwrite(fd, "written", 7, 200);
	printf("mapping sees: %.7s\n", m + 200);

	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		memcpy(m + 300, "child", 5);
		_exit(0);
	}
	int st;
	waitpid(pid, &st, 0);
	printf("child's store: %.5s\n", m + 300);
	CHECK_RET("msync", msync(m, 4096, MS_SYNC), 0);
	munmap(m, 4096);
	memset(buf, 0, sizeof buf);
	pread(fd, buf, 5, 300);
	printf("after munmap, file has: %s\n", buf);

	char *big = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	check("map 3 pages of a 1-page file", big != MAP_FAILED);
	ftruncate(fd, 3 * 4096);
	big[2 * 4096] = 'Z';
	pread(fd, buf, 1, 2 * 4096);
	check("after ftruncate the third page is usable and shared", buf[0] == 'Z');
	int ro = open("f", O_RDONLY);
	CHECK_ERR("PROT_WRITE MAP_SHARED of a read-only fd", (long)mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0), EACCES);
	char *rp = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, ro, 0);
	check("PROT_WRITE MAP_PRIVATE of a read-only fd works", rp != MAP_FAILED);
	int wo = open("f", O_WRONLY);
	CHECK_ERR("mmap of a write-only fd", (long)mmap(NULL, 4096, PROT_READ, MAP_SHARED, wo, 0), EACCES);
	return compat_done();
}
