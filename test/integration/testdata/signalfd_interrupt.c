/*
 * signalfd_interrupt: a blocking signalfd read waits for a blocked signal
 * of its mask (sent later by a timer, another thread or another process),
 * and ends when an unblocked signal runs a handler: EINTR without
 * SA_RESTART; with it the read restarts and takes the signal the handler
 * sent.
 */
#include "evtest.h"
#include <pthread.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/time.h>
#include <sys/wait.h>

static volatile int alarms;

static void on_alarm(int sig) { alarms++; }

static void send_usr1(int sig)
{
	alarms++;
	kill(getpid(), SIGUSR1);
}

static void arm(void (*fn)(int), int flags)
{
	struct sigaction sa = {0};
	sa.sa_handler = fn;
	sa.sa_flags = flags;
	sigaction(SIGALRM, &sa, NULL);
	struct itimerval it = {{0, 0}, {0, 30000}};
	setitimer(ITIMER_REAL, &it, NULL);
}

static void *sender(void *arg)
{
	usleep(30000);
	kill(getpid(), SIGUSR2);
	return NULL;
}

static void take(const char *what, int fd)
{
	struct signalfd_siginfo si;
	errno = 0;
	long n = read(fd, &si, sizeof si);
	if (n < 0)
		printf("%s: -1 %s\n", what, strerrorname_np(errno));
	else
		printf("%s: %ld signo %u code %d\n", what, n, si.ssi_signo, si.ssi_code);
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	sigset_t m;
	sigemptyset(&m);
	sigaddset(&m, SIGUSR1);
	sigaddset(&m, SIGUSR2);
	sigprocmask(SIG_BLOCK, &m, NULL);
	int fd;
	MUST(fd = signalfd(-1, &m, 0));

	arm(on_alarm, 0);
	take("read interrupted", fd);
	printf("alarms %d\n", alarms);

	arm(send_usr1, SA_RESTART);
	take("read restarted", fd);
	printf("alarms %d\n", alarms);

	pthread_t th;
	pthread_create(&th, NULL, sender, NULL);
	take("a thread sends", fd);
	pthread_join(th, NULL);

	pid_t pid = fork();
	if (pid == 0) {
		usleep(30000);
		kill(getppid(), SIGUSR1);
		_exit(0);
	}
	take("a child sends", fd);
	waitpid(pid, NULL, 0);

	/* The mask changes while a thread waits: it takes what it now may. */
	sigset_t only2;
	sigemptyset(&only2);
	sigaddset(&only2, SIGUSR2);
	MUST(signalfd(fd, &only2, 0));
	kill(getpid(), SIGUSR1);
	pthread_create(&th, NULL, sender, NULL);
	take("SIGUSR1 left, SIGUSR2 read", fd);
	pthread_join(th, NULL);
	MUST(signalfd(fd, &m, 0));
	take("now SIGUSR1", fd);
	return 0;
}
