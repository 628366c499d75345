/*
 * statx_fields: statx reports the basic fields (its mask covers
 * STATX_BASIC_STATS on both ext4 and tmpfs), agreeing with stat; the file
 * type, mode, size, link count; AT_SYMLINK_NOFOLLOW and AT_EMPTY_PATH;
 * STATX__RESERVED and bad sync flags give EINVAL.
 */
#include "compat.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

int main(void)
{
	compat_tmpdir();
	umask(0);
	int fd = open("f", O_CREAT | O_RDWR, 0604);
	write(fd, "0123456789abcdef", 16);
	symlink("f", "l");
	mkdir("d", 0700);
	struct statx sx;
	struct stat st;
	CHECK_RET("statx f", statx(AT_FDCWD, "f", 0, STATX_BASIC_STATS, &sx), 0);
	check("mask has STATX_BASIC_STATS", (sx.stx_mask & STATX_BASIC_STATS) == STATX_BASIC_STATS);
	printf("f: regular %d mode %04o size %llu nlink %u\n", S_ISREG(sx.stx_mode), sx.stx_mode & 07777,
	       (unsigned long long)sx.stx_size, sx.stx_nlink);
	stat("f", &st);
	check("ino, size, uid, blocks match stat", sx.stx_ino == st.st_ino && sx.stx_size == (unsigned long long)st.st_size &&
							   sx.stx_uid == st.st_uid && sx.stx_blocks == (unsigned long long)st.st_blocks);
	check("dev matches stat", makedev(sx.stx_dev_major, sx.stx_dev_minor) == st.st_dev);
	check("mtime matches stat", sx.stx_mtime.tv_sec == st.st_mtim.tv_sec && sx.stx_mtime.tv_nsec == (unsigned)st.st_mtim.tv_nsec);
	check("blksize matches stat", sx.stx_blksize == st.st_blksize);
	statx(AT_FDCWD, "l", AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &sx);
	printf("l NOFOLLOW: symlink %d size %llu\n", S_ISLNK(sx.stx_mode), (unsigned long long)sx.stx_size);
	statx(AT_FDCWD, "l", 0, STATX_BASIC_STATS, &sx);
	printf("l: regular %d size %llu\n", S_ISREG(sx.stx_mode), (unsigned long long)sx.stx_size);
	statx(AT_FDCWD, "d", 0, STATX_TYPE | STATX_MODE | STATX_NLINK, &sx);
	printf("d: directory %d mode %04o nlink %u\n", S_ISDIR(sx.stx_mode), sx.stx_mode & 07777, sx.stx_nlink);
	CHECK_RET("statx AT_EMPTY_PATH", statx(fd, "", AT_EMPTY_PATH, STATX_SIZE, &sx), 0);
	printf("fd: size %llu\n", (unsigned long long)sx.stx_size);
	CHECK_RET("statx AT_STATX_FORCE_SYNC", statx(fd, "", AT_EMPTY_PATH | AT_STATX_FORCE_SYNC, STATX_SIZE, &sx), 0);
	CHECK_RET("statx AT_STATX_DONT_SYNC", statx(fd, "", AT_EMPTY_PATH | AT_STATX_DONT_SYNC, STATX_SIZE, &sx), 0);
	CHECK_ERR("statx FORCE_SYNC|DONT_SYNC", statx(fd, "", AT_EMPTY_PATH | AT_STATX_SYNC_TYPE, STATX_SIZE, &sx), EINVAL);
	CHECK_ERR("statx STATX__RESERVED", statx(AT_FDCWD, "f", 0, STATX__RESERVED, &sx), EINVAL);
	CHECK_ERR("statx unknown flag", statx(AT_FDCWD, "f", 0x10000000, STATX_BASIC_STATS, &sx), EINVAL);
	CHECK_ERR("statx missing", statx(AT_FDCWD, "none", 0, STATX_BASIC_STATS, &sx), ENOENT);
	CHECK_RET("statx mask 0", statx(AT_FDCWD, "f", 0, 0, &sx), 0);
	return compat_done();
}
