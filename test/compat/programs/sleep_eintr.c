/*
 * sleep_eintr: a SIGALRM handler interrupts nanosleep, clock_nanosleep,
 * pause and sigsuspend with EINTR, with or without SA_RESTART (Linux never
 * restarts these after a handler ran); relative sleeps report the time
 * left in rem. Ignored and blocked signals do not interrupt a sleep.
 */
#include "compat.h"
#include <signal.h>
#include <stdint.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static volatile int fired;

static void on_alarm(int sig) { fired++; }

static void handle(int flags)
{
	struct sigaction sa = {0};
	sa.sa_handler = on_alarm;
	sa.sa_flags = flags;
	sigaction(SIGALRM, &sa, NULL);
}

/* arm fires SIGALRM once after ms milliseconds. */
static void arm(int ms)
{
	struct itimerval it = {{0, 0}, {ms / 1000, (ms % 1000) * 1000}};
	setitimer(ITIMER_REAL, &it, NULL);
}

static int64_t ms_of(struct timespec t) { return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000; }

static int64_t now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return ms_of(t);
}

static void sleep_case(const char *name, int flags)
{
	char what[120];
	handle(flags);
	fired = 0;
	struct timespec req = {2, 0}, rem = {0, 0};
	arm(100);
	errno = 0;
	int r = nanosleep(&req, &rem);
	snprintf(what, sizeof what, "%s: nanosleep interrupted: EINTR", name);
	check(what, r == -1 && errno == EINTR && fired == 1);
	snprintf(what, sizeof what, "%s: rem is about 1.9 s", name);
	check(what, ms_of(rem) > 1500 && ms_of(rem) < 2000);

	fired = 0;
	req.tv_sec = 2;
	arm(100);
	r = clock_nanosleep(CLOCK_MONOTONIC, 0, &req, &rem);
	snprintf(what, sizeof what, "%s: clock_nanosleep relative: EINTR with rem", name);
	check(what, r == EINTR && fired == 1 && ms_of(rem) > 1500 && ms_of(rem) < 2000);

	fired = 0;
	clock_gettime(CLOCK_MONOTONIC, &req);
	req.tv_sec += 2;
	rem.tv_sec = 77;
	arm(100);
	r = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &req, &rem);
	snprintf(what, sizeof what, "%s: clock_nanosleep absolute: EINTR, rem untouched", name);
	check(what, r == EINTR && fired == 1 && rem.tv_sec == 77);

	fired = 0;
	arm(50);
	errno = 0;
	r = pause();
	snprintf(what, sizeof what, "%s: pause: EINTR", name);
	check(what, r == -1 && errno == EINTR && fired == 1);

	fired = 0;
	sigset_t empty;
	sigemptyset(&empty);
	arm(50);
	errno = 0;
	r = sigsuspend(&empty);
	snprintf(what, sizeof what, "%s: sigsuspend: EINTR", name);
	check(what, r == -1 && errno == EINTR && fired == 1);
}

int main(void)
{
	sleep_case("without SA_RESTART", 0);
	sleep_case("with SA_RESTART", SA_RESTART);

	/* Ignored: the sleep runs its full length. */
	signal(SIGALRM, SIG_IGN);
	struct timespec req = {0, 200000000}, rem = {0, 0};
	int64_t t0 = now_ms();
	arm(50);
	CHECK_RET("ignored SIGALRM: nanosleep completes", nanosleep(&req, &rem), 0);
	check("ignored SIGALRM: slept the full 200 ms", now_ms() - t0 >= 200);

	/* Blocked: the sleep completes, the signal stays pending. */
	handle(0);
	fired = 0;
	sigset_t s, pend;
	sigemptyset(&s);
	sigaddset(&s, SIGALRM);
	sigprocmask(SIG_BLOCK, &s, NULL);
	t0 = now_ms();
	arm(50);
	CHECK_RET("blocked SIGALRM: nanosleep completes", nanosleep(&req, &rem), 0);
	check("blocked SIGALRM: slept the full 200 ms", now_ms() - t0 >= 200);
	sigpending(&pend);
	check("blocked SIGALRM: pending, handler not run", sigismember(&pend, SIGALRM) && fired == 0);
	sigprocmask(SIG_UNBLOCK, &s, NULL);
	check("unblocking runs the handler", fired == 1);
	return compat_done();
}
