/*
 * pipe_write_efault: stdout is a pipe. A write or writev to a pipe whose
 * data runs into unmapped memory within the first page fails with EFAULT
 * and writes nothing: Linux's pipe_write drops a partly copied page.
 * (Regular files would take the partial write instead.)
 */
#include "compat.h"
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#define PG 4096UL

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	struct stat st;
	fstat(1, &st);
	check("stdout is a pipe", S_ISFIFO(st.st_mode));
	char *m = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memcpy(m + PG - 8, "partial\n", 8);
	munmap(m + PG, PG);
	CHECK_ERR("write of 8 mapped + 8 unmapped bytes", write(1, m + PG - 8, 16), EFAULT);
	struct iovec iov[2] = {{"first buffer\n", 13}, {m + PG, 4}};
	CHECK_ERR("writev whose second buffer is unmapped", writev(1, iov, 2), EFAULT);
	struct iovec iov2[3] = {{"a\n", 2}, {"b\n", 2}, {m + PG - 4, 8}};
	CHECK_ERR("writev whose last buffer runs into unmapped memory", writev(1, iov2, 3), EFAULT);
	return compat_done();
}
