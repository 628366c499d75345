/* prctl(2)'s capability options: the bounding set, ambient capabilities,
 * securebits and PR_SET_KEEPCAPS (capabilities(7)). */
#include "proc_attr.h"
#include <linux/securebits.h>

static void bounding(void)
{
	T("PR_CAPBSET_READ CAP_KILL", prctl(PR_CAPBSET_READ, CAP_KILL, 0, 0, 0));
	T("PR_CAPBSET_READ 40", prctl(PR_CAPBSET_READ, 40, 0, 0, 0));
	T("PR_CAPBSET_READ 41", prctl(PR_CAPBSET_READ, 41, 0, 0, 0));
	T("PR_CAPBSET_READ -1", prctl(PR_CAPBSET_READ, -1L, 0, 0, 0));
	T("PR_CAPBSET_DROP CAP_KILL", prctl(PR_CAPBSET_DROP, CAP_KILL, 0, 0, 0));
	T("PR_CAPBSET_READ CAP_KILL", prctl(PR_CAPBSET_READ, CAP_KILL, 0, 0, 0));
	T("PR_CAPBSET_DROP CAP_KILL again", prctl(PR_CAPBSET_DROP, CAP_KILL, 0, 0, 0));
	T("PR_CAPBSET_DROP 41", prctl(PR_CAPBSET_DROP, 41, 0, 0, 0));
	showcaps("bounding drop leaves the sets");
	struct capsets c = getcaps(0);
	c.eff &= ~(1ULL << CAP_SETPCAP);
	T("drop eff SETPCAP", setcaps(c));
	T("PR_CAPBSET_DROP without SETPCAP", prctl(PR_CAPBSET_DROP, CAP_CHOWN, 0, 0, 0));
	T("PR_CAPBSET_DROP 41 without SETPCAP", prctl(PR_CAPBSET_DROP, 41, 0, 0, 0));
}

static void ambient(void)
{
	T("IS_SET CAP_KILL", prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_KILL, 0, 0));
	T("IS_SET 41", prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, 41, 0, 0));
	T("IS_SET arg4", prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_KILL, 1, 0));
	T("RAISE not inheritable", prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_KILL, 0, 0));
	struct capsets c = getcaps(0);
	c.inh = 1ULL << CAP_KILL | 1ULL << CAP_CHOWN;
	T("capset inh", setcaps(c));
	T("RAISE CAP_KILL", prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_KILL, 0, 0));
	T("RAISE CAP_CHOWN", prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_CHOWN, 0, 0));
	T("IS_SET CAP_KILL", prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_KILL, 0, 0));
	T("LOWER CAP_KILL", prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_LOWER, CAP_KILL, 0, 0));
	T("IS_SET CAP_KILL", prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_KILL, 0, 0));
	T("op 9", prctl(PR_CAP_AMBIENT, 9, CAP_KILL, 0, 0));
	T("CLEAR_ALL arg3", prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 1, 0, 0));
	/* Dropping from inheritable drops from ambient. */
	c.inh = 1ULL << CAP_KILL;
	T("capset inh without CHOWN", setcaps(c));
	T("IS_SET CAP_CHOWN", prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_CHOWN, 0, 0));
	T("RAISE CAP_KILL", prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_KILL, 0, 0));
	T("CLEAR_ALL", prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0));
	T("IS_SET CAP_KILL", prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_KILL, 0, 0));
	T("PR_SET_SECUREBITS NO_CAP_AMBIENT_RAISE", prctl(PR_SET_SECUREBITS, SECBIT_NO_CAP_AMBIENT_RAISE, 0, 0, 0));
	T("RAISE with NO_CAP_AMBIENT_RAISE", prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_KILL, 0, 0));
	/* Leaving root clears the ambient set. */
	T("PR_SET_SECUREBITS 0", prctl(PR_SET_SECUREBITS, 0, 0, 0, 0));
	T("RAISE CAP_KILL", prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_KILL, 0, 0));
	T("PR_SET_KEEPCAPS", prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0));
	T("setuid(1000)", setuid(1000));
	T("IS_SET CAP_KILL after setuid", prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_KILL, 0, 0));
	showcaps("after setuid");
}

