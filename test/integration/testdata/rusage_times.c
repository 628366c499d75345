/* times(2): CPU times in clock ticks and the elapsed ticks it returns. */
#include "proc_attr.h"
#include <sys/times.h>

int main(void)
{
	long hz = sysconf(_SC_CLK_TCK);
	printf("clock ticks per second: %ld\n", hz);
	struct tms a, b;
	errno = 0;
	clock_t t0 = times(&a);
	B("times succeeded", t0 != (clock_t)-1 && errno == 0);
	B("no children yet", a.tms_cutime == 0 && a.tms_cstime == 0);
	burn(300);
	clock_t t1 = times(&b);
	B("user ticks grew by >= 10", b.tms_utime - a.tms_utime >= 10);
	B("user ticks < 1000", b.tms_utime < 1000);
	B("elapsed grew by >= 20", t1 - t0 >= 20);
	B("elapsed grew by < 2000", t1 - t0 < 2000);
	usleep(200000);
	clock_t t2 = times(NULL);
	B("times(NULL) elapsed grew by >= 15", t2 - t1 >= 15);

	pid_t pid = fork();
	if (pid == 0) {
		burn(300);
		exit(0);
	}
	struct tms c;
	B("children not counted before wait", times(&c) != (clock_t)-1 && c.tms_cutime == 0);
	waitpid(pid, NULL, 0);
	times(&c);
	B("children user ticks >= 10", c.tms_cutime >= 10);
	B("own ticks unchanged by the child", c.tms_utime - b.tms_utime < 10);
	T("bad pointer", syscall(SYS_times, (void *)8));
	return 0;
}
