/*
 * statfs_types: statfs and fstatfs name the filesystem type of the
 * mounts both a Linux host and moat have: /dev/shm is tmpfs, /proc is
 * procfs, /sys is sysfs; f_namelen is 255 on tmpfs; fstatfs agrees with
 * statfs; errors ENOENT and EBADF.
 */
#include "compat.h"
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/statfs.h>
#include <unistd.h>

int main(void)
{
	struct statfs s, f;
	CHECK_RET("statfs /dev/shm", statfs("/dev/shm", &s), 0);
	check("/dev/shm is TMPFS_MAGIC", s.f_type == TMPFS_MAGIC);
	CHECK_RET("f_namelen 255", s.f_namelen, 255);
	check("f_bsize > 0", s.f_bsize > 0);
	char name[64];
	snprintf(name, sizeof name, "/dev/shm/compat-statfs-%d", getpid());
	int fd = open(name, O_CREAT | O_RDWR, 0600);
	unlink(name);
	CHECK_RET("fstatfs on a file in /dev/shm", fstatfs(fd, &f), 0);
	check("same type", f.f_type == TMPFS_MAGIC);
	CHECK_RET("statfs /proc", statfs("/proc", &s), 0);
	check("/proc is PROC_SUPER_MAGIC", s.f_type == PROC_SUPER_MAGIC);
	CHECK_RET("statfs /proc/self/status", statfs("/proc/self/status", &s), 0);
	check("still procfs", s.f_type == PROC_SUPER_MAGIC);
	CHECK_RET("statfs /sys", statfs("/sys", &s), 0);
	check("/sys is SYSFS_MAGIC", s.f_type == SYSFS_MAGIC);
	CHECK_ERR("statfs missing", statfs("/nonexistent", &s), ENOENT);
	CHECK_ERR("fstatfs closed fd", fstatfs(99, &s), EBADF);
	int p[2];
	pipe(p);
	CHECK_RET("fstatfs a pipe", fstatfs(p[0], &s), 0);
	check("pipefs", s.f_type == PIPEFS_MAGIC);
	return compat_done();
}
