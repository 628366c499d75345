/*
 * memfd_seal_mmap: F_SEAL_WRITE and shared mappings: adding the seal
 * while a MAP_SHARED mapping of a read-write memfd exists gives EBUSY
 * (even a PROT_READ one: it could be mprotected writable); once sealed, a
 * MAP_SHARED PROT_WRITE mapping gives EPERM.
 */
#include "compat.h"
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

int main(void)
{
	int fd = memfd_create("seal", MFD_ALLOW_SEALING);
	ftruncate(fd, 4096);
	char *m = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	CHECK_ERR("F_SEAL_WRITE with a shared mapping", fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE), EBUSY);
	munmap(m, 4096);
	CHECK_RET("F_SEAL_WRITE after munmap", fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE), 0);
	CHECK_ERR("MAP_SHARED PROT_WRITE after the seal", (long)mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), EPERM);
	m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	check("MAP_PRIVATE PROT_WRITE is allowed", m != MAP_FAILED);
	return compat_done();
}
