/* mlock, mlock2, munlock, mlockall and munlockall as root: the checks on
 * flags and ranges. CAP_IPC_LOCK makes RLIMIT_MEMLOCK not apply. */
#include "attr.h"
#include <sys/mman.h>
#include <sys/resource.h>

#ifndef MCL_ONFAULT
#define MCL_ONFAULT 4
#endif

int main(int argc, char **argv)
{
	(void)argc; (void)argv;
	long pg = sysconf(_SC_PAGESIZE);
	char *p = mmap(NULL, 10 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(p + 8 * pg, 2 * pg);

	T("mlock", mlock(p, 2 * pg));
	T("mlock unaligned", mlock(p + 100, 10));
	T("mlock straddling", mlock(p + pg - 1, 2));
	T("mlock zero length", mlock(p, 0));
	T("mlock zero length unmapped", mlock((void *)0x10000, 0));
	T("mlock unmapped", mlock((void *)0x10000, pg));
	T("mlock past the end", mlock(p + 7 * pg, 2 * pg));
	T("mlock wrapping", mlock(p, -(unsigned long)p));
	T("mlock length -1", mlock(p, (size_t)-1));
	T("mlock kernel address", mlock((void *)0xffff800000000000UL, pg));
	T("mlock PROT_NONE", (mprotect(p + 3 * pg, pg, PROT_NONE), mlock(p + 3 * pg, pg)));
	T("mlock2", syscall(SYS_mlock2, p, pg, 0));
	T("mlock2 onfault", syscall(SYS_mlock2, p, pg, MLOCK_ONFAULT));
	T("mlock2 bad flags", syscall(SYS_mlock2, p, pg, 2));
	T("mlock2 bad flags unmapped", syscall(SYS_mlock2, (void *)0x10000, pg, 2));
	T("mlock2 unmapped", syscall(SYS_mlock2, (void *)0x10000, pg, 0));
	T("munlock", munlock(p, 2 * pg));
	T("munlock never locked", munlock(p + 5 * pg, pg));
	T("munlock unmapped", munlock((void *)0x10000, pg));
	T("munlock past the end", munlock(p + 7 * pg, 2 * pg));
	T("munlock zero length", munlock((void *)0x10000, 0));
	T("munlock wrapping", munlock(p, -(unsigned long)p));

	T("mlockall 0", mlockall(0));
	T("mlockall bad flag", mlockall(8));
	T("mlockall onfault alone", mlockall(MCL_ONFAULT));
	T("mlockall future", mlockall(MCL_FUTURE));
	T("mlockall future onfault", mlockall(MCL_FUTURE | MCL_ONFAULT));
	T("munlockall", munlockall());
	T("mlockall current", mlockall(MCL_CURRENT));
	T("munlockall again", munlockall());

	struct rlimit none = {0, 0};
	setrlimit(RLIMIT_MEMLOCK, &none);
	T("mlock limit 0 as root", mlock(p, pg));
	T("mlockall limit 0 as root", mlockall(MCL_CURRENT));
	T("munlockall", munlockall());
	return 0;
}