static void lock_keepcaps(void)
{
	T("PR_SET_SECUREBITS KEEP_CAPS|LOCKED", prctl(PR_SET_SECUREBITS, SECBIT_KEEP_CAPS | SECBIT_KEEP_CAPS_LOCKED, 0, 0, 0));
	T("PR_GET_SECUREBITS", prctl(PR_GET_SECUREBITS, 0, 0, 0, 0));
	T("PR_GET_KEEPCAPS", prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0));
	T("PR_SET_KEEPCAPS 0", prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0));
	T("PR_SET_KEEPCAPS 2", prctl(PR_SET_KEEPCAPS, 2, 0, 0, 0));
	T("unlock", prctl(PR_SET_SECUREBITS, SECBIT_KEEP_CAPS, 0, 0, 0));
	T("change locked bit", prctl(PR_SET_SECUREBITS, SECBIT_KEEP_CAPS_LOCKED, 0, 0, 0));
	T("add NOROOT", prctl(PR_SET_SECUREBITS, SECBIT_KEEP_CAPS | SECBIT_KEEP_CAPS_LOCKED | SECBIT_NOROOT, 0, 0, 0));
	T("PR_GET_SECUREBITS", prctl(PR_GET_SECUREBITS, 0, 0, 0, 0));
	T("setuid(1000)", setuid(1000));
	showcaps("locked keepcaps");
}

static void no_fixup(void)
{
	T("NO_SETUID_FIXUP", prctl(PR_SET_SECUREBITS, SECBIT_NO_SETUID_FIXUP, 0, 0, 0));
	T("seteuid(1000)", seteuid(1000));
	showcaps("no fixup, euid 1000");
	T("setfsuid(0)", syscall(SYS_setfsuid, 0));
	T("setresuid(1000, 1000, 1000)", setresuid(1000, 1000, 1000));
	showcaps("no fixup, all 1000");
}

static void unprivileged(void)
{
	struct capsets c = getcaps(0);
	c.eff &= ~(1ULL << CAP_SETPCAP);
	T("drop eff SETPCAP", setcaps(c));
	T("PR_SET_SECUREBITS without SETPCAP", prctl(PR_SET_SECUREBITS, SECBIT_KEEP_CAPS, 0, 0, 0));
	T("PR_SET_KEEPCAPS without SETPCAP", prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0));
	T("PR_GET_SECUREBITS", prctl(PR_GET_SECUREBITS, 0, 0, 0, 0));
}

int main(void)
{
	T("PR_GET_SECUREBITS", prctl(PR_GET_SECUREBITS, 0, 0, 0, 0));
	T("PR_GET_KEEPCAPS", prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0));
	/* Each flag and each lock alone, then a flag with its lock, in
	 * children: a lock stays for good. */
	for (int b = 0; b < 14; b++)
		for (long v = 1L << b; v; v = (b & 1) ? 0 : (v == 1L << b ? 3L << b : 0))
			if (fork() == 0) {
				errno = 0;
				long r = prctl(PR_SET_SECUREBITS, v, 0, 0, 0);
				printf("PR_SET_SECUREBITS %#lx: %ld %s, now %d", v, r, r ? ename(errno) : "",
				       prctl(PR_GET_SECUREBITS, 0, 0, 0, 0));
				errno = 0;
				r = prctl(PR_SET_SECUREBITS, 0, 0, 0, 0);
				printf(", clear: %ld %s\n", r, r ? ename(errno) : "");
				exit(0);
			} else
				wait(NULL);
	T("PR_SET_SECUREBITS 1<<32", prctl(PR_SET_SECUREBITS, 1L << 32, 0, 0, 0));
	child("bounding", bounding);
	child("ambient", ambient);
	child("locked keepcaps", lock_keepcaps);
	child("no setuid fixup", no_fixup);
	child("unprivileged", unprivileged);
	return 0;
}
