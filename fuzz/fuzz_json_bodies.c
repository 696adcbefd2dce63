/* fuzz_json_bodies — the JSON body of every write use case, parsed as dispatch/http.c parses
 * it and run against a real database with the demo catalogue and users.
 *
 * Input: one control byte, then the body. Control bits 0-2 pick the use case (modulo 6):
 * dossier accept, events, manifest create, manifest confirm, pickup create, result ready.
 * Bits 3-5 prepare a fresh dossier first (0 none, 1 accepted, 2 on a manifest, 3 confirmed
 * at the agency, 4 and above received by it); bits 6-7 pick the actor (0 the use case's own,
 * 1 courier, 2 agency officer, 3 clerk). In the body "$S" and "$R" stand for the prepared
 * dossier's submission and result tracking numbers, "$D" for its id and "$M" for its
 * manifest's id; manifest confirm and result ready act on that manifest and dossier (id 1
 * without one). The database grows from run to run; nothing is reset. */
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fuzz.h"
#include "trk_custody.h"

enum { UC_ACCEPT, UC_EVENTS, UC_MANIFEST, UC_CONFIRM, UC_PICKUP, UC_RESULT, UC_COUNT };

typedef struct prepared {
	char sub[32], res[32];
	int64_t dossier_id, manifest_id;
} prepared;

static const char good_dossier[] =
	"{\"procedure_code\": \"2.000488\", \"service\": \"both\", \"applicant\": {\"kind\": "
	"\"person\", \"name\": \"Nguyễn Văn Anh\", \"phone\": \"0905 123 456\", \"id_number\": "
	"\"064090001234\", \"address\": \"12 Trần Hưng Đạo, phường Tây Sơn, thành phố Pleiku\"}, "
	"\"documents\": [{\"name\": \"Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp (Mẫu số "
	"03/2024/LLTP hoặc Mẫu số 04/2024/LLTP)\", \"form\": \"original\"}, {\"name\": \"Bản "
	"chụp Thẻ căn cước, Căn cước công dân hoặc Hộ chiếu của người được cấp Phiếu\", "
	"\"form\": \"copy\"}], \"postage_vnd\": 28000, \"fee_vnd\": 200000}";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_app_get();
	return 0;
}

static json_t *parse(const char *text)
{
	json_error_t jerr;
	json_t *j = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
	if (!j)
		fuzz_fail("fixture JSON: %s", jerr.text);
	return j;
}

static int64_t id_of(const json_t *out)
{
	return (int64_t)json_integer_value(json_object_get(out, "id"));
}

/* Makes a dossier and moves it up to `level` (see the top of the file). */
static void prepare(fuzz_app *a, int level, prepared *p)
{
	static unsigned long event_no;
	hoso_err err;
	json_t *body = parse(good_dossier), *out = NULL;
	bool created;
	if (trk_dossier_accept(a->trk, &a->clerk, body, &out, &created, &err) != HOSO_OK)
		fuzz_fail("prepare accept: %s", err.message);
	json_decref(body);
	p->dossier_id = id_of(out);
	size_t i;
	json_t *item;
	json_array_foreach(json_object_get(out, "items"), i, item) {
		const char *role = json_string_value(json_object_get(item, "role"));
		const char *tn = json_string_value(json_object_get(item, "tracking_number"));
		if (role && tn)
			snprintf(!strcmp(role, "result") ? p->res : p->sub, sizeof(p->sub), "%s", tn);
	}
	json_decref(out);
	if (level < 2)
		return;
	body = json_pack("{s:s, s:[s]}", "agency_code", "000.00.12.H21", "items", p->sub);
	if (trk_manifest_create(a->trk, &a->courier, body, &out, &created, &err) != HOSO_OK)
		fuzz_fail("prepare manifest: %s", err.message);
	json_decref(body);
	p->manifest_id = id_of(out);
	json_decref(out);
	if (level < 3)
		return;
	body = parse("{\"received\": \"all\", \"fees_received_vnd\": 200000}");
	if (trk_manifest_confirm(a->trk, &a->officer, p->manifest_id, body, &out, &err) != HOSO_OK)
		fuzz_fail("prepare confirm: %s", err.message);
	json_decref(body);
	json_decref(out);
	if (level < 4)
		return;
	char id[40], appt[16];
	/* Not an id the fuzzer could have sent first: this process's random prefix. */
	static uint32_t nonce;
	if (!nonce)
		nonce = randombytes_random() | 1u;
	snprintf(id, sizeof(id), "%08lx-0000-4000-8000-%012lx", (unsigned long)nonce, ++event_no);
	time_t later = time(NULL) + 10 * 86400;
	struct tm tm;
	gmtime_r(&later, &tm);
	strftime(appt, sizeof(appt), "%Y-%m-%d", &tm);
	body = json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", id, "item", p->sub, "type",
	                 "agency_receipt", "receipt_number", "000.00.12.H21-261127-0001",
	                 "appointment_date", appt);
	hoso_status single;
	if (trk_events_record(a->trk, &a->officer, body, &out, &single, &err) != HOSO_OK ||
	    single != HOSO_OK)
		fuzz_fail("prepare agency_receipt: %s", err.message);
	json_decref(body);
	json_decref(out);
}

