/*
 * sysv_shm_exit: shm_nattch as processes go: an exec drops the attachments
 * the process inherited, exit drops them, a removed segment dies with its
 * last attached process, an mprotect that splits an attachment counts
 * twice (Linux counts mappings), munmap of the whole attachment detaches,
 * and a vfork child's exit leaves its parent's attachments alone.
 */
#include "compat.h"
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/wait.h>

static long nattch(int id)
{
	struct shmid_ds ds;
	if (shmctl(id, IPC_STAT, &ds) < 0)
		return -errno;
	return (long)ds.shm_nattch;
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "execed") == 0) {
		/* The exec'd image: say so on fd 4, wait for fd 3 to close. */
		char c;
		write(4, "e", 1);
		read(3, &c, 1);
		return 0;
	}
	(void)argv;
	int id = shmget(IPC_PRIVATE, 3 * 4096, IPC_CREAT | 0600);
	check("shmget", id >= 0);
	char *p = shmat(id, NULL, 0);
	check("shmat", p != (void *)-1);
	printf("attached: %ld\n", nattch(id));

	/* An exec drops what the child inherited at fork. */
	int hold[2], said[2];
	pipe(hold);
	pipe(said);
	fflush(stdout);
	pid_t child = fork();
	if (child == 0) {
		dup2(hold[0], 3);
		dup2(said[1], 4);
		char *args[] = {"sysv_shm_exit", "execed", NULL};
		execv("/proc/self/exe", args);
		_exit(127);
	}
	close(hold[0]);
	close(said[1]);
	char c;
	check("the child execed", read(said[0], &c, 1) == 1);
	printf("after the child's exec: %ld\n", nattch(id));
	close(hold[1]);
	int st;
	waitpid(child, &st, 0);
	check("the exec'd child exits 0", WIFEXITED(st) && WEXITSTATUS(st) == 0);

	/* A vfork child shares the memory; its exit changes nothing. */
	child = vfork();
	if (child == 0)
		_exit(0);
	waitpid(child, NULL, 0);
	printf("after a vfork child's exit: %ld\n", nattch(id));

	/* Splitting the attachment: two mappings, Linux counts both. */
	CHECK_RET("mprotect the middle page", mprotect(p + 4096, 4096, PROT_READ), 0);
	printf("after a split: %ld\n", nattch(id));
	CHECK_RET("mprotect back", mprotect(p + 4096, 4096, PROT_READ | PROT_WRITE), 0);
	CHECK_RET("shmdt of a split attachment", shmdt(p), 0);
	printf("after shmdt: %ld\n", nattch(id));

	/* munmap of a whole attachment detaches it. */
	p = shmat(id, NULL, SHM_RDONLY);
	check("shmat read-only", p != (void *)-1);
	CHECK_ERR("mprotect PROT_WRITE of a read-only attachment", mprotect(p, 4096, PROT_READ | PROT_WRITE), EACCES);
	CHECK_RET("munmap", munmap(p, 3 * 4096), 0);
	printf("after munmap: %ld\n", nattch(id));

	/* A removed segment lives while a child holds it, and dies with it. */
	p = shmat(id, NULL, 0);
	check("shmat again", p != (void *)-1);
	strcpy(p, "kept");
	int go[2], ready[2];
	pipe(go);
	pipe(ready);
	fflush(stdout);
	child = fork();
	if (child == 0) {
		close(go[1]);
		write(ready[1], "r", 1);
		read(go[0], &c, 1);
		_exit(strcmp(p, "kept") == 0 ? 0 : 1);
	}
	read(ready[0], &c, 1);
	CHECK_RET("shmdt in the parent", shmdt(p), 0);
	CHECK_RET("IPC_RMID", shmctl(id, IPC_RMID, NULL), 0);
	printf("held by the child only: %ld\n", nattch(id));
	close(go[1]);
	waitpid(child, &st, 0);
	check("the child still saw the memory", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK_ERR("gone with the child", shmctl(id, IPC_STAT, &(struct shmid_ds){0}), EINVAL);
	return compat_done();
}
