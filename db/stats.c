/* stats.c — the reads behind the supervisors' statistics and the quarterly report
 * (db_stats.h). Each runs between db_read_lock() and db_read_unlock(), so outside a use case
 * it reads on a read-only WAL connection and never takes the writer's lock. */
#include "db_internal.h"
#include "db_stats.h"

#include <stdlib.h>
#include <string.h>

/* Statement slots of this file (ST_STATS_FIRST_ on). */
enum {
	SS_STATES = ST_STATS_FIRST_,
	SS_DUE,
	SS_ACCEPTED,
	SS_DELIVERIES,
	SS_JOURNEYS,
	SS_COMPLAINTS,
	SS_LOSSES,
	SS_END_,
};

_Static_assert(SS_END_ <= ST_STATS_LAST_ + 1,
               "db_internal.h reserves too few statement slots for db_stats.h");

/* Reads the current row of st into row. */
typedef void (*row_reader)(db_st *st, void *row);

/* Steps a bound statement to the end, appending one elem-byte row per result row to a
 * malloc'd array that doubles as it fills. Statistics are never cut: every row is read. */
static hoso_status collect(db *h, db_st *st, size_t elem, row_reader read, void **out,
                           size_t *n, const char *what, hoso_err *err)
{
	unsigned char *rows = NULL;
	size_t cap = 0, count = 0;
	hoso_status status = HOSO_OK;
	int rc;
	while ((rc = db_step(st)) == DB_ROW) {
		if (count == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			unsigned char *grown = realloc(rows, ncap * elem);
			if (!grown) {
				status = hoso_err_set(err, HOSO_INTERNAL, "no_memory", NULL,
				                      "%s: out of memory", what);
				goto fail_rows;
			}
			rows = grown;
			cap = ncap;
		}
		memset(rows + count * elem, 0, elem);
		read(st, rows + count * elem);
		count++;
	}
	if (rc != DB_DONE) {
		status = db_fail(h, rc, what, err);
		goto fail_rows;
	}
	*out = rows;
	*n = count;
	return HOSO_OK;
fail_rows:
	free(rows);
	return status;
}

/* Prepares (or reuses) slot's statement on this thread's connection, lets bind fill its
 * parameters, and collects its rows, all under the read lock. */
typedef void (*binder)(db_st *st, const void *args);

static hoso_status run(db *h, int slot, const char *sql, binder bind, const void *args,
                       size_t elem, row_reader read, void **out, size_t *n, const char *what,
                       hoso_err *err)
{
	*out = NULL;
	*n = 0;
	hoso_status status;
	db_read_lock(h);
	db_st *st = db_stmt(h, (enum db_stmt_id)slot, sql, err);
	if (!st) {
		status = db_prep_failed(err);
		goto unlock;
	}
	bind(st, args);
	status = collect(h, st, elem, read, out, n, what, err);
	db_stmt_done(st);
unlock:
	db_read_unlock(h);
	return status;
}

/* The parameters every statement of this file takes: ?1 agency ("" for all), ?2 and ?3 the
 * window (times or dates), ?4 and ?5 a second pair when needed. */
typedef struct stat_args {
	const char *agency;
	int64_t from_ms, to_ms;
	const char *date_a, *date_b;
} stat_args;

static void bind_times(db_st *st, const void *p)
{
	const stat_args *a = p;
	db_bind_text(st, 1, a->agency ? a->agency : "");
	db_bind_int64(st, 2, a->from_ms);
	db_bind_int64(st, 3, a->to_ms);
}

static void bind_dates(db_st *st, const void *p)
{
	const stat_args *a = p;
	db_bind_text(st, 1, a->agency ? a->agency : "");
	db_bind_text(st, 2, a->date_a);
	db_bind_text(st, 3, a->date_b);
}

/* ---- item states -------------------------------------------------------------------- */

static void read_state(db_st *st, void *p)
{
	db_stats_state_row *r = p;
	db_col_text(st, 0, r->office_code, sizeof(r->office_code));
	db_col_text(st, 1, r->agency_code, sizeof(r->agency_code));
	db_col_text(st, 2, r->state, sizeof(r->state));
	r->count = db_col_int64(st, 3);
	r->count_in_window = db_col_int64(st, 4);
}

