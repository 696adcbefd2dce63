/* gen_db — fills a hoso database (already created and migrated by `hoso init --demo`) with
 * N dossiers for the tracking benchmark, fast: plain SQLite inserts in one transaction with
 * the same schema the daemon uses, valid S10 numbers (the check digit computed by
 * tracking/s10.c) and real custody chains (tracking/chain.c), so that `hoso verify` holds.
 * Each dossier has a submission item with 2 events (accept, dispatch) and its progress
 * row; every 4th also a result item (accept). Writes the submission numbers, one a line, to
 * LIST for wrk to pick from.
 *
 *   gen_db DB N LIST
 *
 * Serials are i * 48271 + 12345 mod 10^8 (48271 is prime to 10^8: all distinct). */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "trk_chain.h"
#include "trk_s10.h"

#define SQLOK(x) do { if ((x) != SQLITE_OK) { fprintf(stderr, "sqlite: %s (line %d)\n", \
	sqlite3_errmsg(c), __LINE__); return 1; } } while (0)

static sqlite3 *c;
static sqlite3_stmt *ins_dossier, *ins_item, *ins_event, *ins_progress;

static const char *const names[] = {"Nguyễn Văn Anh", "Trần Thị Bình", "Lê Hoàng Cường",
                                    "Phạm Thị Dung", "Huỳnh Văn Em", "Võ Thị Giang"};

static int step(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		fprintf(stderr, "insert: %s\n", sqlite3_errmsg(c));
		return 1;
	}
	return 0;
}

/* Appends an event to tn's chain (prev in, new head out). */
static int add_event(const char *tn, const char *type, const char *from, const char *to,
                     const char *place, int64_t when, long long n, uint8_t head[32])
{
	static db_event ev;
	memset(&ev, 0, sizeof(ev));
	snprintf(ev.id, sizeof(ev.id), "00000000-0000-4000-8000-%012lld", n % 1000000000000LL);
	snprintf(ev.tracking_number, sizeof(ev.tracking_number), "%s", tn);
	snprintf(ev.type, sizeof(ev.type), "%s", type);
	snprintf(ev.state_from, sizeof(ev.state_from), "%s", from);
	snprintf(ev.state_to, sizeof(ev.state_to), "%s", to);
	ev.user_id = 1;
	snprintf(ev.username, sizeof(ev.username), "clerk");
	snprintf(ev.place, sizeof(ev.place), "%s", place);
	ev.server_time = when;
	snprintf(ev.data, sizeof(ev.data), "{}");
	memcpy(ev.prev_hash, head, 32);
	if (!trk_chain_hash(head, &ev, ev.hash))
		return 1;
	memcpy(head, ev.hash, 32);
	sqlite3_bind_text(ins_event, 1, ev.id, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins_event, 2, tn, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins_event, 3, type, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins_event, 4, from, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins_event, 5, to, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins_event, 6, place, -1, SQLITE_STATIC);
	sqlite3_bind_int64(ins_event, 7, when);
	sqlite3_bind_blob(ins_event, 8, ev.prev_hash, 32, SQLITE_STATIC);
	sqlite3_bind_blob(ins_event, 9, ev.hash, 32, SQLITE_STATIC);
	return step(ins_event);
}

