#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "text.h"
#include "trk_canon.h"
#include "trk_components.h"
#include "trk_internal.h"
#include "trk_s10.h"

void trk_config_defaults(trk_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->submission_prefix, sizeof(cfg->submission_prefix), "DH");
	snprintf(cfg->result_prefix, sizeof(cfg->result_prefix), "DK");
	snprintf(cfg->country, sizeof(cfg->country), "VN");
	snprintf(cfg->public_base_url, sizeof(cfg->public_base_url), "http://127.0.0.1:8080");
	cfg->tz_offset_minutes = 7 * 60;
	cfg->token_hours = 12;
	/* Provinces whose capitals are special or class-I cities (Circular 17/2017 Art 7(2)(e)). */
	snprintf(cfg->class1_provinces, sizeof(cfg->class1_provinces), "%s",
	         "Hà Nội,Hồ Chí Minh,Hải Phòng,Đà Nẵng,Cần Thơ,Thừa Thiên Huế,Huế,Khánh Hòa,"
	         "Lâm Đồng,Đắk Lắk,Bình Định,Nghệ An,Thái Nguyên,Quảng Ninh,Bà Rịa - Vũng Tàu,"
	         "Bình Dương,Đồng Nai,Thanh Hóa,Nam Định,Hải Dương,Việt Trì,Phú Thọ");
}

int64_t trk_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void uuid_format(uint8_t b[16], char out[37])
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;
	for (size_t i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[b[i] >> 4];
		out[o++] = hex[b[i] & 15];
	}
	out[o] = '\0';
}

void trk_uuid_v7(char out[37])
{
	uint8_t b[16];
	randombytes_buf(b, sizeof(b));
	uint64_t ms = (uint64_t)trk_now_ms();
	for (int i = 0; i < 6; i++)
		b[i] = (uint8_t)(ms >> (40 - 8 * i));
	b[6] = (uint8_t)((b[6] & 0x0f) | 0x70);
	b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
	uuid_format(b, out);
}

void trk_body_digest(const json_t *body, char out[65])
{
	/* trk_json_canonical gives json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS) byte for byte
	 * (tests/tracking/test_canon.c), so digests stored before it are still matched; jansson's
	 * dump cost an acceptance 90,000 instructions. */
	char local[4096];
	size_t len = 0;
	char *canon = trk_json_canonical(body, local, sizeof(local), &len);
	uint8_t h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(h, (const unsigned char *)(canon ? canon : ""), canon ? len : 0);
	if (canon != local)
		free(canon);
	sodium_bin2hex(out, 65, h, sizeof(h));
}

void trk_uuid_derived(const char *base, const char *suffix, char out[37])
{
	uint8_t h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256_state st;
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, (const unsigned char *)base, strlen(base));
	crypto_hash_sha256_update(&st, (const unsigned char *)"/", 1);
	crypto_hash_sha256_update(&st, (const unsigned char *)suffix, strlen(suffix));
	crypto_hash_sha256_final(&st, h);
	/* A version 7 base ("xxxxxxxx-xxxx-7..."): keep its time, the first 12 hex digits. Ids
	 * derived from other bases are as they always were, so retries of old requests still
	 * map to the ids recorded then. */
	uint8_t t[6];
	if (strlen(base) == 36 && base[14] == '7' && base[8] == '-' &&
	    sodium_hex2bin(t, 4, base, 8, NULL, NULL, NULL) == 0 &&
	    sodium_hex2bin(t + 4, 2, base + 9, 4, NULL, NULL, NULL) == 0)
		memcpy(h, t, sizeof(t));
	h[6] = (uint8_t)((h[6] & 0x0f) | 0x80);
	h[8] = (uint8_t)((h[8] & 0x3f) | 0x80);
	uuid_format(h, out);
}

static bool hex_decode(const char *hex, uint8_t *out, size_t n)
{
	size_t bin_len = 0;
	return strlen(hex) == n * 2 &&
	       sodium_hex2bin(out, n, hex, n * 2, NULL, &bin_len, NULL) == 0 && bin_len == n;
}

