/* test_chain.c — tracking/chain.c: canonical bytes and hashes against vectors computed with
 * Python (json.dumps(sort_keys=True, separators=(',', ':'), ensure_ascii=False), hashlib),
 * short codes, and trk_chain_verify on a real database that is then tampered with through
 * raw SQLite (after dropping the append-only triggers). */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "db.h"
#include "trk_chain.h"

static void fill_event(db_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	snprintf(ev->id, sizeof(ev->id), "0b6c5a1e-4f7e-4c38-9a51-2d1f0c7e9b10");
	snprintf(ev->tracking_number, sizeof(ev->tracking_number), "DH123456785VN");
	snprintf(ev->type, sizeof(ev->type), "handover");
	snprintf(ev->state_from, sizeof(ev->state_from), "IN_TRANSIT");
	snprintf(ev->state_to, sizeof(ev->state_to), "AT_AGENCY");
	ev->user_id = 7;
	snprintf(ev->username, sizeof(ev->username), "buuta.hoa");
	snprintf(ev->place, sizeof(ev->place), "000.00.00.H21");
	snprintf(ev->from_party, sizeof(ev->from_party), "buuta.hoa");
	snprintf(ev->to_party, sizeof(ev->to_party), "Nguyễn Thị Lan");
	ev->server_time = 1735700000123;
	ev->device_time = 1735699999000;
	snprintf(ev->data, sizeof(ev->data), "{\"receipt_no\": \"123/TN\", "
	         "\"appointment\": \"2025-01-10\", \"note\": \"Hồ sơ đủ\"}");
	memset(ev->request_digest, 'a', 64);
	for (int i = 1; i < 64; i += 2)
		ev->request_digest[i] = 'b';
	ev->seq = 99;                       /* not part of the canonical bytes */
	memset(ev->prev_hash, 0x55, 32);    /* nor are the hashes */
	memset(ev->hash, 0x66, 32);
}

static const char canonical_want[] =
	"{\"data\":{\"appointment\":\"2025-01-10\",\"note\":\"Hồ sơ đủ\",\"receipt_no\":\"123/TN\"},"
	"\"device_time\":1735699999000,\"from\":\"buuta.hoa\",\"from_state\":\"IN_TRANSIT\","
	"\"id\":\"0b6c5a1e-4f7e-4c38-9a51-2d1f0c7e9b10\",\"item\":\"DH123456785VN\","
	"\"place\":\"000.00.00.H21\",\"request_digest\":"
	"\"abababababababababababababababababababababababababababababababab\","
	"\"server_time\":1735700000123,\"to\":\"Nguyễn Thị Lan\",\"to_state\":\"AT_AGENCY\","
	"\"type\":\"handover\",\"user_id\":7,\"username\":\"buuta.hoa\"}";

