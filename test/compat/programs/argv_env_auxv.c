/*
 * argv_env_auxv: what the loader puts on the initial stack. The harness
 * passes the arguments "alpha", "two words" and "" and sets
 * COMPAT_GREETING; auxv values are host-specific, so only their
 * plausibility is printed.
 */
#include "compat.h"
#include <elf.h>
#include <link.h>
#include <sys/auxv.h>
#include <unistd.h>

extern char **environ;
extern char _start[];

int main(int argc, char **argv, char **envp)
{
	printf("argc: %d\n", argc);
	for (int i = 1; i < argc; i++)
		printf("argv[%d]: \"%s\"\n", i, argv[i]);
	check("argv[argc] is NULL", argv[argc] == NULL);
	check("argv[0] is the path", argv[0] && strchr(argv[0], '/') != NULL);
	check("envp follows argv", envp == argv + argc + 1);
	check("environ is envp", environ == envp);
	const char *g = getenv("COMPAT_GREETING");
	printf("COMPAT_GREETING: %s\n", g ? g : "(unset)");
	int n = 0;
	for (char **e = envp; *e; e++)
		n++;
	printf("environment entries: %d\n", n);
	check("unset variable is unset", getenv("COMPAT_NOT_SET") == NULL);

	/* auxv starts after the environment's NULL. */
	char **e = envp;
	while (*e)
		e++;
	ElfW(auxv_t) *av = (ElfW(auxv_t) *)(e + 1);
	int have_null = 0, count = 0;
	for (; count < 64; av++, count++) {
		if (av->a_type == AT_NULL) {
			have_null = 1;
			break;
		}
	}
	check("auxv ends with AT_NULL", have_null);

	check("AT_PAGESZ == 4096", getauxval(AT_PAGESZ) == 4096);
	check("AT_PAGESZ == sysconf", getauxval(AT_PAGESZ) == (unsigned long)sysconf(_SC_PAGESIZE));
	unsigned char *rnd = (unsigned char *)getauxval(AT_RANDOM);
	check("AT_RANDOM non-null", rnd != NULL);
	if (rnd) {
		int nonzero = 0;
		for (int i = 0; i < 16; i++)
			nonzero |= rnd[i];
		check("AT_RANDOM bytes not all zero", nonzero != 0);
	}
	ElfW(Phdr) *ph = (ElfW(Phdr) *)getauxval(AT_PHDR);
	unsigned long phnum = getauxval(AT_PHNUM);
	check("AT_PHDR non-null", ph != NULL);
	check("AT_PHENT == sizeof(Elf64_Phdr)", getauxval(AT_PHENT) == sizeof(ElfW(Phdr)));
	check("AT_PHNUM > 0", phnum > 0);
	int load_has_entry = 0, has_load = 0;
	unsigned long entry = getauxval(AT_ENTRY), vaddr = entry;
	/* A PIE (the dynamic build) is loaded at a bias: AT_PHDR less PT_PHDR's address. */
	for (unsigned long i = 0; ph && i < phnum; i++)
		if (ph[i].p_type == PT_PHDR)
			vaddr -= (unsigned long)ph - ph[i].p_vaddr;
	for (unsigned long i = 0; ph && i < phnum; i++) {
		if (ph[i].p_type != PT_LOAD)
			continue;
		has_load = 1;
		if (vaddr >= ph[i].p_vaddr && vaddr < ph[i].p_vaddr + ph[i].p_memsz && (ph[i].p_flags & PF_X))
			load_has_entry = 1;
	}
	check("AT_PHDR has a PT_LOAD", has_load);
	check("AT_ENTRY in an executable PT_LOAD", load_has_entry);
	check("AT_ENTRY == _start", entry == (unsigned long)_start);
	check("AT_SYSINFO_EHDR non-zero", getauxval(AT_SYSINFO_EHDR) != 0);
	if (getauxval(AT_SYSINFO_EHDR)) {
		const unsigned char *vdso = (const unsigned char *)getauxval(AT_SYSINFO_EHDR);
		check("vDSO starts with ELF magic", memcmp(vdso, ELFMAG, SELFMAG) == 0);
	}
	check("AT_UID == getuid", getauxval(AT_UID) == getuid());
	check("AT_EUID == geteuid", getauxval(AT_EUID) == geteuid());
	check("AT_GID == getgid", getauxval(AT_GID) == getgid());
	check("AT_EGID == getegid", getauxval(AT_EGID) == getegid());
	check("AT_SECURE == 0", getauxval(AT_SECURE) == 0);
	const char *execfn = (const char *)getauxval(AT_EXECFN);
	check("AT_EXECFN == argv[0]", execfn && strcmp(execfn, argv[0]) == 0);
	const char *plat = (const char *)getauxval(AT_PLATFORM);
	check("AT_PLATFORM == x86_64", plat && strcmp(plat, "x86_64") == 0);
	check("AT_HWCAP non-zero", getauxval(AT_HWCAP) != 0);
	check("AT_CLKTCK == 100", getauxval(AT_CLKTCK) == 100);
	errno = 0;
	check("missing entry gives ENOENT", getauxval(0x7777) == 0 && errno == ENOENT);
	return compat_done();
}
