/* Capabilities across user ID changes (capabilities(7), "Effect of user ID
 * changes on capabilities") and capset(2)'s rules. */
#include "proc_attr.h"

#define CAP(n) (1ULL << (n))

static void to_user(void)
{
	T("setuid(1000)", setuid(1000));
	showcaps("root to 1000");
	struct capsets c = getcaps(0);
	c.eff = 0;
	c.prm = CAP(CAP_KILL);
	T("capset raise", setcaps(c));
}

static void saved_root(void)
{
	T("setresuid(1000, 1000, 0)", setresuid(1000, 1000, 0));
	showcaps("saved root");
	T("seteuid(0)", seteuid(0));
	showcaps("euid 0 again");
	T("setresuid(-1, -1, 1000)", setresuid(-1, -1, 1000));
	showcaps("saved 1000, euid 0");
	T("seteuid(1000)", seteuid(1000));
	showcaps("no root left");
}

static void keepcaps(void)
{
	T("PR_SET_KEEPCAPS 1", prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0));
	T("PR_GET_KEEPCAPS", prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0));
	T("setresuid(1000, 1000, 1000)", setresuid(1000, 1000, 1000));
	showcaps("keepcaps");
	T("PR_GET_KEEPCAPS", prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0));
	/* The permitted set survives, so the effective one can be raised. */
	struct capsets c = getcaps(0);
	c.eff = CAP(CAP_SETUID) | CAP(CAP_CHOWN);
	T("capset eff", setcaps(c));
	showcaps("raised");
	T("setuid(0) with CAP_SETUID", setuid(0));
	showids("ids");
	showcaps("root again");
}

static void fsuid(void)
{
	T("setfsuid(1000)", syscall(SYS_setfsuid, 1000));
	showcaps("fsuid 1000");
	showids("ids");
	T("setfsuid(0)", syscall(SYS_setfsuid, 0));
	showcaps("fsuid 0");
	T("setfsgid(50)", syscall(SYS_setfsgid, 50));
	showids("fsgid 50");
	T("setfsgid(-1)", syscall(SYS_setfsgid, -1));
	T("setfsuid(-1)", syscall(SYS_setfsuid, -1));
	T("setresuid(1000, 1000, 1000)", setresuid(1000, 1000, 1000));
	T("setfsuid(7)", syscall(SYS_setfsuid, 7));
	T("setfsuid(7) again", syscall(SYS_setfsuid, 7));
	T("setfsgid(7)", syscall(SYS_setfsgid, 7));
	T("setfsgid(7) again", syscall(SYS_setfsgid, 7));
	showids("unprivileged");
}

static void capset_rules(void)
{
	struct capsets c = start_caps;
	c.eff &= ~CAP(CAP_NET_RAW);
	T("drop eff NET_RAW", setcaps(c));
	showcaps("eff dropped");
	c.eff = start_caps.eff;
	T("eff back", setcaps(c));
	c.prm &= ~CAP(CAP_NET_RAW);
	T("eff beyond prm", setcaps(c));
	c.eff &= ~CAP(CAP_NET_RAW);
	T("drop prm NET_RAW", setcaps(c));
	c.prm = start_caps.prm;
	T("prm back", setcaps(c));
	showcaps("prm dropped");
	c = getcaps(0);
	c.inh = CAP(CAP_NET_RAW) | CAP(CAP_KILL);
	T("inh with CAP_SETPCAP", setcaps(c));
	showcaps("inh");
	T("PR_CAPBSET_DROP NET_ADMIN", prctl(PR_CAPBSET_DROP, CAP_NET_ADMIN, 0, 0, 0));
	c.inh |= CAP(CAP_NET_ADMIN);
	T("inh beyond bounding", setcaps(c));
	c.inh &= ~CAP(CAP_NET_ADMIN);
	c.eff &= ~CAP(CAP_SETPCAP);
	T("drop eff SETPCAP", setcaps(c));
	c.inh |= CAP(CAP_SYS_ADMIN);
	T("inh without CAP_SETPCAP", setcaps(c));
	c.inh = CAP(CAP_KILL);
	T("inh lowered", setcaps(c));
	c.inh |= CAP(CAP_NET_RAW);
	T("inh from permitted", setcaps(c));
	showcaps("end");
}

static void versions(void)
{
	struct __user_cap_header_struct h = {0x12345678, 0};
	struct __user_cap_data_struct d[2];
	T("capget bad version", syscall(SYS_capget, &h, d));
	printf("version written: %#x\n", h.version);
	h.version = 0x12345678;
	T("capget probe", syscall(SYS_capget, &h, NULL));
	printf("version written: %#x\n", h.version);
	h.version = _LINUX_CAPABILITY_VERSION_3;
	T("capget v3 NULL", syscall(SYS_capget, &h, NULL));
	h.version = 0x12345678;
	T("capset bad version", syscall(SYS_capset, &h, d));
	printf("version written: %#x\n", h.version);
	h.version = _LINUX_CAPABILITY_VERSION_3;
	h.pid = -1;
	T("capget pid -1", syscall(SYS_capget, &h, d));
	h.pid = 4194303;
	T("capget no such pid", syscall(SYS_capget, &h, d));
	h.pid = getppid();
	T("capget parent", syscall(SYS_capget, &h, d));
	T("capset parent", syscall(SYS_capset, &h, d));
	h.pid = getpid();
	T("capget self by pid", syscall(SYS_capget, &h, d));
	T("capget bad data", syscall(SYS_capget, &h, (void *)8));
	T("capget bad header", syscall(SYS_capget, (void *)8, d));

	/* Version 1 has one 32-bit word per set: capset through it clears
	 * the upper capabilities. */
	memset(d, 0xff, sizeof d);
	h.version = _LINUX_CAPABILITY_VERSION_1;
	h.pid = 0;
	T("capget v1", syscall(SYS_capget, &h, d));
	B("v1 second word untouched", d[1].effective == 0xffffffff);
	B("v1 eff low word", d[0].effective == (unsigned)start_caps.eff);
	T("capset v1", syscall(SYS_capset, &h, d));
	showcaps("after v1 capset");
	B("upper caps gone", (getcaps(0).prm >> 32) == 0);
	h.version = _LINUX_CAPABILITY_VERSION_2;
	T("capget v2", syscall(SYS_capget, &h, d));
}

int main(void)
{
	showcaps("start");
	B("root has CAP_SETUID", start_caps.eff & CAP(CAP_SETUID));
	child("root to user", to_user);
	child("saved root", saved_root);
	child("keepcaps", keepcaps);
	child("fsuid", fsuid);
	child("capset", capset_rules);
	child("versions", versions);
	showcaps("end");
	return 0;
}
