/* diskfull.c — an LD_PRELOAD shim for tests/api/test_ops.py: a disk that fills up or turns
 * read-only, and comes back.
 *
 * While the file $DISKFULL_CTL exists, write, pwrite, ftruncate, fsync and fdatasync of any
 * file under $DISKFULL_DIR fail. The control file's first word picks the error: ENOSPC
 * (default), EROFS or EIO; a second word "sync" makes only fsync and fdatasync fail (the
 * writes land in the page cache, the flush fails: a thin-provisioned or network disk).
 * Every injected failure appends one line to $DISKFULL_LOG (outside $DISKFULL_DIR) so the
 * test can count them. Remove the control file and the disk works again. statvfs and
 * fstatvfs of such files report what a real full or read-only file system reports
 * (f_bavail 0, or ST_RDONLY), which is how hoso names the cause of SQLite's IOERR. */
#undef _FILE_OFFSET_BITS /* pwrite and pwrite64 are two symbols to interpose, not one */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <sys/types.h>
#include <unistd.h>

static ssize_t (*real_pwrite64)(int, const void *, size_t, off_t);
static ssize_t (*real_pwrite)(int, const void *, size_t, off_t);
static ssize_t (*real_write)(int, const void *, size_t);
static int (*real_ftruncate)(int, off_t);
static int (*real_ftruncate64)(int, off_t);
static int (*real_fsync)(int);
static int (*real_fdatasync)(int);
static int (*real_statvfs)(const char *, struct statvfs *);
static int (*real_fstatvfs)(int, struct statvfs *);
static int (*real_statvfs64)(const char *, struct statvfs64 *);
static int (*real_fstatvfs64)(int, struct statvfs64 *);

static void *sym(const char *name)
{
	void *p = dlsym(RTLD_NEXT, name);
	if (!p)
		abort();
	return p;
}

#define LOAD(fp, name) (*(void **)(&(fp)) = sym(name))

static void init_once(void)
{
	LOAD(real_pwrite64, "pwrite64");
	LOAD(real_pwrite, "pwrite");
	LOAD(real_write, "write");
	LOAD(real_ftruncate, "ftruncate");
	LOAD(real_ftruncate64, "ftruncate64");
	LOAD(real_fsync, "fsync");
	LOAD(real_fdatasync, "fdatasync");
	LOAD(real_statvfs, "statvfs");
	LOAD(real_fstatvfs, "fstatvfs");
	LOAD(real_statvfs64, "statvfs64");
	LOAD(real_fstatvfs64, "fstatvfs64");
}

static void init(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, init_once);
}

/* The control file's error for a file at path under $DISKFULL_DIR, or 0; *sync_only when
 * only flushes fail. */
static int mode_for(const char *path, bool *sync_only)
{
	const char *dir = getenv("DISKFULL_DIR");
	const char *ctl = getenv("DISKFULL_CTL");
	*sync_only = false;
	if (!dir || !ctl || strncmp(path, dir, strlen(dir)) != 0)
		return 0;
	int cfd = open(ctl, O_RDONLY | O_CLOEXEC);
	if (cfd < 0)
		return 0;
	char word[64] = {0};
	ssize_t r = read(cfd, word, sizeof(word) - 1);
	close(cfd);
	if (r < 0)
		r = 0;
	word[r] = 0;
	*sync_only = strstr(word, "sync") != NULL;
	return strncmp(word, "EROFS", 5) == 0 ? EROFS : strncmp(word, "EIO", 3) == 0 ? EIO : ENOSPC;
}

static bool fd_path(int fd, char *path, size_t size)
{
	char link[64];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t n = fd >= 0 ? readlink(link, path, size - 1) : -1;
	if (n <= 0)
		return false;
	path[n] = 0;
	return true;
}

/* The error to inject for this call on fd, or 0 to let it through. */
static int fault(int fd, bool is_sync, const char *op)
{
	char path[4096];
	bool sync_only;
	if (!fd_path(fd, path, sizeof(path)))
		return 0;
	int e = mode_for(path, &sync_only);
	if (!e || (sync_only && !is_sync))
		return 0;
	const char *logp = getenv("DISKFULL_LOG");
	if (logp) {
		int lfd = open(logp, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
		if (lfd >= 0) {
			char line[4200];
			int len = snprintf(line, sizeof(line), "%s %s %s\n", op, strerror(e), path);
			if (len > 0)
				real_write(lfd, line, (size_t)len < sizeof(line) ? (size_t)len
				                                                  : sizeof(line) - 1);
			close(lfd);
		}
	}
	return e;
}

#define GUARD(fd, sync, op, failval)                                                         \
	do {                                                                                 \
		init();                                                                      \
		int saved = errno;                                                           \
		int e_ = fault((fd), (sync), (op));                                          \
		if (e_) {                                                                    \
			errno = e_;                                                          \
			return (failval);                                                    \
		}                                                                            \
		errno = saved;                                                               \
	} while (0)

ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off)
{
	GUARD(fd, false, "pwrite", -1);
	return real_pwrite64(fd, buf, n, off);
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
	GUARD(fd, false, "pwrite", -1);
	return real_pwrite(fd, buf, n, off);
}

ssize_t write(int fd, const void *buf, size_t n)
{
	GUARD(fd, false, "write", -1);
	return real_write(fd, buf, n);
}

int ftruncate(int fd, off_t len)
{
	GUARD(fd, false, "ftruncate", -1);
	return real_ftruncate(fd, len);
}

int ftruncate64(int fd, off_t len)
{
	GUARD(fd, false, "ftruncate", -1);
	return real_ftruncate64(fd, len);
}

int fsync(int fd)
{
	GUARD(fd, true, "fsync", -1);
	return real_fsync(fd);
}

int fdatasync(int fd)
{
	GUARD(fd, true, "fdatasync", -1);
	return real_fdatasync(fd);
}

/* What to fake for path: ST_RDONLY, or 1 for "no free blocks", or 0. */
static int fake_for(const char *path)
{
	bool sync_only;
	int e = mode_for(path, &sync_only);
	if (!e || sync_only)
		return 0;
	return e == EROFS ? ST_RDONLY : e == ENOSPC ? -1 : 0;
}

#define FAKE(path, out)                                                                      \
	do {                                                                                 \
		int f_ = fake_for(path);                                                     \
		if (f_ == ST_RDONLY)                                                         \
			(out)->f_flag |= ST_RDONLY;                                          \
		else if (f_ == -1)                                                           \
			(out)->f_bavail = (out)->f_bfree = 0;                                \
	} while (0)

static void fake_vfs(const char *path, struct statvfs *out)
{
	FAKE(path, out);
}

int statvfs(const char *p, struct statvfs *out)
{
	init();
	int rc = real_statvfs(p, out);
	if (rc == 0) {
		char abs[4096];
		if (realpath(p, abs))
			fake_vfs(abs, out);
	}
	return rc;
}

int fstatvfs(int fd, struct statvfs *out)
{
	init();
	int rc = real_fstatvfs(fd, out);
	char path[4096];
	if (rc == 0 && fd_path(fd, path, sizeof(path)))
		fake_vfs(path, out);
	return rc;
}

int statvfs64(const char *p, struct statvfs64 *out)
{
	init();
	int rc = real_statvfs64(p, out);
	char abs[4096];
	if (rc == 0 && realpath(p, abs))
		FAKE(abs, out);
	return rc;
}

int fstatvfs64(int fd, struct statvfs64 *out)
{
	init();
	int rc = real_fstatvfs64(fd, out);
	char path[4096];
	if (rc == 0 && fd_path(fd, path, sizeof(path)))
		FAKE(path, out);
	return rc;
}
