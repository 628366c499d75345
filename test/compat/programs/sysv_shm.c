/*
 * sysv_shm: System V shared memory: shmget with keys and IPC_PRIVATE and
 * its errors, shmat (chosen address, SHM_RND, SHM_RDONLY), memory shared
 * with a forked child both ways, shm_nattch across attach, fork, detach
 * and exit, IPC_STAT, IPC_SET, IPC_RMID with attachments left (the key is
 * free at once, the segment lives until the last detach), shmdt errors,
 * and a write through a read-only attachment (SIGSEGV).
 */
#include "compat.h"
#include <setjmp.h>
#include <signal.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/wait.h>

static sigjmp_buf env;
static void on_segv(int sig) { (void)sig; siglongjmp(env, 1); }

static long nattch(int id)
{
	struct shmid_ds ds;
	if (shmctl(id, IPC_STAT, &ds) < 0)
		return -errno;
	return (long)ds.shm_nattch;
}

int main(void)
{
	/* A key unlikely to be in use natively; removed again at the end. */
	key_t key = 0x6d6f6174 ^ (getpid() & 0xff) << 8;
	CHECK_ERR("size 0", shmget(IPC_PRIVATE, 0, IPC_CREAT | 0600), EINVAL);
	CHECK_ERR("missing key", shmget(key, 4096, 0600), ENOENT);
	int id = shmget(key, 10000, IPC_CREAT | IPC_EXCL | 0640);
	check("create with a key", id >= 0);
	CHECK_ERR("IPC_EXCL again", shmget(key, 10000, IPC_CREAT | IPC_EXCL | 0640), EEXIST);
	CHECK_RET("same key finds it", shmget(key, 5000, 0600), id);
	CHECK_ERR("bigger than the segment", shmget(key, 20000, 0600), EINVAL);
	int priv = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
	check("IPC_PRIVATE is new", priv >= 0 && priv != id);

	struct shmid_ds ds;
	CHECK_RET("IPC_STAT", shmctl(id, IPC_STAT, &ds), 0);
	printf("segsz %zu mode %o nattch %lu cuid==uid %d cpid==pid %d atime %ld\n", ds.shm_segsz,
	       ds.shm_perm.mode, (unsigned long)ds.shm_nattch, ds.shm_perm.cuid == getuid(),
	       ds.shm_cpid == getpid(), (long)ds.shm_atime);
	CHECK_ERR("IPC_STAT bad id", shmctl(0x7ffffffe, IPC_STAT, &ds), EINVAL);
	CHECK_ERR("IPC_STAT bad buffer", shmctl(id, IPC_STAT, (struct shmid_ds *)8), EFAULT);
	CHECK_ERR("bad command", shmctl(id, 99, &ds), EINVAL);

	char *p = shmat(id, NULL, 0);
	check("shmat", p != (void *)-1);
	printf("page aligned %d, zeroed %d\n", ((unsigned long)p & 4095) == 0, p[0] == 0 && p[9999] == 0);
	strcpy(p, "from the parent");
	printf("nattch after attach: %ld\n", nattch(id));
	CHECK_RET("IPC_STAT after attach", shmctl(id, IPC_STAT, &ds), 0);
	printf("atime set %d lpid==pid %d\n", ds.shm_atime != 0, ds.shm_lpid == getpid());

	char *again = shmat(id, NULL, SHM_RDONLY);
	check("second attach, read-only", again != (void *)-1 && again != p);
	printf("same memory: %s\n", again);
	printf("nattch with two attachments: %ld\n", nattch(id));

	int ready[2], done[2];
	pipe(ready);
	pipe(done);
	pid_t child = fork();
	if (child == 0) {
		char c;
		printf("child sees: %s, nattch %ld\n", p, nattch(id));
		strcpy(p + 100, "from the child");
		fflush(stdout);
		write(ready[1], "r", 1);
		read(done[0], &c, 1);
		_exit(0);
	}
	char c;
	read(ready[0], &c, 1);
	printf("parent sees: %s\n", p + 100);
	printf("nattch with the child: %ld\n", nattch(id));
	write(done[1], "d", 1);
	waitpid(child, NULL, 0);
	printf("nattch after the child exited: %ld\n", nattch(id));

	/* A write through the read-only attachment faults. */
	struct sigaction sa = {.sa_handler = on_segv};
	sigaction(SIGSEGV, &sa, NULL);
	if (!sigsetjmp(env, 1)) {
		again[0] = 'x';
		printf("write to SHM_RDONLY: no fault\n");
	} else {
		printf("write to SHM_RDONLY: SIGSEGV\n");
	}
	signal(SIGSEGV, SIG_DFL);

	/* Fixed addresses, in a range reserved for them. */
	char *fixed = mmap(NULL, 16 * 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(fixed, 16 * 4096);
	char *f2 = shmat(priv, fixed + 123, SHM_RND);
	printf("SHM_RND rounds down: %d (%s)\n", f2 == fixed, f2 == (void *)-1 ? errname(errno) : "ok");
	CHECK_ERR("unaligned without SHM_RND", (long)shmat(priv, fixed + 123, 0), EINVAL);
	CHECK_ERR("over a mapping without SHM_REMAP", (long)shmat(priv, fixed, 0), EINVAL);
	shmdt(f2);
	mmap(fixed, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	char *f3 = shmat(priv, fixed, SHM_REMAP);
	printf("SHM_REMAP replaces: %d\n", f3 == fixed);
	printf("nattch of the private one: %ld\n", nattch(priv));
	CHECK_RET("shmdt", shmdt(f3), 0);
	CHECK_ERR("shmdt again", shmdt(f3), EINVAL);
	CHECK_ERR("shmdt inside an attachment", shmdt(p + 4096), EINVAL);
	CHECK_ERR("shmdt unaligned", shmdt(p + 1), EINVAL);

	/* IPC_SET, then IPC_RMID while attached. */
	ds.shm_perm.mode = 0600;
	CHECK_RET("IPC_SET", shmctl(id, IPC_SET, &ds), 0);
	shmctl(id, IPC_STAT, &ds);
	printf("mode after IPC_SET %o\n", ds.shm_perm.mode);
	CHECK_RET("IPC_RMID while attached", shmctl(id, IPC_RMID, NULL), 0);
	CHECK_ERR("key free after IPC_RMID", shmget(key, 4096, 0600), ENOENT);
	shmctl(id, IPC_STAT, &ds);
	printf("removed: mode has SHM_DEST %d, key %d, nattch %lu, memory still there: %s\n",
	       (ds.shm_perm.mode & SHM_DEST) != 0, ds.shm_perm.__key, (unsigned long)ds.shm_nattch, p);
	CHECK_RET("detach one", shmdt(again), 0);
	CHECK_RET("detach the last", shmdt(p), 0);
	CHECK_ERR("gone after the last detach", shmctl(id, IPC_STAT, &ds), EINVAL);
	CHECK_RET("remove the private one", shmctl(priv, IPC_RMID, NULL), 0);
	CHECK_ERR("shmat of a removed id", (long)shmat(priv, NULL, 0), EINVAL);
	return compat_done();
}
