/* powercut.c — an LD_PRELOAD shim for the power-cut model of tests/api/test_crash.py.
 *
 * For every file under $POWERCUT_DIR (except the -shm index, which SQLite rebuilds, and the
 * log itself) it appends to $POWERCUT_LOG, before each write, how to undo it: the bytes it
 * overwrites and the file's size. It logs each fsync/fdatasync of such a file, or of its
 * directory, and each file creation. After the daemon is killed, the test undoes, newest
 * first, every write made after its file's last sync and removes every file created after its
 * directory's last sync: what a machine that lost its page cache would find.
 *
 * Ordering: a write logs and performs its change under a shared lock; a sync logs its mark
 * under the exclusive lock and only then syncs. So every write logged before a mark had
 * finished before the sync began (it is covered), and a write that races the sync is undone
 * (the model errs toward losing data, never toward keeping it).
 *
 * Record: u32 length, then kind ('W' write or truncate, 'S' sync, 'C' created), u16 path
 * length, path, and for 'W': i64 offset, i64 size before, the bytes overwritten. */
#undef _FILE_OFFSET_BITS /* pwrite and pwrite64 are two symbols to interpose, not one */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

static pthread_rwlock_t order = PTHREAD_RWLOCK_INITIALIZER;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static int log_fd = -1;

static ssize_t (*real_pwrite64)(int, const void *, size_t, off_t);
static ssize_t (*real_pwrite)(int, const void *, size_t, off_t);
static ssize_t (*real_write)(int, const void *, size_t);
static int (*real_ftruncate)(int, off_t);
static int (*real_ftruncate64)(int, off_t);
static int (*real_fsync)(int);
static int (*real_fdatasync)(int);
static int (*real_open)(const char *, int, ...);
static int (*real_open64)(const char *, int, ...);
static int (*real_openat)(int, const char *, int, ...);

static void die(const char *what)
{
	static const char msg[] = "powercut shim: cannot write its log; aborting\n";
	(void)what;
	if (real_write)
		real_write(2, msg, sizeof(msg) - 1);
	abort();
}

static void *sym(const char *name)
{
	void *p = dlsym(RTLD_NEXT, name);
	if (!p)
		die(name);
	return p;
}

/* POSIX's way to store dlsym's answer in a function pointer. */
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
	LOAD(real_open, "open");
	LOAD(real_open64, "open64");
	LOAD(real_openat, "openat");
}

static void init(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, init_once);
}

/* The path of fd when it is a file the model covers; else 0. */
static size_t tracked_path(int fd, char *out, size_t size)
{
	const char *dir = getenv("POWERCUT_DIR");
	const char *logp = getenv("POWERCUT_LOG");
	if (!dir || !logp || fd < 0)
		return 0;
	char link[64];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, out, size - 1);
	if (n <= 0)
		return 0;
	out[n] = 0;
	return strncmp(out, dir, strlen(dir)) == 0 && strcmp(out, logp) != 0 &&
	               (n < 4 || strcmp(out + n - 4, "-shm") != 0) && !strstr(out, ".log")
	           ? (size_t)n
	           : 0;
}

