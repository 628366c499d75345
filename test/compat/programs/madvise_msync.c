/*
 * madvise_msync: MADV_DONTNEED zeroes private anonymous pages, advice that
 * only hints leaves contents alone, MADV_FREE'd pages stay readable; msync
 * of anonymous memory succeeds; both reject unaligned addresses, unknown
 * values and (mostly) unmapped ranges as Linux does.
 */
#include "compat.h"
#include <sys/mman.h>
#include <unistd.h>

#define PG 4096UL

int main(void)
{
	char *m = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(m, 'm', 4 * PG);
	CHECK_RET("MADV_DONTNEED page 1", madvise(m + PG, PG, MADV_DONTNEED), 0);
	check("page 1 reads zero", m[PG] == 0 && m[2 * PG - 1] == 0);
	check("pages 0 and 2 untouched", m[PG - 1] == 'm' && m[2 * PG] == 'm');
	m[PG] = 'n';
	check("page 1 writable again", m[PG] == 'n');
	CHECK_RET("MADV_NORMAL", madvise(m, 4 * PG, MADV_NORMAL), 0);
	CHECK_RET("MADV_RANDOM", madvise(m, 4 * PG, MADV_RANDOM), 0);
	CHECK_RET("MADV_SEQUENTIAL", madvise(m, 4 * PG, MADV_SEQUENTIAL), 0);
	CHECK_RET("MADV_WILLNEED", madvise(m, 4 * PG, MADV_WILLNEED), 0);
	check("hints kept the contents", m[0] == 'm' && m[PG] == 'n' && m[4 * PG - 1] == 'm');
	CHECK_RET("MADV_FREE page 3", madvise(m + 3 * PG, PG, MADV_FREE), 0);
	check("MADV_FREE page readable (old contents or zero)", m[3 * PG] == 'm' || m[3 * PG] == 0);
	CHECK_RET("MADV_DONTNEED length 0", madvise(m, 0, MADV_DONTNEED), 0);
	CHECK_RET("MADV_DONTNEED unaligned length rounds up", madvise(m + 2 * PG, 1, MADV_DONTNEED), 0);
	check("so page 2 is zero", m[2 * PG] == 0 && m[3 * PG - 1] == 0);

	CHECK_ERR("madvise unaligned", madvise(m + 1, PG, MADV_NORMAL), EINVAL);
	CHECK_ERR("madvise unknown advice", madvise(m, PG, 999), EINVAL);
	munmap(m + 3 * PG, PG);
	CHECK_ERR("madvise on unmapped memory", madvise(m + 3 * PG, PG, MADV_NORMAL), ENOMEM);
	CHECK_ERR("madvise running into a hole", madvise(m + 2 * PG, 2 * PG, MADV_DONTNEED), ENOMEM);

	CHECK_RET("msync MS_SYNC", msync(m, 3 * PG, MS_SYNC), 0);
	CHECK_RET("msync MS_ASYNC", msync(m, 3 * PG, MS_ASYNC), 0);
	CHECK_RET("msync MS_INVALIDATE", msync(m, 3 * PG, MS_INVALIDATE), 0);
	CHECK_RET("msync length 0", msync(m, 0, MS_SYNC), 0);
	CHECK_ERR("msync MS_SYNC|MS_ASYNC", msync(m, PG, MS_SYNC | MS_ASYNC), EINVAL);
	CHECK_ERR("msync unknown flag", msync(m, PG, 0x10), EINVAL);
	CHECK_ERR("msync unaligned", msync(m + 1, PG, MS_SYNC), EINVAL);
	CHECK_ERR("msync of unmapped memory", msync(m + 3 * PG, PG, MS_SYNC), ENOMEM);
	CHECK_ERR("msync running into a hole", msync(m + 2 * PG, 2 * PG, MS_SYNC), ENOMEM);
	check("contents survive msync", m[0] == 'm' && m[PG] == 'n');
	return compat_done();
}
