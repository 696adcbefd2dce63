/* inproc.c — the batch path of POST /api/v1/events without HTTP: times trk_events_record on
 * batches of 100 "dispatch" events, for profiling (perf, callgrind) on a loaded machine where
 * the HTTP benchmark (run.py) is noisy. Not built by meson; from the source tree:
 *
 *   cc -O2 -g -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Itracking -Idb -Icommon \
 *      -Ibuild bench/events/inproc.c build/tracking/libhoso_tracking.a build/db/libhoso_db.a \
 *      build/common/libhoso_common.a -lsqlite3 -ljansson -lsodium -lpthread -lm -o /tmp/inproc
 *   build/dispatch/hoso init --db /tmp/t.db --demo
 *   /tmp/inproc prepare /tmp/t.db 3000      # dossiers accepted by the demo clerk
 *   cp /tmp/t.db /tmp/r.db; /tmp/inproc run /tmp/r.db 3000
 *   valgrind --tool=callgrind --toggle-collect=trk_events_record /tmp/inproc run /tmp/r.db 3000
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "log.h"
#include "trk.h"
#include "trk_custody.h"
#include "trk_internal.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what, const hoso_err *e)
{
	fprintf(stderr, "%s: %s\n", what, e->message);
	exit(1);
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: inproc prepare|run DB N\n");
		return 2;
	}
	int n = atoi(argv[3]);
	log_set_level(LOG_WARN);
	hoso_err err;
	hoso_err_clear(&err);
	db *d;
	if (db_open(argv[2], &d, &err) != HOSO_OK)
		die("open", &err);
	trk_calendar *cal = trk_calendar_create();
	trk_config cfg;
	trk_config_defaults(&cfg);
	trk *t;
	if (trk_create(d, cal, &cfg, &t, &err) != HOSO_OK)
		die("trk", &err);
	char token[65];
	trk_actor clerk, courier;
	if (trk_login(t, "clerk", "demo-clerk-2026", token, &clerk, &err) != HOSO_OK ||
	    trk_login(t, "courier", "demo-courier-2026", token, &courier, &err) != HOSO_OK)
		die("login", &err);
	if (strcmp(argv[1], "prepare") == 0) {
		json_t *body = json_loads(
			"{\"procedure_code\": \"2.000488\", \"service\": \"send\", \"applicant\": "
			"{\"kind\": \"person\", \"name\": \"Nguyễn Văn Anh\", \"phone\": \"0905 123 456\", "
			"\"id_number\": \"064090001234\", \"address\": \"12 Trần Hưng Đạo, Pleiku\"}, "
			"\"documents\": [{\"name\": \"Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp (Mẫu số 03/2024/LLTP hoặc Mẫu số 04/2024/LLTP)\", \"form\": \"original\"}, "
			"{\"name\": \"Bản chụp Thẻ căn cước, Căn cước công dân hoặc Hộ chiếu của người được cấp Phiếu\", \"form\": \"copy\"}], \"postage_vnd\": 28000, "
			"\"fee_vnd\": 200000, \"notes\": \"Hồ sơ gửi qua bưu điện\"}", 0, NULL);
		for (int i = 0; i < n; i++) {
			json_t *out = NULL;
			bool created;
			if (trk_dossier_accept(t, &clerk, body, &out, &created, &err) != HOSO_OK)
				die("accept", &err);
			json_decref(out);
		}
		json_decref(body);
	} else {
		/* The items, in creation order, from the dossiers table. */
		db_dossier_filter f = {.limit = 1000};
		char (*tns)[16] = calloc((size_t)n, 16);
		int have = 0;
		int64_t before = 0;
		while (have < n) {
			db_dossier *rows;
			size_t k;
			f.before_id = before;
			if (db_dossier_list(d, &f, &rows, &k, &err) != HOSO_OK)
				die("list", &err);
			if (k == 0)
				break;
			for (size_t i = 0; i < k && have < n; i++) {
				db_item its[2];
				size_t m;
				if (db_items_of_dossier(d, rows[i].id, its, &m, &err) != HOSO_OK)
					die("items", &err);
				if (m > 0)
					memcpy(tns[have++], its[0].tracking_number, 16);
				before = rows[i].id;
			}
			free(rows);
		}
		double total = 0;
		int recorded = 0;
		for (int b = 0; b + 100 <= have; b += 100) {
			json_t *evs = json_array();
			for (int i = b; i < b + 100; i++) {
				char id[37];
				trk_uuid_v7(id);
				json_array_append_new(evs, json_pack("{s:s, s:s, s:s}", "id", id, "item",
				                                     tns[i], "type", "dispatch"));
			}
			json_t *body = json_pack("{s:o}", "events", evs);
			json_t *out = NULL;
			hoso_status single;
			double t0 = now();
			if (trk_events_record(t, &courier, body, &out, &single, &err) != HOSO_OK)
				die("events", &err);
			total += now() - t0;
			json_t *res = json_object_get(out, "results");
			for (size_t i = 0; i < json_array_size(res); i++)
				recorded += !strcmp(json_string_value(json_object_get(
				                            json_array_get(res, i), "status")), "recorded");
			json_decref(out);
			json_decref(body);
		}
		printf("%d events recorded of %d, %.1f us/event (wall, incl. commit)\n", recorded,
		       have - have % 100, total * 1e6 / (have - have % 100));
	}
	trk_destroy(t);
	trk_calendar_destroy(cal);
	db_close(d);
	return 0;
}
