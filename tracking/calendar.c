/* calendar.c — civil dates (Howard Hinnant's days_from_civil / civil_from_days) and working
 * days: Monday to Friday, less a sorted list of holidays. */
#include "trk_calendar.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Floor division and modulo, for days and ms before the epoch. */
static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

trk_date trk_date_from_ymd(int year, int month, int day)
{
	int64_t y = (int64_t)year - (month <= 2);
	int64_t era = floor_div(y, 400);
	int64_t yoe = y - era * 400;                                   /* [0, 399] */
	int64_t mp = (month + 9) % 12;                                 /* March = 0 */
	int64_t doy = (153 * mp + 2) / 5 + day - 1;                    /* [0, 365] */
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;           /* [0, 146096] */
	return (trk_date)(era * 146097 + doe - 719468);
}

void trk_date_to_ymd(trk_date d, int *year, int *month, int *day)
{
	int64_t z = (int64_t)d + 719468;
	int64_t era = floor_div(z, 146097);
	int64_t doe = z - era * 146097;                                      /* [0, 146096] */
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               /* [0, 365] */
	int64_t mp = (5 * doy + 2) / 153;                                    /* [0, 11] */
	int64_t dd = doy - (153 * mp + 2) / 5 + 1;                           /* [1, 31] */
	int64_t mm = mp < 10 ? mp + 3 : mp - 9;                              /* [1, 12] */
	*year = (int)(yoe + era * 400 + (mm <= 2));
	*month = (int)mm;
	*day = (int)dd;
}

static int days_in_month(int year, int month)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
	return month == 2 && leap ? 29 : days[month - 1];
}

