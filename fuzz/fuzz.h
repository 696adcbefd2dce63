/* fuzz.h — hoso's libFuzzer targets. Each fuzz_*.c defines the two libFuzzer entry points;
 * the same files are linked into tests/fuzz/replay.c on the normal build, which replays the
 * crash inputs kept in fuzz/regressions/<target>/. fuzz_env.c holds what several targets
 * share: a scratch directory and a database with the demo catalogue and demo users. */
#ifndef HOSO_FUZZ_H
#define HOSO_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "trk.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Stops the process with a message: the harness found a broken invariant. */
void fuzz_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* Logs errors only (every run would log its transitions); HOSO_FUZZ_VERBOSE=1 keeps all. */
void fuzz_quiet(void);

/* A scratch directory (under /dev/shm when present), created once and removed at exit. */
const char *fuzz_tmpdir(void);

/* A database in fuzz_tmpdir() named name, with the demo catalogue imported (data/demo/).
 * Exits on failure: it is start-up. */
db *fuzz_open_demo_db(const char *name);

/* The demo users, logged in, with the use cases bound to a demo database (created once). */
typedef struct fuzz_app {
	db *db;
	trk *trk;
	trk_calendar *cal;
	trk_actor clerk, courier, officer, supervisor;
} fuzz_app;

fuzz_app *fuzz_app_get(void);

#endif
