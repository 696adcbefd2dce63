/* test_machine.c — tracking/machine.c: every (role, state, event) triple against a list of
 * legal transitions written out here from DESIGN.md §1, names, and the refusal messages. */
#include <string.h>

#include "check.h"
#include "trk_machine.h"

/* The legal transitions, by name, independent of the table in machine.c. */
static const struct { const char *role, *from, *event, *to; } legal[] = {
	{"submission", "", "accept", "ACCEPTED"},
	{"submission", "", "pickup", "ACCEPTED"},
	{"submission", "ACCEPTED", "dispatch", "IN_TRANSIT"},
	{"submission", "IN_TRANSIT", "handover", "AT_AGENCY"},
	{"submission", "AT_AGENCY", "agency_receipt", "RECEIVED"},
	{"submission", "AT_AGENCY", "agency_reject", "RETURNED_INCOMPLETE"},
	{"result", "", "accept", "AWAITING_RESULT"},
	{"result", "AWAITING_RESULT", "collect", "COLLECTED"},
	{"result", "COLLECTED", "arrive", "AT_OFFICE"},
	{"result", "AT_OFFICE", "out", "OUT_FOR_DELIVERY"},
	{"result", "AT_OFFICE", "hold", "HELD"},
	{"result", "OUT_FOR_DELIVERY", "deliver", "DELIVERED"},
	{"result", "OUT_FOR_DELIVERY", "attempt", "ATTEMPT_FAILED"},
	{"result", "ATTEMPT_FAILED", "out", "OUT_FOR_DELIVERY"},
	{"result", "ATTEMPT_FAILED", "hold", "HELD"},
	{"result", "HELD", "deliver", "DELIVERED"},
	{"result", "HELD", "return", "RETURNED_TO_AGENCY"},
};
#define N_LEGAL (sizeof(legal) / sizeof(legal[0]))

static const char *const all_states[] = {
	"", "ACCEPTED", "IN_TRANSIT", "AT_AGENCY", "RECEIVED", "RETURNED_INCOMPLETE",
	"AWAITING_RESULT", "COLLECTED", "AT_OFFICE", "OUT_FOR_DELIVERY", "ATTEMPT_FAILED",
	"HELD", "DELIVERED", "RETURNED_TO_AGENCY",
};
static const char *const all_events[] = {
	"accept", "pickup", "dispatch", "handover", "agency_receipt", "agency_reject", "collect",
	"arrive", "out", "attempt", "hold", "deliver", "return",
};

/* The expected next state's name, or NULL when the triple is illegal. */
static const char *expected(const char *role, const char *from, const char *event)
{
	for (size_t i = 0; i < N_LEGAL; i++)
		if (!strcmp(legal[i].role, role) && !strcmp(legal[i].from, from) &&
		    !strcmp(legal[i].event, event))
			return legal[i].to;
	return NULL;
}

static void test_names(void)
{
	CHECK_INT(sizeof(all_states) / sizeof(all_states[0]), TRK_STATE_COUNT);
	CHECK_INT(sizeof(all_events) / sizeof(all_events[0]), TRK_EVENT_COUNT);
	for (int s = 0; s < TRK_STATE_COUNT; s++) {
		CHECK_STR(trk_state_name((trk_state)s), all_states[s]);
		trk_state back = TRK_STATE_COUNT;
		CHECK(s == 0 ? !trk_state_parse(all_states[s], &back)
		             : trk_state_parse(all_states[s], &back) && back == (trk_state)s);
	}
	for (int e = 0; e < TRK_EVENT_COUNT; e++) {
		CHECK_STR(trk_event_name((trk_event)e), all_events[e]);
		trk_event back = TRK_EVENT_COUNT;
		CHECK(trk_event_parse(all_events[e], &back) && back == (trk_event)e);
	}
	trk_role r;
	CHECK(trk_role_parse("submission", &r) && r == TRK_SUBMISSION);
	CHECK(trk_role_parse("result", &r) && r == TRK_RESULT);
	CHECK_STR(trk_role_name(TRK_RESULT), "result");
	trk_state s;
	trk_event e;
	CHECK(!trk_state_parse("accepted", &s));       /* case-sensitive */
	CHECK(!trk_state_parse("NONE", &s));
	CHECK(!trk_state_parse(NULL, &s));
	CHECK(!trk_event_parse("Accept", &e));
	CHECK(!trk_event_parse("", &e));
	CHECK(!trk_event_parse("accept ", &e));
	CHECK(!trk_role_parse("Result", &r));
	CHECK_STR(trk_state_name((trk_state)99), "?");
}

