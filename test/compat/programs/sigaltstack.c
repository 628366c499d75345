/*
 * sigaltstack: an SA_ONSTACK handler runs on the alternate stack and sees
 * SS_ONSTACK; the stack cannot be changed while on it (EPERM); errors for
 * bad flags and small sizes; SS_DISABLE; a stack overflow is caught on the
 * alternate stack; handlers without SA_ONSTACK stay on the normal stack.
 */
#include "compat.h"
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define ALT_SIZE (64 * 1024)
#ifndef SS_AUTODISARM
#define SS_AUTODISARM (1U << 31)
#endif

static char *alt;
static volatile int on_alt, flags_seen, change_err, ran, try_change = 1;
static sigjmp_buf env;

static int in_alt(const void *p) { return (const char *)p >= alt && (const char *)p < alt + ALT_SIZE; }

static void handler(int sig)
{
	volatile char local;
	stack_t cur;
	ran++;
	on_alt = in_alt((const void *)&local);
	sigaltstack(NULL, &cur);
	flags_seen = cur.ss_flags;
	stack_t other = {.ss_sp = alt, .ss_size = ALT_SIZE, .ss_flags = 0};
	errno = 0;
	if (try_change)
		change_err = sigaltstack(&other, NULL) == -1 ? errno : 0;
}

static volatile unsigned long depth, max_depth = 1UL << 40;

__attribute__((noinline)) static unsigned long recurse(unsigned long n)
{
	volatile char pad[1024];
	pad[0] = (char)n;
	depth = n;
	if (n == max_depth)
		return 0;
	return recurse(n + 1) + pad[0];
}

static void on_overflow(int sig)
{
	volatile char local;
	on_alt = in_alt((const void *)&local);
	siglongjmp(env, 1);
}

int main(void)
{
	alt = mmap(NULL, ALT_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	stack_t ss = {.ss_sp = alt, .ss_size = ALT_SIZE, .ss_flags = 0}, old;
	CHECK_RET("query with none set", sigaltstack(NULL, &old), 0);
	check("initially disabled", old.ss_flags == SS_DISABLE);
	CHECK_RET("install", sigaltstack(&ss, NULL), 0);
	CHECK_RET("query", sigaltstack(NULL, &old), 0);
	check("query returns it", old.ss_sp == alt && old.ss_size == ALT_SIZE && old.ss_flags == 0);

	struct sigaction sa = {0};
	sa.sa_handler = handler;
	sa.sa_flags = SA_ONSTACK;
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_flags = 0;
	sigaction(SIGUSR2, &sa, NULL);

	raise(SIGUSR1);
	check("SA_ONSTACK handler ran on the alternate stack", ran == 1 && on_alt);
	check("it saw SS_ONSTACK", flags_seen == SS_ONSTACK);
	check("changing the stack on it: EPERM", change_err == EPERM);
	raise(SIGUSR2);
	check("handler without SA_ONSTACK on the normal stack", ran == 2 && !on_alt);
	check("it saw flags 0", flags_seen == 0);
	check("changing the stack off it is allowed", change_err == 0);

	ss.ss_size = 2047; /* the kernel's MINSIGSTKSZ is 2048 */
	CHECK_ERR("size below 2048", sigaltstack(&ss, NULL), ENOMEM);
	ss.ss_size = ALT_SIZE;
	ss.ss_flags = 0x10;
	CHECK_ERR("unknown flag", sigaltstack(&ss, NULL), EINVAL);
	ss.ss_flags = SS_ONSTACK;
	CHECK_RET("SS_ONSTACK as a flag is accepted", sigaltstack(&ss, NULL), 0);
	ss.ss_flags = SS_AUTODISARM;
	CHECK_RET("SS_AUTODISARM accepted", sigaltstack(&ss, NULL), 0);
	sigaltstack(NULL, &old);
	check("SS_AUTODISARM reported", old.ss_flags == SS_AUTODISARM);
	ran = 0;
	try_change = 0;
	raise(SIGUSR1);
	try_change = 1;
	check("SS_AUTODISARM: handler on the alternate stack", ran == 1 && on_alt);
	check("SS_AUTODISARM: disarmed inside the handler", flags_seen == SS_DISABLE);
	sigaltstack(NULL, &old);
	check("SS_AUTODISARM: rearmed by sigreturn", old.ss_flags == SS_AUTODISARM && old.ss_sp == alt);
	ran = 2;
	ss.ss_flags = SS_DISABLE;
	ss.ss_size = 0;
	CHECK_RET("SS_DISABLE with size 0", sigaltstack(&ss, NULL), 0);
	sigaltstack(NULL, &old);
	check("disabled", old.ss_flags == SS_DISABLE);
	raise(SIGUSR1);
	check("disabled: SA_ONSTACK handler on the normal stack", ran == 3 && !on_alt);

	/* Stack overflow: only an alternate stack lets the handler run. */
	ss.ss_sp = alt;
	ss.ss_size = ALT_SIZE;
	ss.ss_flags = 0;
	sigaltstack(&ss, NULL);
	sa.sa_handler = on_overflow;
	sa.sa_flags = SA_ONSTACK | SA_NODEFER;
	sigaction(SIGSEGV, &sa, NULL);
	on_alt = 0;
	if (sigsetjmp(env, 1) == 0) {
		recurse(0);
		printf("recursion never overflowed\n");
		return 1;
	}
	check("stack overflow caught on the alternate stack", on_alt);
	check("recursion went deeper than 1000 frames", depth > 1000);
	sigaltstack(NULL, &old);
	check("after siglongjmp out: no longer on it", old.ss_flags == 0);
	return compat_done();
}
