/*
 * stdio_fileops: libc stdio over files: fopen modes ("w" truncates, "a"
 * appends, "r+" updates, "x" is exclusive), fprintf/fgets/fread, fseek and
 * ftell, ungetc, fflush making data visible to read(2), freopen, tmpfile,
 * getline, and fclose reporting success.
 */
#include "compat.h"
#include <fcntl.h>
#include <unistd.h>

int main(void)
{
	compat_tmpdir();
	FILE *f = fopen("f", "w");
	fprintf(f, "line one\nline %d\n", 2);
	int fd = open("f", O_RDONLY);
	char buf[64] = {0};
	CHECK_RET("nothing written before fflush", read(fd, buf, sizeof buf), 0);
	fflush(f);
	CHECK_RET("read(2) after fflush", pread(fd, buf, sizeof buf, 0), 16);
	CHECK_RET("fclose", fclose(f), 0);
	f = fopen("f", "a");
	fputs("appended\n", f);
	fclose(f);
	f = fopen("f", "r+");
	char line[64];
	fgets(line, sizeof line, f);
	printf("first line: %s", line);
	CHECK_RET("ftell after it", ftell(f), 9);
	fseek(f, 5, SEEK_SET);
	fputs("ONE", f);
	fseek(f, 0, SEEK_END);
	CHECK_RET("ftell at the end", ftell(f), 25);
	rewind(f);
	int c = fgetc(f);
	ungetc('X', f);
	printf("fgetc %c, then after ungetc: %c\n", c, fgetc(f));
	rewind(f);
	char *lp = NULL;
	size_t cap = 0;
	ssize_t n;
	while ((n = getline(&lp, &cap, f)) > 0)
		printf("getline %zd: %s", n, lp);
	free(lp);
	check("feof", feof(f));
	fclose(f);
	CHECK_ERR("fopen \"wx\" on an existing file", (long)(fopen("f", "wx") ? 0 : -1), EEXIST);
	f = fopen("f", "w");
	fclose(f);
	f = fopen("f", "r");
	check("\"w\" truncated it", fgetc(f) == EOF);
	f = freopen("f", "w", f);
	fwrite("abc", 1, 3, f);
	fclose(f);
	FILE *t = tmpfile();
	check("tmpfile", t != NULL);
	fputs("temporary", t);
	rewind(t);
	size_t got = fread(buf, 1, sizeof buf, t);
	printf("tmpfile read %zu bytes\n", got);
	fclose(t);
	CHECK_ERR("fopen a missing file for reading", (long)(fopen("none", "r") ? 0 : -1), ENOENT);
	return compat_done();
}
