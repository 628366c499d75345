/*
 * siginfo: what an SA_SIGINFO handler learns about a signal sent with kill,
 * tkill, tgkill, raise, alarm and setitimer: si_signo, si_code, si_pid,
 * si_uid; and the saved mask in the ucontext.
 */
#include "compat.h"
#include <signal.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <ucontext.h>
#include <unistd.h>

static volatile int got;
static siginfo_t info;
static sigset_t saved_mask, handler_mask;

static void handler(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	got = sig;
	info = *si;
	saved_mask = uc->uc_sigmask;
	sigprocmask(SIG_BLOCK, NULL, &handler_mask);
}

static const char *code_name(int c)
{
	switch (c) {
	case SI_USER:
		return "SI_USER";
	case SI_KERNEL:
		return "SI_KERNEL";
	case SI_TKILL:
		return "SI_TKILL";
	case SI_QUEUE:
		return "SI_QUEUE";
	}
	return "other";
}

static void report(const char *how, int sig, int want_code, int sender_is_self)
{
	pid_t want_pid = sender_is_self ? getpid() : 0;
	uid_t want_uid = sender_is_self ? getuid() : 0;
	printf("%s: %s %s, si_signo %s, si_pid %s, si_uid %s\n", how, got == sig ? "delivered" : "NOT delivered",
	       code_name(info.si_code), info.si_signo == sig ? "right" : "wrong",
	       info.si_pid == want_pid ? "as expected" : "wrong", info.si_uid == want_uid ? "as expected" : "wrong");
	if (got != sig || info.si_code != want_code || info.si_signo != sig || info.si_pid != want_pid ||
	    info.si_uid != want_uid)
		compat_failures++;
	got = 0;
	memset(&info, 0, sizeof info);
}

int main(void)
{
	struct sigaction sa = {0};
	sa.sa_sigaction = handler;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGUSR2);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGALRM, &sa, NULL);
	sigaction(SIGRTMIN, &sa, NULL);

	kill(getpid(), SIGUSR1);
	report("kill", SIGUSR1, SI_USER, 1);
	syscall(SYS_tkill, gettid(), SIGUSR1);
	report("tkill", SIGUSR1, SI_TKILL, 1);
	syscall(SYS_tgkill, getpid(), gettid(), SIGUSR1);
	report("tgkill", SIGUSR1, SI_TKILL, 1);
	raise(SIGUSR1);
	report("raise", SIGUSR1, SI_TKILL, 1);
	kill(getpid(), SIGRTMIN);
	report("kill SIGRTMIN", SIGRTMIN, SI_USER, 1);

	check("handler mask has the signal", sigismember(&handler_mask, SIGRTMIN));
	check("handler mask has sa_mask", sigismember(&handler_mask, SIGUSR2));
	check("saved mask is the mask before", !sigismember(&saved_mask, SIGRTMIN) && !sigismember(&saved_mask, SIGUSR2));

	/* The saved mask is the one that was in force, blocked signals included. */
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGHUP);
	sigprocmask(SIG_BLOCK, &s, NULL);
	raise(SIGUSR1);
	check("saved mask includes a blocked SIGHUP", got == SIGUSR1 && sigismember(&saved_mask, SIGHUP));
	got = 0;
	sigprocmask(SIG_UNBLOCK, &s, NULL);

	alarm(1);
	while (!got)
		pause();
	report("alarm", SIGALRM, SI_KERNEL, 0);
	struct itimerval it = {{0, 0}, {0, 10000}};
	setitimer(ITIMER_REAL, &it, NULL);
	while (!got)
		pause();
	report("setitimer", SIGALRM, SI_KERNEL, 0);
	return compat_done();
}