static void emit(char kind, const char *path, size_t plen, const void *tail, size_t tlen,
                 const void *data, size_t dlen)
{
	uint32_t total = (uint32_t)(1 + 2 + plen + tlen + dlen);
	uint16_t pl = (uint16_t)plen;
	char *rec = malloc(4 + total);
	if (!rec)
		die("malloc");
	char *p = rec;
	memcpy(p, &total, 4), p += 4;
	*p++ = kind;
	memcpy(p, &pl, 2), p += 2;
	memcpy(p, path, plen), p += plen;
	if (tlen)
		memcpy(p, tail, tlen), p += tlen;
	if (dlen)
		memcpy(p, data, dlen), p += dlen;
	pthread_mutex_lock(&log_lock);
	if (log_fd < 0) {
		log_fd = real_open(getenv("POWERCUT_LOG"), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
		                   0600);
		if (log_fd < 0)
			die("open");
	}
	size_t off = 0, len = 4 + total;
	while (off < len) {
		ssize_t w = real_write(log_fd, rec + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			die("write");
		off += (size_t)w;
	}
	pthread_mutex_unlock(&log_lock);
	free(rec);
}

/* Logs how to undo a change of [off, off + len) (len < 0: a truncation to off). */
static void log_undo(int fd, const char *path, size_t plen, off_t off, long long len)
{
	struct stat st;
	if (fstat(fd, &st) != 0)
		die("fstat");
	off_t end = len < 0 ? st.st_size : off + len;
	if (end > st.st_size)
		end = st.st_size;
	size_t n = end > off ? (size_t)(end - off) : 0;
	char *old = n ? malloc(n) : NULL;
	if (n && !old)
		die("malloc");
	size_t got = 0;
	while (got < n) {
		ssize_t r = pread(fd, old + got, n - got, off + (off_t)got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			die("pread");
		got += (size_t)r;
	}
	int64_t tail[2] = {(int64_t)off, (int64_t)st.st_size};
	emit('W', path, plen, tail, sizeof(tail), old, n);
	free(old);
}

static ssize_t do_pwrite(ssize_t (*fn)(int, const void *, size_t, off_t), int fd,
                         const void *buf, size_t n, off_t off)
{
	char path[PATH_MAX];
	size_t plen = tracked_path(fd, path, sizeof(path));
	if (!plen)
		return fn(fd, buf, n, off);
	pthread_rwlock_rdlock(&order);
	log_undo(fd, path, plen, off, (long long)n);
	ssize_t r = fn(fd, buf, n, off);
	pthread_rwlock_unlock(&order);
	return r;
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off)
{
	init();
	return do_pwrite(real_pwrite64, fd, buf, n, off);
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
	init();
	return do_pwrite(real_pwrite, fd, buf, n, off);
}

ssize_t write(int fd, const void *buf, size_t n)
{
	init();
	char path[PATH_MAX];
	size_t plen = tracked_path(fd, path, sizeof(path));
	if (!plen)
		return real_write(fd, buf, n);
	pthread_rwlock_rdlock(&order);
	off_t off = (fcntl(fd, F_GETFL) & O_APPEND) ? lseek(fd, 0, SEEK_END) : lseek(fd, 0, SEEK_CUR);
	log_undo(fd, path, plen, off, (long long)n);
	ssize_t r = real_write(fd, buf, n);
	pthread_rwlock_unlock(&order);
	return r;
}

static int do_truncate(int (*fn)(int, off_t), int fd, off_t len)
{
	char path[PATH_MAX];
	size_t plen = tracked_path(fd, path, sizeof(path));
	if (!plen)
		return fn(fd, len);
	pthread_rwlock_rdlock(&order);
	log_undo(fd, path, plen, len, -1);
	int r = fn(fd, len);
	pthread_rwlock_unlock(&order);
	return r;
}

int ftruncate(int fd, off_t len)
{
	init();
	return do_truncate(real_ftruncate, fd, len);
}

int ftruncate64(int fd, off_t len)
{
	init();
	return do_truncate(real_ftruncate64, fd, len);
}

static int do_sync(int (*fn)(int), int fd)
{
	char path[PATH_MAX];
	size_t plen = tracked_path(fd, path, sizeof(path));
	if (!plen) {
		/* The directory itself (POWERCUT_DIR without a trailing slash). */
		const char *dir = getenv("POWERCUT_DIR");
		char link[64];
		snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
		ssize_t n = dir ? readlink(link, path, sizeof(path) - 1) : -1;
		if (n <= 0)
			return fn(fd);
		path[n] = 0;
		if (strcmp(path, dir) != 0)
			return fn(fd);
		plen = (size_t)n;
	}
	pthread_rwlock_wrlock(&order);
	emit('S', path, plen, NULL, 0, NULL, 0);
	pthread_rwlock_unlock(&order);
	return fn(fd);
}

int fsync(int fd)
{
	init();
	return do_sync(real_fsync, fd);
}

int fdatasync(int fd)
{
	init();
	return do_sync(real_fdatasync, fd);
}

static int after_open(int fd, bool existed)
{
	if (fd >= 0 && !existed) {
		char path[PATH_MAX];
		size_t plen = tracked_path(fd, path, sizeof(path));
		if (plen)
			emit('C', path, plen, NULL, 0, NULL, 0);
	}
	return fd;
}

static bool exists_at(int dirfd, const char *p, int flags)
{
	struct stat st;
	return !(flags & O_CREAT) || fstatat(dirfd, p, &st, 0) == 0;
}

int open(const char *p, int flags, ...)
{
	init();
	mode_t mode = 0;
	if (flags & (O_CREAT | O_TMPFILE)) {
		va_list ap;
		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	bool existed = exists_at(AT_FDCWD, p, flags);
	return after_open(real_open(p, flags, mode), existed);
}

int open64(const char *p, int flags, ...)
{
	init();
	mode_t mode = 0;
	if (flags & (O_CREAT | O_TMPFILE)) {
		va_list ap;
		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	bool existed = exists_at(AT_FDCWD, p, flags);
	return after_open(real_open64(p, flags, mode), existed);
}

int openat(int dirfd, const char *p, int flags, ...)
{
	init();
	mode_t mode = 0;
	if (flags & (O_CREAT | O_TMPFILE)) {
		va_list ap;
		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	bool existed = exists_at(dirfd, p, flags);
	return after_open(real_openat(dirfd, p, flags, mode), existed);
}
