/*
 * exec_shebang: execve of a "#!" script runs its interpreter with the
 * interpreter path, the one optional argument (spaces and all), the
 * script path and the original arguments after argv[0]; nested scripts
 * (a script whose interpreter is a script) work; the interpreter here is
 * this program itself.
 */
#include "compat.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static void put(const char *p, const char *s)
{
	int fd = open(p, O_CREAT | O_WRONLY | O_TRUNC, 0755);
	write(fd, s, strlen(s));
	close(fd);
}

int main(int argc, char **argv)
{
	static char self[4096];
	long n = readlink("/proc/self/exe", self, sizeof self - 1);
	self[n > 0 ? n : 0] = 0;
	if (argc >= 2 && strcmp(argv[0], self) == 0 && strcmp(argv[1], "alpha") != 0) {
		/* running as an interpreter: show argv relative to known names */
		printf("interpreter argv:");
		for (int i = 1; i < argc; i++) {
			const char *s = argv[i];
			const char *slash = strrchr(s, '/');
			printf(" [%s]", slash && strncmp(s, "/tmp/", 5) == 0 ? slash + 1 : s);
		}
		printf("\n");
		return 0;
	}
	compat_tmpdir();
	char line[4200];
	snprintf(line, sizeof line, "#!%s  one arg with spaces  \nbody\n", self);
	put("script", line);
	snprintf(line, sizeof line, "#!%s\n", self);
	put("noarg", line);
	put("nested", "#!./noarg\n");
	const char *runs[][2] = {{"script", "with its argument"}, {"noarg", "without"}, {"nested", "nested"}};
	for (int i = 0; i < 3; i++) {
		printf("%s:\n", runs[i][1]);
		fflush(stdout);
		pid_t pid = fork();
		if (pid == 0) {
			char path[64];
			snprintf(path, sizeof path, "./%s", runs[i][0]);
			execl(path, "argv0-is-dropped", "x", "", "y z", (char *)NULL);
			printf("execl: %s\n", errname(errno));
			_exit(127);
		}
		int st;
		waitpid(pid, &st, 0);
		check("  exit 0", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	return compat_done();
}