static int add_item(const char *prefix, long long i, long long dossier, const char *role,
                    const char *state, int64_t when, char tn[16], uint8_t head[32])
{
	hoso_err err;
	uint32_t serial = (uint32_t)((i * 48271LL + 12345LL) % 100000000LL);
	if (trk_s10_format(prefix, serial, "VN", tn, &err) != HOSO_OK)
		return 1;
	memset(head, 0, 32);
	sqlite3_bind_text(ins_item, 1, tn, -1, SQLITE_STATIC);
	sqlite3_bind_int64(ins_item, 2, dossier);
	sqlite3_bind_text(ins_item, 3, role, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins_item, 4, state, -1, SQLITE_STATIC);
	sqlite3_bind_int64(ins_item, 5, when);
	sqlite3_bind_blob(ins_item, 6, head, 32, SQLITE_STATIC);
	return step(ins_item);
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: gen_db DB N LIST\n");
		return 2;
	}
	long long n = atoll(argv[2]);
	FILE *list = fopen(argv[3], "w");
	if (!list || n < 1 || sqlite3_open(argv[1], &c) != SQLITE_OK) {
		fprintf(stderr, "gen_db: cannot open %s or %s\n", argv[1], argv[3]);
		return 1;
	}
	SQLOK(sqlite3_exec(c, "PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF; "
	                      "PRAGMA cache_size = -200000; BEGIN", NULL, NULL, NULL));
	SQLOK(sqlite3_prepare_v2(c, "INSERT INTO dossiers (id, procedure_code, agency_code, "
		"office_code, service, applicant_kind, applicant_name, applicant_phone, "
		"applicant_id_number, applicant_address, documents, postage_vnd, fee_vnd, "
		"payment_method, route_class, created_by, accepted_at, accepted_date, due_date) "
		"VALUES (?1, '2.000488', '000.00.12.H21', '600000', ?2, 'person', ?3, ?4, ?5, ?6, "
		"'[{\"name\":\"Tờ khai\",\"form\":\"original\"}]', 28000, 200000, 'cash', "
		"'district', 1, ?7, ?8, ?9)", -1, &ins_dossier, NULL));
	SQLOK(sqlite3_prepare_v2(c, "INSERT INTO items (tracking_number, dossier_id, role, state, "
		"created_at, updated_at, last_seq, last_hash) VALUES (?1, ?2, ?3, ?4, ?5, ?5, 0, ?6)",
		-1, &ins_item, NULL));
	SQLOK(sqlite3_prepare_v2(c, "INSERT INTO events (id, tracking_number, type, state_from, "
		"state_to, user_id, username, place, server_time, prev_hash, hash) VALUES "
		"(?1, ?2, ?3, ?4, ?5, 1, 'clerk', ?6, ?7, ?8, ?9)", -1, &ins_event, NULL));
	SQLOK(sqlite3_prepare_v2(c, "INSERT INTO item_progress (tracking_number, office_code, "
		"agency_code, state, due_date, custodian, next_deadline) VALUES (?1, '600000', "
		"'000.00.12.H21', ?2, ?3, 'courier:courier', ?3)", -1, &ins_progress, NULL));
	sqlite3_stmt *heads;
	SQLOK(sqlite3_prepare_v2(c, "UPDATE items SET last_seq = (SELECT max(seq) FROM events "
		"WHERE tracking_number = ?1), last_hash = ?2 WHERE tracking_number = ?1", -1, &heads,
		NULL));
	int64_t base = (int64_t)time(NULL) * 1000 - 86400000LL;
	long long ev_n = 0;
	for (long long i = 1; i <= n; i++) {
		char tn[16], rtn[16], phone[24], cccd[24], addr[64];
		uint8_t head[32];
		int64_t when = base + i;
		snprintf(phone, sizeof(phone), "09%08lld", i % 100000000LL);
		snprintf(cccd, sizeof(cccd), "064%09lld", i % 1000000000LL);
		snprintf(addr, sizeof(addr), "%lld Trần Hưng Đạo, Pleiku", i % 500 + 1);
		bool result = i % 4 == 0;
		sqlite3_bind_int64(ins_dossier, 1, i);
		sqlite3_bind_text(ins_dossier, 2, result ? "both" : "send", -1, SQLITE_STATIC);
		sqlite3_bind_text(ins_dossier, 3, names[i % 6], -1, SQLITE_STATIC);
		sqlite3_bind_text(ins_dossier, 4, phone, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(ins_dossier, 5, cccd, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(ins_dossier, 6, addr, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(ins_dossier, 7, when);
		sqlite3_bind_text(ins_dossier, 8, "2026-11-26", -1, SQLITE_STATIC);
		sqlite3_bind_text(ins_dossier, 9, "2026-11-27", -1, SQLITE_STATIC);
		if (step(ins_dossier) ||
		    add_item("DH", i, i, "submission", "IN_TRANSIT", when, tn, head) ||
		    add_event(tn, "accept", "", "ACCEPTED", "600000", when, ++ev_n, head) ||
		    add_event(tn, "dispatch", "ACCEPTED", "IN_TRANSIT", "600000", when + 1000,
		              ++ev_n, head))
			return 1;
		sqlite3_bind_text(heads, 1, tn, -1, SQLITE_STATIC);
		sqlite3_bind_blob(heads, 2, head, 32, SQLITE_STATIC);
		sqlite3_bind_text(ins_progress, 1, tn, -1, SQLITE_STATIC);
		sqlite3_bind_text(ins_progress, 2, "IN_TRANSIT", -1, SQLITE_STATIC);
		sqlite3_bind_text(ins_progress, 3, "2026-11-27", -1, SQLITE_STATIC);
		if (step(heads) || step(ins_progress))
			return 1;
		fprintf(list, "%s\n", tn);
		if (!result)
			continue;
		if (add_item("DK", i, i, "result", "AWAITING_RESULT", when, rtn, head) ||
		    add_event(rtn, "accept", "", "AWAITING_RESULT", "000.00.12.H21", when, ++ev_n,
		              head))
			return 1;
		sqlite3_bind_text(heads, 1, rtn, -1, SQLITE_STATIC);
		sqlite3_bind_blob(heads, 2, head, 32, SQLITE_STATIC);
		if (step(heads))
			return 1;
	}
	SQLOK(sqlite3_exec(c, "COMMIT; PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL));
	sqlite3_finalize(ins_dossier);
	sqlite3_finalize(ins_item);
	sqlite3_finalize(ins_event);
	sqlite3_finalize(ins_progress);
	sqlite3_finalize(heads);
	sqlite3_close(c);
	fclose(list);
	printf("gen_db: %lld dossiers, %lld events\n", n, ev_n);
	return 0;
}
