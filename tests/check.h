/* check.h — a tiny assertion kit for hoso's unit tests. Each CHECK counts; a test binary
 * exits 1 if any failed and prints "N passed, N failed". */
#ifndef HOSO_CHECK_H
#define HOSO_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_passed, check_failed;

#define CHECK(cond) do { \
	if (cond) { check_passed++; } \
	else { check_failed++; fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); } \
} while (0)

#define CHECK_STR(a, b) do { \
	const char *check_a_ = (a), *check_b_ = (b); \
	if (check_a_ && check_b_ && strcmp(check_a_, check_b_) == 0) { check_passed++; } \
	else { check_failed++; fprintf(stderr, "%s:%d: CHECK_STR failed: %s == \"%s\", expected \"%s\"\n", \
	       __FILE__, __LINE__, #a, check_a_ ? check_a_ : "(null)", check_b_ ? check_b_ : "(null)"); } \
} while (0)

#define CHECK_INT(a, b) do { \
	long long check_a_ = (long long)(a), check_b_ = (long long)(b); \
	if (check_a_ == check_b_) { check_passed++; } \
	else { check_failed++; fprintf(stderr, "%s:%d: CHECK_INT failed: %s == %lld, expected %lld\n", \
	       __FILE__, __LINE__, #a, check_a_, check_b_); } \
} while (0)

/* Prints the tally and returns the exit status for main(). A test that checked nothing fails. */
static inline int check_done(void)
{
	printf("%d passed, %d failed\n", check_passed, check_failed);
	return (check_failed == 0 && check_passed > 0) ? 0 : 1;
}

#endif
