/*
 * nested_handlers: handlers nest: a SIGUSR1 handler that raises SIGUSR2
 * (not blocked) runs the SIGUSR2 handler inside it; with SIGUSR2 in the
 * SIGUSR1 handler's sa_mask it waits until the handler returns; the same
 * signal is blocked in its own handler unless SA_NODEFER, which lets it
 * nest; SA_RESETHAND restores the default after one delivery.
 */
#include "compat.h"
#include <signal.h>
#include <unistd.h>

static char trace[128];
static int depth;

static void add(const char *s) { strcat(trace, s); }

static void on_usr2(int sig) { add("[2]"); }

static void on_usr1(int sig)
{
	add("(1");
	raise(SIGUSR2);
	add("1)");
}

static void on_self(int sig)
{
	depth++;
	add("<");
	if (depth < 3)
		raise(SIGUSR1);
	add(">");
}

int main(void)
{
	struct sigaction s2 = {.sa_handler = on_usr2};
	sigaction(SIGUSR2, &s2, NULL);
	struct sigaction s1 = {.sa_handler = on_usr1};
	sigaction(SIGUSR1, &s1, NULL);
	raise(SIGUSR1);
	printf("unmasked: %s\n", trace);

	trace[0] = 0;
	sigaddset(&s1.sa_mask, SIGUSR2);
	sigaction(SIGUSR1, &s1, NULL);
	raise(SIGUSR1);
	printf("SIGUSR2 in sa_mask: %s\n", trace);

	trace[0] = 0;
	depth = 0;
	struct sigaction self = {.sa_handler = on_self};
	sigaction(SIGUSR1, &self, NULL);
	raise(SIGUSR1);
	printf("same signal, default: %s\n", trace);

	trace[0] = 0;
	depth = 0;
	self.sa_flags = SA_NODEFER;
	sigaction(SIGUSR1, &self, NULL);
	raise(SIGUSR1);
	printf("same signal, SA_NODEFER: %s\n", trace);

	trace[0] = 0;
	struct sigaction once = {.sa_handler = on_usr2, .sa_flags = SA_RESETHAND};
	sigaction(SIGUSR2, &once, NULL);
	raise(SIGUSR2);
	struct sigaction now;
	sigaction(SIGUSR2, NULL, &now);
	printf("SA_RESETHAND: %s, handler now default: %s\n", trace, now.sa_handler == SIG_DFL ? "yes" : "no");
	return compat_done();
}