/* ?4 .. ?15 the open states, ?16 .. ?19 the finished ones ('' where unused). */
typedef struct states_args {
	stat_args base;
	const char *const *open, *const *finished;
} states_args;

static void bind_states(db_st *st, const void *p)
{
	const states_args *a = p;
	bind_times(st, &a->base);
	const char *const *list[2] = {a->open, a->finished};
	const int first[2] = {4, 4 + DB_STATS_OPEN}, max[2] = {DB_STATS_OPEN, DB_STATS_FINISHED};
	for (int l = 0; l < 2; l++) {
		int k = 0;
		for (; list[l] && list[l][k] && k < max[l]; k++)
			db_bind_text(st, first[l] + k, list[l][k]);
		for (; k < max[l]; k++)
			db_bind_text(st, first[l] + k, "");
	}
}

#define STATES_FROM \
	"SELECT COALESCE(NULLIF(p.office_code, ''), d.office_code) AS office, " \
	"d.agency_code AS agency, i.state AS state, " \
	"CASE WHEN i.updated_at >= ?2 AND i.updated_at < ?3 THEN 1 ELSE 0 END AS in_window " \
	"FROM items i JOIN dossiers d ON d.id = i.dossier_id " \
	"LEFT JOIN item_progress p ON p.tracking_number = i.tracking_number "

hoso_status db_stats_item_states(db *h, const char *agency, int64_t from_ms, int64_t to_ms,
                                 const char *const *open, const char *const *finished,
                                 db_stats_state_row **out, size_t *n, hoso_err *err)
{
	states_args a = {.base = {.agency = agency, .from_ms = from_ms, .to_ms = to_ms},
	                 .open = open, .finished = finished};
	void *rows = NULL;
	/* Two index ranges instead of every item ever: the open items, and the finished ones
	 * of the window. */
	hoso_status status = run(h, SS_STATES,
		"SELECT office, agency, state, count(*), sum(in_window) FROM ("
		STATES_FROM "WHERE i.state IN (?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15) "
		"AND (?1 = '' OR d.agency_code = ?1) "
		"UNION ALL "
		STATES_FROM "WHERE i.state IN (?16, ?17, ?18, ?19) "
		"AND i.updated_at >= ?2 AND i.updated_at < ?3 AND (?1 = '' OR d.agency_code = ?1)"
		") AS s GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
		bind_states, &a, sizeof(**out), read_state, &rows, n,
		"counting items by state", err);
	_Static_assert(DB_STATS_OPEN == 12 && DB_STATS_FINISHED == 4, "the ?N of the query above");
	*out = rows;
	return status;
}

/* ---- deadlines ---------------------------------------------------------------------- */

static void read_due(db_st *st, void *p)
{
	db_stats_due_row *r = p;
	db_col_text(st, 0, r->office_code, sizeof(r->office_code));
	db_col_text(st, 1, r->agency_code, sizeof(r->agency_code));
	r->overdue = db_col_int64(st, 2);
	r->due_soon = db_col_int64(st, 3);
}

hoso_status db_stats_due(db *h, const char *agency, const char *today, const char *soon_to,
                         db_stats_due_row **out, size_t *n, hoso_err *err)
{
	stat_args a = {.agency = agency, .date_a = today, .date_b = soon_to};
	/* next_deadline <> '' first: the partial index item_progress_due (schema_v2.c). */
	void *rows = NULL;
	hoso_status status = run(h, SS_DUE,
		"SELECT office_code, agency_code, sum(CASE WHEN next_deadline < ?2 THEN 1 ELSE 0 END), "
		"sum(CASE WHEN next_deadline >= ?2 THEN 1 ELSE 0 END) "
		"FROM item_progress WHERE next_deadline <> '' AND next_deadline <= ?3 "
		"AND (?1 = '' OR agency_code = ?1) GROUP BY 1, 2 ORDER BY 1, 2",
		bind_dates, &a, sizeof(**out), read_due, &rows, n,
		"counting items near their deadline", err);
	*out = rows;
	return status;
}

/* ---- acceptances -------------------------------------------------------------------- */

static void read_accept(db_st *st, void *p)
{
	db_stats_accept_row *r = p;
	db_col_text(st, 0, r->date, sizeof(r->date));
	db_col_text(st, 1, r->office_code, sizeof(r->office_code));
	db_col_text(st, 2, r->agency_code, sizeof(r->agency_code));
	db_col_text(st, 3, r->procedure_code, sizeof(r->procedure_code));
	r->dossiers = db_col_int64(st, 4);
	r->postage_vnd = db_col_int64(st, 5);
	r->fee_vnd = db_col_int64(st, 6);
}

