/* outbox.h — the delivery worker: one thread with the libcurl multi interface that sends
 * the outbox's webhooks, SMS and portal updates, at least once, with retries. Request
 * handlers never send anything: they only queue rows in their own transactions. */
#ifndef HOSO_OUTBOX_H
#define HOSO_OUTBOX_H

#include "db.h"
#include "hoso.h"
#include "notify.h"

typedef struct outbox_worker outbox_worker;

/* Initialises libcurl for the process; call once before any worker starts. */
hoso_status outbox_global_init(hoso_err *err);

/* Releases libcurl; call once after every worker has stopped. */
void outbox_global_cleanup(void);

/* Releases the leases a killed worker left, then starts the worker thread on h (borrowed:
 * it must outlive the worker). cfg is copied. */
hoso_status outbox_start(db *h, const notify_config *cfg, outbox_worker **out, hoso_err *err);

/* Stops the thread: tries in flight are abandoned (their rows are sent again later),
 * results already known are written. Frees; NULL is accepted. */
void outbox_stop(outbox_worker *w);

#endif