static void test_every_triple(void)
{
	size_t legal_seen = 0, mismatches = 0;
	for (int r = 0; r < TRK_ROLE_COUNT; r++)
		for (int s = 0; s < TRK_STATE_COUNT; s++) {
			size_t want_allowed = 0;
			for (int e = 0; e < TRK_EVENT_COUNT; e++) {
				const char *want = expected(trk_role_name((trk_role)r), all_states[s],
				                            all_events[e]);
				trk_state got = trk_machine_next((trk_role)r, (trk_state)s,
				                                 (trk_event)e);
				trk_state step_to = TRK_S_NONE;
				hoso_err err;
				hoso_err_clear(&err);
				hoso_status st = trk_machine_step("DH123456785VN", (trk_role)r,
				                                  (trk_state)s, (trk_event)e, &step_to,
				                                  &err);
				if (want) {
					legal_seen++;
					want_allowed++;
					if (strcmp(trk_state_name(got), want) != 0 || st != HOSO_OK ||
					    step_to != got)
						mismatches++;
				} else if (got != TRK_S_NONE || st != HOSO_CONFLICT ||
				           strcmp(err.code, "illegal_transition") != 0 ||
				           step_to != TRK_S_NONE || err.message[0] == '\0') {
					mismatches++;
				}
				if (mismatches == 1 && (want ? st != HOSO_OK : st == HOSO_OK))
					fprintf(stderr, "triple %s %s %s\n", trk_role_name((trk_role)r),
					        all_states[s], all_events[e]);
			}
			/* trk_machine_allowed agrees with the table, in event order */
			trk_event out[TRK_EVENT_COUNT];
			size_t n = trk_machine_allowed((trk_role)r, (trk_state)s, out,
			                               TRK_EVENT_COUNT);
			CHECK_INT(n, want_allowed);
			for (size_t i = 0; i < n && i < TRK_EVENT_COUNT; i++)
				CHECK(expected(trk_role_name((trk_role)r), all_states[s],
				               all_events[out[i]]) != NULL);
			for (size_t i = 1; i < n; i++)
				CHECK(out[i - 1] < out[i]);
			CHECK_INT(trk_machine_allowed((trk_role)r, (trk_state)s, NULL, 0), n);
		}
	CHECK_INT(legal_seen, N_LEGAL);
	CHECK_INT(mismatches, 0);
	CHECK_INT(TRK_ROLE_COUNT * TRK_STATE_COUNT * TRK_EVENT_COUNT, 2 * 14 * 13);
	/* Out-of-range values are refused, never read outside the table. */
	CHECK_INT(trk_machine_next((trk_role)5, TRK_S_NONE, TRK_E_ACCEPT), TRK_S_NONE);
	CHECK_INT(trk_machine_next(TRK_RESULT, (trk_state)40, TRK_E_ACCEPT), TRK_S_NONE);
	CHECK_INT(trk_machine_next(TRK_RESULT, TRK_S_NONE, (trk_event)-1), TRK_S_NONE);
}

static void test_messages(void)
{
	hoso_err err;
	trk_state next = TRK_S_NONE;
	CHECK_INT(trk_machine_step("DH123456785VN", TRK_SUBMISSION, TRK_S_IN_TRANSIT,
	                           TRK_E_ACCEPT, &next, &err), HOSO_CONFLICT);
	CHECK_STR(err.message,
	          "item DH123456785VN is IN_TRANSIT: event \"accept\" is not allowed; "
	          "allowed: handover");
	CHECK_STR(err.code, "illegal_transition");
	CHECK_INT(err.status, HOSO_CONFLICT);

	CHECK_INT(trk_machine_step("DH123456785VN", TRK_RESULT, TRK_S_HELD, TRK_E_OUT, &next,
	                           &err), HOSO_CONFLICT);
	CHECK_STR(err.message, "item DH123456785VN is HELD: event \"out\" is not allowed; "
	                       "allowed: deliver, return");

	CHECK_INT(trk_machine_step("DH123456785VN", TRK_RESULT, TRK_S_DELIVERED,
	                           TRK_E_DELIVER, &next, &err), HOSO_CONFLICT);
	CHECK(strstr(err.message, "is DELIVERED") != NULL);
	CHECK(strstr(err.message, "no event is allowed, the item is closed") != NULL);

	CHECK_INT(trk_machine_step("DH123456785VN", TRK_SUBMISSION, TRK_S_NONE,
	                           TRK_E_DISPATCH, &next, &err), HOSO_CONFLICT);
	CHECK(strstr(err.message, "allowed: accept, pickup") != NULL);

	CHECK_INT(trk_machine_step("DH123456785VN", TRK_SUBMISSION, TRK_S_HELD, TRK_E_DELIVER,
	                           &next, &err), HOSO_CONFLICT);
	CHECK(strstr(err.message, "never reaches") != NULL);

	CHECK_INT(trk_machine_step("DH123456785VN", TRK_RESULT, TRK_S_ATTEMPT_FAILED,
	                           TRK_E_HOLD, &next, NULL), HOSO_OK);
	CHECK_INT(next, TRK_S_HELD);
	CHECK_INT(trk_machine_step("DH123456785VN", TRK_RESULT, TRK_S_HELD, TRK_E_HOLD, NULL,
	                           NULL), HOSO_CONFLICT);

	/* A full walk of each role. */
	static const trk_event sub[] = {TRK_E_PICKUP, TRK_E_DISPATCH, TRK_E_HANDOVER,
	                                TRK_E_AGENCY_RECEIPT};
	static const trk_event res[] = {TRK_E_ACCEPT, TRK_E_COLLECT, TRK_E_ARRIVE, TRK_E_OUT,
	                                TRK_E_ATTEMPT, TRK_E_OUT, TRK_E_ATTEMPT, TRK_E_HOLD,
	                                TRK_E_RETURN};
	trk_state s = TRK_S_NONE;
	for (size_t i = 0; i < sizeof(sub) / sizeof(sub[0]); i++)
		CHECK_INT(trk_machine_step("DH123456785VN", TRK_SUBMISSION, s, sub[i], &s, NULL),
		          HOSO_OK);
	CHECK_INT(s, TRK_S_RECEIVED);
	s = TRK_S_NONE;
	for (size_t i = 0; i < sizeof(res) / sizeof(res[0]); i++)
		CHECK_INT(trk_machine_step("DZ000000005VN", TRK_RESULT, s, res[i], &s, NULL),
		          HOSO_OK);
	CHECK_INT(s, TRK_S_RETURNED_TO_AGENCY);
}

int main(void)
{
	test_names();
	test_every_triple();
	test_messages();
	return check_done();
}