/* The serial key lives in the database so every daemon on it (and every restart) agrees. */
static hoso_status load_serial_key(db *dbh, uint8_t key[TRK_PERM_KEY_BYTES], hoso_err *err)
{
	char hex[2 * TRK_PERM_KEY_BYTES + 8];
	hoso_status st = db_setting_get(dbh, "serial_key", hex, sizeof(hex), err);
	if (st == HOSO_OK) {
		if (!hex_decode(hex, key, TRK_PERM_KEY_BYTES))
			return hoso_err_set(err, HOSO_INTERNAL, "bad_setting", "serial_key",
			                    "the stored serial_key is not %d hex digits",
			                    2 * TRK_PERM_KEY_BYTES);
		return HOSO_OK;
	}
	if (st != HOSO_NOT_FOUND)
		return st;
	hoso_err_clear(err);
	randombytes_buf(key, TRK_PERM_KEY_BYTES);
	sodium_bin2hex(hex, sizeof(hex), key, TRK_PERM_KEY_BYTES);
	st = db_begin(dbh, err);
	if (st != HOSO_OK)
		return st;
	/* Another daemon may have won the race: keep whichever key was stored first. */
	char existing[2 * TRK_PERM_KEY_BYTES + 8];
	if (db_setting_get(dbh, "serial_key", existing, sizeof(existing), NULL) == HOSO_OK) {
		db_rollback(dbh);
		return hex_decode(existing, key, TRK_PERM_KEY_BYTES)
		               ? HOSO_OK
		               : hoso_err_set(err, HOSO_INTERNAL, "bad_setting", "serial_key",
		                              "the stored serial_key is malformed");
	}
	st = db_setting_set(dbh, "serial_key", hex, err);
	if (st != HOSO_OK) {
		db_rollback(dbh);
		return st;
	}
	return db_commit(dbh, err);
}

/* Each prefix permutes with its own key, derived from the stored one. */
static trk_perm *prefix_perm(const uint8_t key[TRK_PERM_KEY_BYTES], const char *prefix)
{
	uint8_t h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256_state st;
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, key, TRK_PERM_KEY_BYTES);
	crypto_hash_sha256_update(&st, (const unsigned char *)prefix, strlen(prefix));
	crypto_hash_sha256_final(&st, h);
	trk_perm *p = trk_perm_create(h);
	sodium_memzero(h, sizeof(h));
	return p;
}

hoso_status trk_create(db *dbh, trk_calendar *cal, const trk_config *cfg, trk **out,
                       hoso_err *err)
{
	*out = NULL;
	if (sodium_init() < 0)
		return hoso_err_set(err, HOSO_INTERNAL, "sodium", NULL, "libsodium failed to start");
	char tn[16];
	if (trk_s10_format(cfg->submission_prefix, 0, cfg->country, tn, err) != HOSO_OK ||
	    trk_s10_format(cfg->result_prefix, 0, cfg->country, tn, err) != HOSO_OK)
		return HOSO_INVALID;
	trk *t = calloc(1, sizeof(*t));
	if (!t)
		return hoso_err_set(err, HOSO_INTERNAL, "out_of_memory", NULL, "out of memory");
	t->db = dbh;
	t->cal = cal;
	t->cfg = *cfg;
	uint8_t key[TRK_PERM_KEY_BYTES];
	hoso_status st = load_serial_key(dbh, key, err);
	if (st != HOSO_OK)
		goto fail_trk;
	t->perm_sub = prefix_perm(key, cfg->submission_prefix);
	t->perm_res = prefix_perm(key, cfg->result_prefix);
	sodium_memzero(key, sizeof(key));
	if (!t->perm_sub || !t->perm_res) {
		trk_perm_destroy(t->perm_sub);
		trk_perm_destroy(t->perm_res);
		st = hoso_err_set(err, HOSO_INTERNAL, "out_of_memory", NULL, "out of memory");
		goto fail_trk;
	}
	if (!(t->comps = trk_comp_cache_create())) {
		trk_perm_destroy(t->perm_sub);
		trk_perm_destroy(t->perm_res);
		st = hoso_err_set(err, HOSO_INTERNAL, "out_of_memory", NULL, "out of memory");
		goto fail_trk;
	}
	trk_auth_init_dummy(t);
	*out = t;
	return HOSO_OK;
fail_trk:
	free(t);
	return st;
}

void trk_destroy(trk *t)
{
	if (!t)
		return;
	trk_perm_destroy(t->perm_sub);
	trk_perm_destroy(t->perm_res);
	trk_comp_cache_destroy(t->comps);
	free(t);
}