static void test_canonical(void)
{
	db_event ev;
	fill_event(&ev);
	char *c = trk_chain_canonical(&ev);
	CHECK_STR(c, canonical_want);
	free(c);

	uint8_t zero[32] = {0}, seq[32], h[32];
	char hex[65], code[9];
	for (int i = 0; i < 32; i++)
		seq[i] = (uint8_t)i;
	CHECK(trk_chain_hash(zero, &ev, h));
	trk_hex32(h, hex);
	CHECK_STR(hex, "94932a125f7a0085298020a9222537e6a603639b29c47f623487052e70f4f69c");
	trk_chain_short_code(h, code);
	CHECK_STR(code, "JJ9JM4JZ");
	CHECK(trk_chain_hash(seq, &ev, h));
	trk_hex32(h, hex);
	CHECK_STR(hex, "fa705f55a5507fb816b9e6b11176b81971116b2cdab46f8d70ffedbcc0bfeeba");

	uint8_t ones[32];
	memset(ones, 0xFF, 32);
	trk_chain_short_code(ones, code);
	CHECK_STR(code, "ZZZZZZZZ");
	trk_chain_short_code(zero, code);
	CHECK_STR(code, "00000000");

	/* Data that does not parse is embedded as a string; so is a bare JSON scalar. */
	snprintf(ev.data, sizeof(ev.data), "{not json");
	c = trk_chain_canonical(&ev);
	CHECK(c && strstr(c, "\"data\":\"{not json\",") != NULL);
	free(c);
	snprintf(ev.data, sizeof(ev.data), "\"abc\"");
	char *quoted = trk_chain_canonical(&ev);
	snprintf(ev.data, sizeof(ev.data), "abc");
	char *bare = trk_chain_canonical(&ev);
	CHECK(quoted && bare && strcmp(quoted, bare) != 0);
	free(quoted);
	free(bare);
	/* Repeated keys would lose one value when parsed: kept verbatim instead. */
	snprintf(ev.data, sizeof(ev.data), "{\"a\":1,\"a\":2}");
	c = trk_chain_canonical(&ev);
	CHECK(c && strstr(c, "\"data\":\"{\\\"a\\\":1,\\\"a\\\":2}\"") != NULL);
	free(c);
	/* Empty data is stored as {} by the db, and hashes the same. */
	ev.data[0] = '\0';
	c = trk_chain_canonical(&ev);
	CHECK(c && strstr(c, "\"data\":{},") != NULL);
	free(c);
	/* Bytes that are not UTF-8 still give a deterministic, distinct form. */
	snprintf(ev.username, sizeof(ev.username), "bad\xFF");
	c = trk_chain_canonical(&ev);
	CHECK(c && strstr(c, "\"username\":{\"hex\":\"626164ff\"}") != NULL);
	free(c);

	/* Any field change changes the hash. */
	fill_event(&ev);
	uint8_t base[32], other[32];
	CHECK(trk_chain_hash(zero, &ev, base));
	ev.device_time++;
	CHECK(trk_chain_hash(zero, &ev, other) && memcmp(base, other, 32) != 0);
	fill_event(&ev);
	ev.to_party[0] = 'n';
	CHECK(trk_chain_hash(zero, &ev, other) && memcmp(base, other, 32) != 0);
	fill_event(&ev);
	ev.seq = 1;
	CHECK(trk_chain_hash(zero, &ev, other) && memcmp(base, other, 32) == 0);
}

/* ---- with a database --------------------------------------------------------------- */

struct breaks {
	int n;
	char tn[4][16];
	int64_t seq[4];
	char why[4][256];
};

static void on_break(const char *tn, int64_t seq, const char *why, void *ctx)
{
	struct breaks *b = ctx;
	if (b->n < 4) {
		snprintf(b->tn[b->n], sizeof(b->tn[0]), "%s", tn);
		b->seq[b->n] = seq;
		snprintf(b->why[b->n], sizeof(b->why[0]), "%s", why);
	}
	b->n++;
}

static const char *const types[] = {"accept", "dispatch", "handover", "agency_receipt"};
static const char *const states[] = {"", "ACCEPTED", "IN_TRANSIT", "AT_AGENCY", "RECEIVED"};

/* Appends the 4 submission events to item tn; the seqs go to seqs[4]. */
static bool build_chain(db *h, const char *tn, int64_t t0, int64_t seqs[4])
{
	hoso_err err;
	for (int i = 0; i < 4; i++) {
		db_item it;
		if (db_item_get(h, tn, &it, &err) != HOSO_OK)
			return false;
		db_event ev;
		memset(&ev, 0, sizeof(ev));
		snprintf(ev.id, sizeof(ev.id), "%s-%d", tn, i);
		snprintf(ev.tracking_number, sizeof(ev.tracking_number), "%s", tn);
		snprintf(ev.type, sizeof(ev.type), "%s", types[i]);
		snprintf(ev.state_from, sizeof(ev.state_from), "%s", states[i]);
		snprintf(ev.state_to, sizeof(ev.state_to), "%s", states[i + 1]);
		ev.user_id = 1 + i;
		snprintf(ev.username, sizeof(ev.username), "user%d", i);
		snprintf(ev.place, sizeof(ev.place), "700000");
		ev.server_time = t0 + i * 60000;
		snprintf(ev.data, sizeof(ev.data), i == 3 ? "{\"receipt_no\":\"R-%d\"}" : "{}", i);
		memcpy(ev.prev_hash, it.last_hash, 32);
		if (!trk_chain_hash(ev.prev_hash, &ev, ev.hash))
			return false;
		if (db_begin(h, &err) != HOSO_OK)
			return false;
		if (db_event_insert(h, &ev, &err) != HOSO_OK ||
		    db_item_advance(h, tn, ev.state_to, ev.seq, ev.hash, ev.server_time, &err) !=
		        HOSO_OK) {
			fprintf(stderr, "build_chain: %s\n", err.message);
			db_rollback(h);
			return false;
		}
		if (db_commit(h, &err) != HOSO_OK)
			return false;
		seqs[i] = ev.seq;
	}
	return true;
}