hoso_status db_stats_accepted(db *h, const char *agency, const char *date_from,
                              const char *date_to, db_stats_accept_row **out, size_t *n,
                              hoso_err *err)
{
	stat_args a = {.agency = agency, .date_a = date_from, .date_b = date_to};
	void *rows = NULL;
	hoso_status status = run(h, SS_ACCEPTED,
		"SELECT accepted_date, office_code, agency_code, procedure_code, count(*), "
		"sum(postage_vnd), sum(fee_vnd) FROM dossiers "
		"WHERE accepted_date >= ?2 AND accepted_date <= ?3 AND (?1 = '' OR agency_code = ?1) "
		"GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4",
		bind_dates, &a, sizeof(**out), read_accept, &rows, n,
		"counting accepted dossiers", err);
	*out = rows;
	return status;
}

/* ---- deliveries --------------------------------------------------------------------- */

static void read_delivery(db_st *st, void *p)
{
	db_stats_delivery *r = p;
	db_col_text(st, 0, r->tracking_number, sizeof(r->tracking_number));
	db_col_text(st, 1, r->office_code, sizeof(r->office_code));
	db_col_text(st, 2, r->agency_code, sizeof(r->agency_code));
	db_col_text(st, 3, r->procedure_code, sizeof(r->procedure_code));
	db_col_text(st, 4, r->route_class, sizeof(r->route_class));
	r->delivered_at = db_col_int64(st, 5);
	r->collected_at = db_col_int64(st, 6);
	r->fee_collected_vnd = db_col_int64(st, 7);
}

hoso_status db_stats_deliveries(db *h, const char *agency, int64_t from_ms, int64_t to_ms,
                                db_stats_delivery **out, size_t *n, hoso_err *err)
{
	stat_args a = {.agency = agency, .from_ms = from_ms, .to_ms = to_ms};
	/* DELIVERED is final, so the item's updated_at is the time of its deliver event; the
	 * items_state_time index finds them without reading the events table. */
	void *rows = NULL;
	hoso_status status = run(h, SS_DELIVERIES,
		"SELECT i.tracking_number, COALESCE(NULLIF(p.office_code, ''), d.office_code), "
		"d.agency_code, d.procedure_code, d.route_class, i.updated_at, "
		"COALESCE((SELECT c.server_time FROM events c WHERE c.tracking_number = "
		"i.tracking_number AND c.type = 'collect' ORDER BY c.seq LIMIT 1), 0), "
		"COALESCE((SELECT CAST(json_extract(e.data, '$.fee_collected_vnd') AS BIGINT) "
		"FROM events e WHERE e.tracking_number = i.tracking_number AND e.type = 'deliver' "
		"ORDER BY e.seq DESC LIMIT 1), 0) "
		"FROM items i JOIN dossiers d ON d.id = i.dossier_id "
		"LEFT JOIN item_progress p ON p.tracking_number = i.tracking_number "
		"WHERE i.state = 'DELIVERED' AND i.updated_at >= ?2 AND i.updated_at < ?3 "
		"AND (?1 = '' OR d.agency_code = ?1) ORDER BY i.updated_at, i.tracking_number",
		bind_times, &a, sizeof(**out), read_delivery, &rows, n,
		"listing delivered results", err);
	*out = rows;
	return status;
}

/* ---- journeys ----------------------------------------------------------------------- */

static void read_journey(db_st *st, void *p)
{
	db_stats_journey *r = p;
	r->dossier_id = db_col_int64(st, 0);
	r->accepted_at = db_col_int64(st, 1);
	r->filed_at = db_col_int64(st, 2);
	r->result_ready_at = db_col_int64(st, 3);
	r->delivered_at = db_col_int64(st, 4);
}

