/*
 * sigaltstack_restore: rt_sigreturn restores the alternate stack from
 * uc_stack as sigaltstack(2) would, so the restore is refused (silently)
 * when the thread is on the then-current alternate stack. Here an
 * SS_AUTODISARM handler, running on the stack, re-installs that stack with
 * flags 0: Linux keeps the handler's setting; a handler that installs a
 * different stack gets its setting replaced by uc_stack.
 */
#include "compat.h"
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef SS_AUTODISARM
#define SS_AUTODISARM (1U << 31)
#endif
#define ALT_SIZE (64 * 1024)

static char *alt, *other;
static volatile int use_other, set_err = -1;

static void handler(int sig)
{
	stack_t ss = {.ss_sp = use_other ? other : alt, .ss_size = ALT_SIZE, .ss_flags = 0};
	set_err = sigaltstack(&ss, NULL);
}

int main(void)
{
	alt = mmap(NULL, ALT_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	other = mmap(NULL, ALT_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	stack_t ss = {.ss_sp = alt, .ss_size = ALT_SIZE, .ss_flags = SS_AUTODISARM}, cur;
	sigaltstack(&ss, NULL);
	struct sigaction sa = {0};
	sa.sa_handler = handler;
	sa.sa_flags = SA_ONSTACK;
	sigaction(SIGUSR1, &sa, NULL);

	raise(SIGUSR1);
	check("handler re-installed its own stack", set_err == 0);
	sigaltstack(NULL, &cur);
	check("sigreturn's restore refused: the handler's setting stays", cur.ss_sp == alt && cur.ss_flags == 0);

	ss.ss_flags = SS_AUTODISARM;
	sigaltstack(&ss, NULL);
	use_other = 1;
	set_err = -1;
	raise(SIGUSR1);
	check("handler installed another stack", set_err == 0);
	sigaltstack(NULL, &cur);
	check("sigreturn restored uc_stack", cur.ss_sp == alt && cur.ss_flags == SS_AUTODISARM);
	return compat_done();
}