/* Runs SQL on the file behind the db's back, with the append-only triggers dropped. */
static bool tamper(const char *path, const char *sql)
{
	sqlite3 *s = NULL;
	if (sqlite3_open(path, &s) != SQLITE_OK) {
		sqlite3_close(s);
		return false;
	}
	char names[8][64];
	int n = 0;
	sqlite3_stmt *st = NULL;
	sqlite3_prepare_v2(s, "SELECT name FROM sqlite_master WHERE type = 'trigger' AND "
	                      "tbl_name IN ('events', 'items')", -1, &st, NULL);
	while (st && sqlite3_step(st) == SQLITE_ROW && n < 8)
		snprintf(names[n++], sizeof(names[0]), "%s", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	bool ok = true;
	for (int i = 0; i < n; i++) {
		char *drop = sqlite3_mprintf("DROP TRIGGER \"%w\"", names[i]);
		ok = ok && drop && sqlite3_exec(s, drop, NULL, NULL, NULL) == SQLITE_OK;
		sqlite3_free(drop);
	}
	char *msg = NULL;
	if (sqlite3_exec(s, sql, NULL, NULL, &msg) != SQLITE_OK) {
		fprintf(stderr, "tamper: %s\n", msg ? msg : "?");
		ok = false;
	}
	sqlite3_free(msg);
	sqlite3_close(s);
	return ok;
}

static trk_verify_report verify(db *h, struct breaks *b)
{
	trk_verify_report rep;
	memset(b, 0, sizeof(*b));
	hoso_err err;
	CHECK_INT(trk_chain_verify(h, &rep, on_break, b, &err), HOSO_OK);
	return rep;
}

static void test_verify(void)
{
	char dir[] = "/tmp/hoso-chain-XXXXXX";
	CHECK(mkdtemp(dir) != NULL);
	char path[64];
	snprintf(path, sizeof(path), "%s/hoso.db", dir);
	hoso_err err;
	db *h = NULL;
	CHECK_INT(db_open(path, &h, &err), HOSO_OK);
	if (!h) {
		fprintf(stderr, "db_open: %s\n", err.message);
		return;
	}
	static const char *const tns[] = {"DH000000005VN", "DH000000080VN", "DH100010005VN"};
	db_dossier d;
	memset(&d, 0, sizeof(d));
	snprintf(d.procedure_code, sizeof(d.procedure_code), "1.001776");
	snprintf(d.agency_code, sizeof(d.agency_code), "000.00.00.H21");
	snprintf(d.office_code, sizeof(d.office_code), "700000");
	snprintf(d.service, sizeof(d.service), "send");
	snprintf(d.applicant_kind, sizeof(d.applicant_kind), "person");
	snprintf(d.applicant_name, sizeof(d.applicant_name), "Trần Văn Bình");
	snprintf(d.documents, sizeof(d.documents), "[]");
	d.accepted_at = 1735700000000;
	snprintf(d.accepted_date, sizeof(d.accepted_date), "2025-01-01");
	int64_t seqs[3][4];
	for (int i = 0; i < 3; i++) {
		d.id = 0;
		CHECK_INT(db_dossier_insert(h, &d, &err), HOSO_OK);
		db_item it;
		memset(&it, 0, sizeof(it));
		snprintf(it.tracking_number, sizeof(it.tracking_number), "%s", tns[i]);
		it.dossier_id = d.id;
		snprintf(it.role, sizeof(it.role), "submission");
		it.created_at = it.updated_at = d.accepted_at;
		CHECK_INT(db_item_insert(h, &it, &err), HOSO_OK);
		CHECK(build_chain(h, tns[i], d.accepted_at + i, seqs[i]));
	}

	struct breaks b;
	trk_verify_report rep = verify(h, &b);
	CHECK_INT(rep.items, 3);
	CHECK_INT(rep.events, 12);
	CHECK_INT(rep.broken, 0);
	CHECK_INT(b.n, 0);
	db_close(h);
	h = NULL;

	/* 1: edit the content of event 2 of item 0 -> its stored hash no longer matches. */
	char sql[512];
	snprintf(sql, sizeof(sql), "UPDATE events SET place = '700100' WHERE seq = %lld",
	         (long long)seqs[0][1]);
	CHECK(tamper(path, sql));
	/* 2: item 1's third event gets a prev_hash that is not its predecessor's hash (with a
	 * hash recomputed to match, as a forger would): the link breaks. */
	snprintf(sql, sizeof(sql), "UPDATE events SET prev_hash = zeroblob(32) WHERE seq = %lld",
	         (long long)seqs[1][2]);
	CHECK(tamper(path, sql));
	/* 3: item 2 loses its last event -> the head points past the chain. */
	snprintf(sql, sizeof(sql), "DELETE FROM events WHERE seq = %lld", (long long)seqs[2][3]);
	CHECK(tamper(path, sql));

	CHECK_INT(db_open(path, &h, &err), HOSO_OK);
	if (!h)
		return;
	/* Make forgery 2 internally consistent: recompute that event's hash. */
	db_event *evs = NULL;
	size_t n = 0;
	CHECK_INT(db_events_of_item(h, tns[1], &evs, &n, &err), HOSO_OK);
	if (n == 4) {
		uint8_t fixed[32];
		CHECK(trk_chain_hash(evs[2].prev_hash, &evs[2], fixed));
		char hex[65];
		trk_hex32(fixed, hex);
		snprintf(sql, sizeof(sql), "UPDATE events SET hash = x'%s' WHERE seq = %lld", hex,
		         (long long)seqs[1][2]);
		CHECK(tamper(path, sql));
	}
	free(evs);

	rep = verify(h, &b);
	CHECK_INT(rep.items, 3);
	CHECK_INT(rep.events, 11);
	CHECK_INT(rep.broken, 3);
	CHECK_INT(b.n, 3);                                  /* once per broken item */
	char want[128];
	if (b.n == 3) {
		CHECK_STR(b.tn[0], tns[0]);
		CHECK_INT(b.seq[0], seqs[0][1]);
		snprintf(want, sizeof(want), "event %lld: stored hash does not match its content",
		         (long long)seqs[0][1]);
		CHECK_STR(b.why[0], want);
		CHECK_STR(b.tn[1], tns[1]);
		CHECK_INT(b.seq[1], seqs[1][2]);
		snprintf(want, sizeof(want), "event %lld: prev_hash does not link to event %lld",
		         (long long)seqs[1][2], (long long)seqs[1][1]);
		CHECK_STR(b.why[1], want);
		CHECK_STR(b.tn[2], tns[2]);
		snprintf(want, sizeof(want), "item head points to event %lld",
		         (long long)seqs[2][3]);
		CHECK(strncmp(b.why[2], want, strlen(want)) == 0);
		CHECK(strstr(b.why[2], "chain ends at event") != NULL);
		for (int i = 0; i < 3; i++)
			printf("break reported: %s at %lld: %s\n", b.tn[i], (long long)b.seq[i],
			       b.why[i]);
	}
	/* A NULL callback and NULL report are accepted. */
	CHECK_INT(trk_chain_verify(h, NULL, NULL, NULL, &err), HOSO_OK);
	db_close(h);

	char f[80];
	static const char *const suffixes[] = {"", "-wal", "-shm"};
	for (int i = 0; i < 3; i++) {
		snprintf(f, sizeof(f), "%s%s", path, suffixes[i]);
		unlink(f);
	}
	rmdir(dir);
}

int main(void)
{
	test_canonical();
	test_verify();
	return check_done();
}
