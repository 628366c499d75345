/*
 * uname: the fields are NUL-terminated, stable across calls and plausible;
 * sysname is "Linux" and machine "x86_64". Host-specific values (release,
 * node name) are not printed.
 */
#include "compat.h"
#include <ctype.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

static int terminated(const char *f) { return memchr(f, 0, sizeof ((struct utsname *)0)->sysname) != NULL; }

int main(void)
{
	struct utsname a, b;
	memset(&a, 0x55, sizeof a);
	memset(&b, 0xaa, sizeof b);
	CHECK_RET("uname", uname(&a), 0);
	CHECK_RET("uname again (syscall)", syscall(SYS_uname, &b), 0);
	check("every field NUL-terminated", terminated(a.sysname) && terminated(a.nodename) && terminated(a.release) &&
						    terminated(a.version) && terminated(a.machine) && terminated(a.domainname));
	check("sysname same twice", strcmp(a.sysname, b.sysname) == 0);
	check("nodename same twice", strcmp(a.nodename, b.nodename) == 0);
	check("release same twice", strcmp(a.release, b.release) == 0);
	check("version same twice", strcmp(a.version, b.version) == 0);
	check("machine same twice", strcmp(a.machine, b.machine) == 0);
	check("domainname same twice", strcmp(a.domainname, b.domainname) == 0);
	printf("sysname: %s\n", a.sysname);
	printf("machine: %s\n", a.machine);
	int major = 0, minor = 0;
	check("release looks like MAJOR.MINOR", sscanf(a.release, "%d.%d", &major, &minor) == 2 && major >= 3);
	check("version starts with #", a.version[0] == '#');
	check("nodename non-empty", a.nodename[0] != 0);
	int printable = 1;
	for (const char *p = a.release; *p; p++)
		printable &= isprint((unsigned char)*p) != 0;
	check("release printable", printable);
	CHECK_ERR("uname(NULL)", syscall(SYS_uname, NULL), EFAULT);
	return compat_done();
}
