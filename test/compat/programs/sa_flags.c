/*
 * sa_flags: SA_NODEFER lets a handler be re-entered by its own signal; by
 * default the signal is blocked in its handler and delivered right after
 * it returns; SA_RESETHAND restores SIG_DFL on delivery (and, as on Linux,
 * does not imply SA_NODEFER); sa_mask is blocked during the handler only;
 * sigaction reports back the flags and mask it was given.
 */
#include "compat.h"
#include <signal.h>
#include <unistd.h>

#ifndef SA_RESTORER
#define SA_RESTORER 0x04000000
#endif

static char order[64];
static int pos;
static volatile int depth, max_depth, calls;
static volatile int usr1_blocked, usr2_blocked;

static void mark(char c)
{
	if (pos < (int)sizeof order - 1)
		order[pos++] = c;
}

static void reentrant(int sig)
{
	depth++;
	if (depth > max_depth)
		max_depth = depth;
	mark('[');
	if (++calls < 3)
		raise(sig);
	mark(']');
	depth--;
}

static void note_mask(int sig)
{
	sigset_t s;
	sigprocmask(SIG_BLOCK, NULL, &s);
	usr1_blocked = sigismember(&s, SIGUSR1);
	usr2_blocked = sigismember(&s, SIGUSR2);
	mark('h');
}

static void set(int sig, void (*h)(int), int flags, int masked)
{
	struct sigaction sa = {0};
	sa.sa_handler = h;
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	if (masked)
		sigaddset(&sa.sa_mask, masked);
	sigaction(sig, &sa, NULL);
}

static void reset(void)
{
	memset(order, 0, sizeof order);
	pos = 0;
	depth = max_depth = calls = 0;
}

int main(void)
{
	set(SIGUSR1, reentrant, SA_NODEFER, 0);
	reset();
	raise(SIGUSR1);
	printf("SA_NODEFER: order %s, max depth %d\n", order, max_depth);
	check("SA_NODEFER nests", strcmp(order, "[[[]]]") == 0 && max_depth == 3);

	set(SIGUSR1, reentrant, 0, 0);
	reset();
	raise(SIGUSR1);
	printf("default: order %s, max depth %d\n", order, max_depth);
	check("without SA_NODEFER: deferred until return", strcmp(order, "[][][]") == 0 && max_depth == 1);

	set(SIGUSR1, note_mask, 0, SIGUSR2);
	reset();
	raise(SIGUSR1);
	check("in the handler: its signal and sa_mask blocked", usr1_blocked && usr2_blocked);
	sigset_t s;
	sigprocmask(SIG_BLOCK, NULL, &s);
	check("after it: both unblocked", !sigismember(&s, SIGUSR1) && !sigismember(&s, SIGUSR2));
	set(SIGUSR1, note_mask, SA_NODEFER, SIGUSR2);
	raise(SIGUSR1);
	check("SA_NODEFER: its signal not blocked, sa_mask still is", !usr1_blocked && usr2_blocked);

	set(SIGUSR1, note_mask, SA_RESETHAND, 0);
	reset();
	raise(SIGUSR1);
	check("SA_RESETHAND: handler ran once", strcmp(order, "h") == 0);
	check("SA_RESETHAND: signal still blocked in the handler", usr1_blocked);
	struct sigaction q;
	sigaction(SIGUSR1, NULL, &q);
	check("SA_RESETHAND: disposition back to SIG_DFL", q.sa_handler == SIG_DFL);
	check("SA_RESETHAND: the flags stay as they were", (q.sa_flags & SA_RESETHAND) != 0);

	/* sigaction reports what it was given. */
	struct sigaction sa = {0}, old;
	sa.sa_handler = note_mask;
	sa.sa_flags = SA_RESTART | SA_NODEFER | SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGHUP);
	sigaddset(&sa.sa_mask, SIGRTMIN + 3);
	sigaddset(&sa.sa_mask, SIGKILL);
	sigaction(SIGUSR2, &sa, NULL);
	sigaction(SIGUSR2, NULL, &old);
	check("handler reported back", old.sa_handler == note_mask);
	check("flags reported back (SA_RESTORER added by libc)",
	      (old.sa_flags & ~SA_RESTORER) == (SA_RESTART | SA_NODEFER | SA_ONSTACK));
	check("mask reported back", sigismember(&old.sa_mask, SIGHUP) && sigismember(&old.sa_mask, SIGRTMIN + 3));
	check("SIGKILL dropped from sa_mask", !sigismember(&old.sa_mask, SIGKILL));
	check("nothing else in sa_mask", !sigismember(&old.sa_mask, SIGINT) && !sigismember(&old.sa_mask, SIGUSR2));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGUSR2, &sa, &old);
	check("old action returned while setting", old.sa_handler == note_mask);
	CHECK_ERR("sigaction signal 0", sigaction(0, &sa, NULL), EINVAL);
	CHECK_ERR("sigaction signal 65", sigaction(65, &sa, NULL), EINVAL);
	return compat_done();
}