/* The body with the placeholders replaced (malloc'd, NUL-terminated; *len its length). */
static char *substitute(const uint8_t *data, size_t size, const prepared *p, size_t *len)
{
	char *s = malloc(size * 24 + 1);
	if (!s)
		return NULL;
	size_t o = 0;
	for (size_t i = 0; i < size; i++) {
		char num[24] = "";
		const char *rep = NULL;
		if (data[i] == '$' && i + 1 < size) {
			switch (data[i + 1]) {
			case 'S': rep = p->sub; break;
			case 'R': rep = p->res; break;
			case 'D': snprintf(num, sizeof(num), "%lld", (long long)p->dossier_id);
				rep = num; break;
			case 'M': snprintf(num, sizeof(num), "%lld", (long long)p->manifest_id);
				rep = num; break;
			default: break;
			}
		}
		if (rep) {
			size_t n = strlen(rep);
			memcpy(s + o, rep, n);
			o += n;
			i++;
		} else {
			s[o++] = (char)data[i];
		}
	}
	s[o] = '\0';
	*len = o;
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	fuzz_app *a = fuzz_app_get();
	int uc = (data[0] & 7) % UC_COUNT, level = (data[0] >> 3) & 7, who = data[0] >> 6;
	prepared p = {.dossier_id = 1, .manifest_id = 1};
	if (level > 0)
		prepare(a, level, &p);
	size_t len;
	char *text = substitute(data + 1, size - 1, &p, &len);
	if (!text)
		return 0;
	/* As dispatch/http.c: an empty body, bad JSON or a non-object never reach a use case. */
	json_error_t jerr;
	json_t *body = len ? json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr) : NULL;
	free(text);
	if (!body || !json_is_object(body)) {
		json_decref(body);
		return 0;
	}
	static const trk_actor *own[UC_COUNT];
	own[UC_ACCEPT] = &a->clerk;
	own[UC_EVENTS] = &a->courier;
	own[UC_MANIFEST] = &a->courier;
	own[UC_CONFIRM] = &a->officer;
	own[UC_PICKUP] = &a->clerk;
	own[UC_RESULT] = &a->officer;
	const trk_actor *actors[4] = {own[uc], &a->courier, &a->officer, &a->clerk};
	const trk_actor *actor = actors[who];

	hoso_err err;
	hoso_err_clear(&err);
	json_t *out = NULL;
	bool created = false;
	hoso_status st = HOSO_INTERNAL, single = HOSO_OK;
	switch (uc) {
	case UC_ACCEPT:
		st = trk_dossier_accept(a->trk, actor, body, &out, &created, &err);
		break;
	case UC_EVENTS:
		st = trk_events_record(a->trk, actor, body, &out, &single, &err);
		break;
	case UC_MANIFEST:
		st = trk_manifest_create(a->trk, actor, body, &out, &created, &err);
		break;
	case UC_CONFIRM:
		st = trk_manifest_confirm(a->trk, actor, p.manifest_id, body, &out, &err);
		break;
	case UC_PICKUP:
		st = trk_pickup_create(a->trk, actor, body, &out, &created, &err);
		break;
	default:
		st = trk_result_ready(a->trk, actor, p.dossier_id, body, &out, &err);
		break;
	}
	if (st == HOSO_OK) {
		if (!out)
			fuzz_fail("use case %d answered OK without a body", uc);
		char *dump = json_dumps(out, JSON_COMPACT);
		if (!dump)
			fuzz_fail("use case %d answered JSON that cannot be written", uc);
		free(dump);
	} else if (!err.message[0] || st == HOSO_INTERNAL) {
		fuzz_fail("use case %d failed with %s and message \"%s\"", uc, hoso_status_name(st),
		          err.message);
	}
	json_decref(out);
	json_decref(body);
	return 0;
}