static int digits(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

bool trk_date_parse(const char *s, trk_date *out)
{
	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	int y = digits(s, 4), m = digits(s + 5, 2), d = digits(s + 8, 2);
	if (y < 1 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
		return false;
	*out = trk_date_from_ymd(y, m, d);
	return true;
}

/* Writes v as n decimal digits (v is reduced mod 10^n). */
static void put_digits(char *out, int v, int n)
{
	unsigned u = (unsigned)(v < 0 ? -v : v);
	for (int i = n - 1; i >= 0; i--) {
		out[i] = (char)('0' + u % 10);
		u /= 10;
	}
}

void trk_date_format(trk_date d, char buf[11])
{
	int y, m, dd;
	trk_date_to_ymd(d, &y, &m, &dd);
	put_digits(buf, y, 4);
	buf[4] = '-';
	put_digits(buf + 5, m, 2);
	buf[7] = '-';
	put_digits(buf + 8, dd, 2);
	buf[10] = '\0';
}

void trk_date_format_vn(trk_date d, char buf[11])
{
	int y, m, dd;
	trk_date_to_ymd(d, &y, &m, &dd);
	put_digits(buf, dd, 2);
	buf[2] = '/';
	put_digits(buf + 3, m, 2);
	buf[5] = '/';
	put_digits(buf + 6, y, 4);
	buf[10] = '\0';
}

int trk_date_weekday(trk_date d)
{
	/* 1970-01-01 was a Thursday (3 when Monday is 0). */
	int64_t w = ((int64_t)d + 3) % 7;
	return (int)(w < 0 ? w + 7 : w);
}

trk_date trk_date_of_ms(int64_t ms, int offset_minutes)
{
	return (trk_date)floor_div(ms + (int64_t)offset_minutes * 60000, 86400000);
}

/* ---- calendar ------------------------------------------------------------------------ */

struct trk_calendar {
	trk_date *days;   /* holidays, sorted, no duplicates */
	size_t n, cap;
};

trk_calendar *trk_calendar_create(void)
{
	return calloc(1, sizeof(trk_calendar));
}

void trk_calendar_destroy(trk_calendar *cal)
{
	if (!cal)
		return;
	free(cal->days);
	free(cal);
}

/* Index of the first holiday >= d. */
static size_t lower_bound(const trk_calendar *cal, trk_date d)
{
	size_t lo = 0, hi = cal->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (cal->days[mid] < d)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static bool is_holiday(const trk_calendar *cal, trk_date d)
{
	size_t i = lower_bound(cal, d);
	return i < cal->n && cal->days[i] == d;
}

static bool reserve(trk_calendar *cal, size_t extra)
{
	if (cal->n + extra <= cal->cap)
		return true;
	size_t cap = cal->cap ? cal->cap : 32;
	while (cap < cal->n + extra)
		cap *= 2;
	trk_date *p = realloc(cal->days, cap * sizeof(*p));
	if (!p)
		return false;
	cal->days = p;
	cal->cap = cap;
	return true;
}

hoso_status trk_calendar_add_holiday(trk_calendar *cal, trk_date d, hoso_err *err)
{
	size_t i = lower_bound(cal, d);
	if (i < cal->n && cal->days[i] == d)
		return HOSO_OK;
	if (!reserve(cal, 1))
		return hoso_err_set(err, HOSO_INTERNAL, "out_of_memory", NULL,
		                    "out of memory adding a holiday");
	memmove(cal->days + i + 1, cal->days + i, (cal->n - i) * sizeof(*cal->days));
	cal->days[i] = d;
	cal->n++;
	return HOSO_OK;
}

static int cmp_date(const void *a, const void *b)
{
	trk_date x = *(const trk_date *)a, y = *(const trk_date *)b;
	return (x > y) - (x < y);
}

/* Parses one line of a holiday file into *out; returns false with why set on a bad line,
 * true with *has = false on a blank or comment line. */
static bool parse_line(char *line, trk_date *out, bool *has, const char **why)
{
	size_t len = strlen(line);
	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		line[--len] = '\0';
	char *p = line;
	while (*p == ' ' || *p == '\t')
		p++;
	*has = false;
	if (*p == '\0' || *p == '#')
		return true;
	if (strlen(p) < 10) {
		*why = "expected \"YYYY-MM-DD name\"";
		return false;
	}
	char date[11];
	memcpy(date, p, 10);
	date[10] = '\0';
	if (p[10] != '\0' && p[10] != ' ' && p[10] != '\t') {
		*why = "the date must be followed by a space and the holiday's name";
		return false;
	}
	if (!trk_date_parse(date, out)) {
		*why = "not a real date in the form YYYY-MM-DD";
		return false;
	}
	*has = true;
	return true;
}

hoso_status trk_calendar_load(trk_calendar *cal, const char *path, hoso_err *err)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return hoso_err_set(err, errno == ENOENT ? HOSO_NOT_FOUND : HOSO_INTERNAL,
		                    "holidays_unreadable", NULL, "cannot open holiday file %s: %s",
		                    path, strerror(errno));
	trk_date *days = NULL;
	size_t n = 0, cap = 0, lineno = 0, linecap = 0;
	char *line = NULL;
	hoso_status st = HOSO_OK;
	while (getline(&line, &linecap, f) != -1) {
		lineno++;
		trk_date d;
		bool has;
		const char *why = NULL;
		if (!parse_line(line, &d, &has, &why)) {
			st = hoso_err_set(err, HOSO_INVALID, "invalid_holiday", NULL, "%s:%zu: %s",
			                  path, lineno, why);
			goto out;
		}
		if (!has)
			continue;
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			trk_date *p = realloc(days, ncap * sizeof(*p));
			if (!p) {
				st = hoso_err_set(err, HOSO_INTERNAL, "out_of_memory", NULL,
				                  "%s:%zu: out of memory", path, lineno);
				goto out;
			}
			days = p;
			cap = ncap;
		}
		days[n++] = d;
	}
	if (ferror(f)) {
		st = hoso_err_set(err, HOSO_INTERNAL, "holidays_unreadable", NULL,
		                  "%s:%zu: read error", path, lineno + 1);
		goto out;
	}
	/* All lines are good: merge them in one step that cannot fail half-way. */
	if (n > 0) {
		if (!reserve(cal, n)) {
			st = hoso_err_set(err, HOSO_INTERNAL, "out_of_memory", NULL,
			                  "out of memory loading %s", path);
			goto out;
		}
		memcpy(cal->days + cal->n, days, n * sizeof(*days));
		cal->n += n;
		qsort(cal->days, cal->n, sizeof(*cal->days), cmp_date);
		size_t w = 0;
		for (size_t i = 0; i < cal->n; i++)
			if (w == 0 || cal->days[w - 1] != cal->days[i])
				cal->days[w++] = cal->days[i];
		cal->n = w;
	}
out:
	free(line);
	free(days);
	fclose(f);
	return st;
}

bool trk_calendar_is_working_day(const trk_calendar *cal, trk_date d)
{
	return trk_date_weekday(d) < 5 && !is_holiday(cal, d);
}

trk_date trk_calendar_add_working_days(const trk_calendar *cal, trk_date d, int n)
{
	if (n <= 0) {
		while (!trk_calendar_is_working_day(cal, d))
			d++;
		return d;
	}
	while (n > 0) {
		d++;
		if (trk_calendar_is_working_day(cal, d))
			n--;
	}
	return d;
}

/* Mondays to Fridays in [epoch-relative day 0 .. d], shifted: a monotone count whose
 * differences give the weekdays in a half-open range (a, b]. */
static int64_t weekdays_upto(trk_date d)
{
	int64_t monday = (int64_t)d - trk_date_weekday(d);   /* start of d's week */
	int64_t weeks = floor_div(monday - 4, 7);            /* 1970-01-05 was a Monday */
	int wd = trk_date_weekday(d);
	return weeks * 5 + (wd < 5 ? wd + 1 : 5);
}

int trk_calendar_working_days_between(const trk_calendar *cal, trk_date from, trk_date to)
{
	if (to < from)
		return -trk_calendar_working_days_between(cal, to, from);
	int64_t count = weekdays_upto(to) - weekdays_upto(from);
	/* less the holidays that fall on a weekday in (from, to] */
	for (size_t i = lower_bound(cal, from + 1); i < cal->n && cal->days[i] <= to; i++)
		if (trk_date_weekday(cal->days[i]) < 5)
			count--;
	return (int)count;
}