void trk_set_public_base_url(trk *t, const char *url)
{
	snprintf(t->cfg.public_base_url, sizeof(t->cfg.public_base_url), "%s", url);
}

const trk_config *trk_get_config(const trk *t)
{
	return &t->cfg;
}

hoso_status trk_next_tracking_number(trk *t, const char *prefix, char out[16], hoso_err *err)
{
	char name[48];
	snprintf(name, sizeof(name), "serial:%.8s", prefix);
	int64_t n = 0;
	hoso_status st = db_sequence_next(t->db, name, &n, err);
	if (st != HOSO_OK)
		return st;
	if (n < 0 || n >= (int64_t)TRK_PERM_DOMAIN)
		return hoso_err_set(err, HOSO_UNAVAILABLE, "serials_exhausted", NULL,
		                    "every serial of prefix %s has been used; configure another "
		                    "prefix", prefix);
	const trk_perm *perm = strcmp(prefix, t->cfg.result_prefix) == 0 ? t->perm_res
	                                                                  : t->perm_sub;
	uint32_t serial = trk_perm_apply(perm, (uint32_t)n);
	return trk_s10_format(prefix, serial, t->cfg.country, out, err);
}

hoso_status trk_record_event(trk *t, db_item *item, db_event *ev, hoso_err *err)
{
	trk_role role;
	trk_state from, to;
	trk_event type;
	if (!trk_role_parse(item->role, &role))
		return hoso_err_set(err, HOSO_INTERNAL, "bad_row", "item",
		                    "item %s has an unknown role %s", item->tracking_number,
		                    item->role);
	if (item->state[0] == '\0')
		from = TRK_S_NONE;
	else if (!trk_state_parse(item->state, &from))
		return hoso_err_set(err, HOSO_INTERNAL, "bad_row", "item",
		                    "item %s has an unknown state %s", item->tracking_number,
		                    item->state);
	if (!trk_event_parse(ev->type, &type))
		return hoso_err_set(err, HOSO_INVALID, "unknown_event", "type",
		                    "unknown event type \"%.40s\"", ev->type);
	hoso_status st = trk_machine_step(item->tracking_number, role, from, type, &to, err);
	if (st != HOSO_OK)
		return st;
	text_copy(ev->tracking_number, sizeof(ev->tracking_number), item->tracking_number);
	text_copy(ev->state_from, sizeof(ev->state_from), trk_state_name(from));
	text_copy(ev->state_to, sizeof(ev->state_to), trk_state_name(to));
	memcpy(ev->prev_hash, item->last_hash, 32);
	if (!trk_chain_hash(ev->prev_hash, ev, ev->hash))
		return hoso_err_set(err, HOSO_INTERNAL, "out_of_memory", NULL, "out of memory");
	st = db_event_insert(t->db, ev, err);
	if (st != HOSO_OK)
		return st;
	st = db_item_advance(t->db, item->tracking_number, ev->state_to, ev->seq, ev->hash,
	                     ev->server_time, err);
	if (st != HOSO_OK)
		return st;
	text_copy(item->state, sizeof(item->state), ev->state_to);
	item->last_seq = ev->seq;
	memcpy(item->last_hash, ev->hash, 32);
	item->updated_at = ev->server_time;
	return HOSO_OK;
}

void trk_format_time(const trk *t, int64_t ms, char out[32])
{
	int off = t->cfg.tz_offset_minutes;
	time_t secs = (time_t)(ms / 1000) + (time_t)off * 60;
	struct tm tm;
	gmtime_r(&secs, &tm);
	char base[24];
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	int a = (off < 0 ? -off : off) % (24 * 60);
	snprintf(out, 32, "%.19s%c%02d:%02d", base, off < 0 ? '-' : '+', a / 60, a % 60);
}

void trk_format_time_vn(const trk *t, int64_t ms, char out[20])
{
	char iso[32];
	trk_format_time(t, ms, iso);
	/* iso is YYYY-MM-DDTHH:MM:SS+07:00 */
	snprintf(out, 20, "%.5s %.2s/%.2s/%.4s", iso + 11, iso + 8, iso + 5, iso);
}

bool trk_actor_sees_dossier(const trk_actor *a, const db_dossier *d)
{
	if (!a)
		return true;
	if (strcmp(a->role, "agency") == 0)
		return strcmp(a->agency_code, d->agency_code) == 0;
	return true;
}
