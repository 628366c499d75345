/*
 * ids: process and user identity: getpid == gettid for a single-threaded
 * process, set_tid_address returns the tid, getppid differs from getpid,
 * real and effective ids agree with each other and with the auxv, and
 * set_robust_list accepts the right size only. Values are not printed.
 */
#include "compat.h"
#include <linux/futex.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
	pid_t pid = getpid(), tid = gettid();
	check("getpid > 0", pid > 0);
	check("gettid == getpid", tid == pid);
	check("raw getpid agrees", syscall(SYS_getpid) == pid);
	check("getppid >= 0 and != getpid", getppid() >= 0 && getppid() != pid);
	check("getppid stable", getppid() == getppid());
	static int ctid;
	check("set_tid_address returns the tid", syscall(SYS_set_tid_address, &ctid) == tid);
	check("set_tid_address(NULL) returns the tid", syscall(SYS_set_tid_address, NULL) == tid);
	check("getuid == geteuid", getuid() == geteuid());
	check("getgid == getegid", getgid() == getegid());
	check("getuid matches AT_UID", getuid() == getauxval(AT_UID));
	check("getgid matches AT_GID", getgid() == getauxval(AT_GID));
	check("raw getuid agrees", syscall(SYS_getuid) == getuid());

	static struct robust_list_head head = {.list = {&head.list}, .futex_offset = 0, .list_op_pending = NULL};
	CHECK_RET("set_robust_list", syscall(SYS_set_robust_list, &head, sizeof head), 0);
	CHECK_ERR("set_robust_list wrong size", syscall(SYS_set_robust_list, &head, sizeof head + 8), EINVAL);
	return compat_done();
}
