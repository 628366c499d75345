/*
 * memfd_basic: memfd_create(2): flags, names, what fstat shows, I/O and
 * mmap, and seals (F_ADD_SEALS, F_GET_SEALS) as far as writes and
 * ftruncate go.
 */
#include "pipetest.h"
#include <sys/mman.h>
#include <sys/stat.h>

#ifndef MFD_NOEXEC_SEAL
#define MFD_NOEXEC_SEAL 0x8U
#define MFD_EXEC 0x10U
#endif
#ifndef F_SEAL_EXEC
#define F_SEAL_EXEC 0x20
#endif

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	int fd = memfd_create("plain", 0);
	MUST(fd);
	struct stat st;
	MUST(fstat(fd, &st));
	printf("fstat: regular %d perm %o nlink %ld size %ld uid %d\n", S_ISREG(st.st_mode), st.st_mode & 07777,
	       (long)st.st_nlink, (long)st.st_size, st.st_uid);
	SHOW("F_GETFL", fcntl(fd, F_GETFL));
	SHOW("F_GETFD", fcntl(fd, F_GETFD));
	SHOW("F_GET_SEALS without MFD_ALLOW_SEALING", fcntl(fd, F_GET_SEALS));
	SHOW("F_ADD_SEALS without MFD_ALLOW_SEALING", fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE));
	SHOW("write", write(fd, "memory file", 11));
	SHOW("lseek", lseek(fd, 0, SEEK_CUR));
	char buf[64] = {0};
	SHOW("pread", pread(fd, buf, sizeof buf, 0));
	printf("got %s\n", buf);
	SHOW("ftruncate 8192", ftruncate(fd, 8192));
	char *m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	printf("mmap ok %d\n", m != MAP_FAILED);
	memcpy(m + 4096, "through the mapping", 19);
	memset(buf, 0, sizeof buf);
	SHOW("pread what the mapping wrote", pread(fd, buf, 19, 4096));
	printf("got %s\n", buf);
	munmap(m, 8192);
	close(fd);

	fd = memfd_create("cloexec", MFD_CLOEXEC);
	SHOW("MFD_CLOEXEC F_GETFD", fcntl(fd, F_GETFD));
	close(fd);
	fd = memfd_create("noexec", MFD_NOEXEC_SEAL);
	MUST(fstat(fd, &st));
	printf("MFD_NOEXEC_SEAL perm %o\n", st.st_mode & 07777);
	SHOW("MFD_NOEXEC_SEAL seals", fcntl(fd, F_GET_SEALS));
	close(fd);
	fd = memfd_create("exec", MFD_EXEC);
	MUST(fstat(fd, &st));
	printf("MFD_EXEC perm %o\n", st.st_mode & 07777);
	close(fd);

	fd = memfd_create("sealed", MFD_ALLOW_SEALING);
	SHOW("MFD_ALLOW_SEALING seals", fcntl(fd, F_GET_SEALS));
	MUST(write(fd, "0123456789", 10));
	SHOW("F_SEAL_SHRINK", fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK));
	SHOW("shrink", ftruncate(fd, 5));
	SHOW("grow", ftruncate(fd, 20));
	SHOW("F_SEAL_GROW", fcntl(fd, F_ADD_SEALS, F_SEAL_GROW));
	SHOW("grow", ftruncate(fd, 30));
	SHOW("same size", ftruncate(fd, 20));
	SHOW("write inside", pwrite(fd, "ab", 2, 0));
	SHOW("write across the end", pwrite(fd, "abcdef", 6, 17));
	SHOW("write past the end", pwrite(fd, "x", 1, 20));
	SHOW("F_SEAL_WRITE", fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE));
	SHOW("write", pwrite(fd, "ab", 2, 0));
	SHOW("read still works", pread(fd, buf, 4, 0));
	SHOW("seals", fcntl(fd, F_GET_SEALS));
	SHOW("F_SEAL_SEAL", fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL));
	SHOW("F_ADD_SEALS after F_SEAL_SEAL", fcntl(fd, F_ADD_SEALS, F_SEAL_EXEC));
	SHOW("unknown seal", fcntl(fd, F_ADD_SEALS, 0x100));
	close(fd);

	int p[2];
	MUST(pipe(p));
	SHOW("F_GET_SEALS on a pipe", fcntl(p[0], F_GET_SEALS));

	char name[300];
	memset(name, 'n', sizeof name);
	name[249] = 0;
	fd = memfd_create(name, 0);
	SHOW("249-byte name", fd >= 0);
	close(fd);
	name[249] = 'n';
	name[250] = 0;
	SHOW("250-byte name", memfd_create(name, 0));
	SHOW("name with a slash", (fd = memfd_create("a/b", 0)) >= 0);
	close(fd);
	SHOW("empty name", (fd = memfd_create("", 0)) >= 0);
	close(fd);
	SHOW("unknown flag", memfd_create("x", 0x100));
	SHOW("MFD_EXEC|MFD_NOEXEC_SEAL", memfd_create("x", MFD_EXEC | MFD_NOEXEC_SEAL));
	SHOW("bad name address", memfd_create((char *)8, 0));
	return 0;
}