hoso_status db_stats_journeys(db *h, const char *agency, int64_t from_ms, int64_t to_ms,
                              db_stats_journey **out, size_t *n, hoso_err *err)
{
	stat_args a = {.agency = agency, .from_ms = from_ms, .to_ms = to_ms};
	void *rows = NULL;
	hoso_status status = run(h, SS_JOURNEYS,
		"SELECT d.id, d.accepted_at, COALESCE(sp.filed_at, 0), "
		"COALESCE(rp.result_ready_at, 0), "
		"CASE WHEN r.state = 'DELIVERED' THEN r.updated_at ELSE 0 END "
		"FROM dossiers d "
		"LEFT JOIN items s ON s.dossier_id = d.id AND s.role = 'submission' "
		"LEFT JOIN item_progress sp ON sp.tracking_number = s.tracking_number "
		"LEFT JOIN items r ON r.dossier_id = d.id AND r.role = 'result' "
		"LEFT JOIN item_progress rp ON rp.tracking_number = r.tracking_number "
		"WHERE (?1 = '' OR d.agency_code = ?1) AND ("
		"(sp.filed_at >= ?2 AND sp.filed_at < ?3) OR "
		"(rp.result_ready_at >= ?2 AND rp.result_ready_at < ?3) OR "
		"(r.state = 'DELIVERED' AND r.updated_at >= ?2 AND r.updated_at < ?3)) "
		"ORDER BY d.id",
		bind_times, &a, sizeof(**out), read_journey, &rows, n,
		"reading dossiers' journeys", err);
	*out = rows;
	return status;
}

/* ---- complaints and losses (the quarterly report) ----------------------------------- */

static void read_complaint(db_st *st, void *p)
{
	db_stats_complaint *r = p;
	db_col_text(st, 0, r->procedure_code, sizeof(r->procedure_code));
	db_col_text(st, 1, r->agency_code, sizeof(r->agency_code));
	r->created_at = db_col_int64(st, 2);
	db_col_text(st, 3, r->due_date, sizeof(r->due_date));
	r->answered = db_col_int(st, 4) != 0;
	r->answered_at = db_col_int64(st, 5);
}

hoso_status db_stats_complaints(db *h, int64_t from_ms, int64_t to_ms,
                                db_stats_complaint **out, size_t *n, hoso_err *err)
{
	stat_args a = {.agency = NULL, .from_ms = from_ms, .to_ms = to_ms};
	void *rows = NULL;
	hoso_status status = run(h, SS_COMPLAINTS,
		"SELECT d.procedure_code, d.agency_code, c.created_at, c.due_date, "
		"c.state = 'answered', c.answered_at "
		"FROM complaints c JOIN dossiers d ON d.id = c.dossier_id "
		"WHERE (?1 = '' OR d.agency_code = ?1) AND c.created_at >= ?2 AND c.created_at < ?3 "
		"ORDER BY c.id",
		bind_times, &a, sizeof(**out), read_complaint, &rows, n,
		"reading complaints", err);
	*out = rows;
	return status;
}

static void read_loss(db_st *st, void *p)
{
	db_stats_loss_row *r = p;
	db_col_text(st, 0, r->procedure_code, sizeof(r->procedure_code));
	db_col_text(st, 1, r->agency_code, sizeof(r->agency_code));
	r->missing = db_col_int64(st, 2);
	r->damaged = db_col_int64(st, 3);
}

hoso_status db_stats_losses(db *h, int64_t from_ms, int64_t to_ms, db_stats_loss_row **out,
                            size_t *n, hoso_err *err)
{
	stat_args a = {.agency = NULL, .from_ms = from_ms, .to_ms = to_ms};
	/* The status predicate is word for word that of manifest_items_discrepancy. */
	void *rows = NULL;
	hoso_status status = run(h, SS_LOSSES,
		"SELECT d.procedure_code, d.agency_code, sum(CASE WHEN mi.status = 'missing' THEN 1 ELSE 0 END), "
		"sum(CASE WHEN mi.status = 'damaged' THEN 1 ELSE 0 END) "
		"FROM manifest_items mi JOIN manifests m ON m.id = mi.manifest_id "
		"JOIN dossiers d ON d.id = mi.dossier_id "
		"WHERE mi.status IN ('missing', 'damaged') AND (?1 = '' OR d.agency_code = ?1) "
		"AND m.confirmed_at >= ?2 AND m.confirmed_at < ?3 GROUP BY 1, 2 ORDER BY 1, 2",
		bind_times, &a, sizeof(**out), read_loss, &rows, n,
		"counting lost and damaged items", err);
	*out = rows;
	return status;
}
