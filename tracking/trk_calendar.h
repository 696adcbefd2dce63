/* trk_calendar.h — dates and working days (Vietnam: Monday to Friday, less public holidays).
 * A date is the number of days since 1970-01-01 in the proleptic Gregorian calendar. */
#ifndef HOSO_TRK_CALENDAR_H
#define HOSO_TRK_CALENDAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hoso.h"

typedef int32_t trk_date;

/* Day number of a civil date; month 1-12, day 1-31 (not range-checked: use trk_date_parse). */
trk_date trk_date_from_ymd(int year, int month, int day);

/* Civil date of a day number. */
void trk_date_to_ymd(trk_date d, int *year, int *month, int *day);

/* Parses strict "YYYY-MM-DD" (a real calendar date); false otherwise. */
bool trk_date_parse(const char *s, trk_date *out);

/* Writes "YYYY-MM-DD" into buf[11]. */
void trk_date_format(trk_date d, char buf[11]);

/* Writes "DD/MM/YYYY" (Vietnamese order, for printed documents) into buf[11]. */
void trk_date_format_vn(trk_date d, char buf[11]);

/* 0 = Monday ... 6 = Sunday. */
int trk_date_weekday(trk_date d);

/* Local date of a UTC time in ms, at a fixed offset east of UTC in minutes (+420 for Vietnam). */
trk_date trk_date_of_ms(int64_t ms, int offset_minutes);

typedef struct trk_calendar trk_calendar;

/* An empty calendar: weekends only. NULL on out of memory. */
trk_calendar *trk_calendar_create(void);

/* Frees it; NULL is accepted. */
void trk_calendar_destroy(trk_calendar *cal);

/* Adds the holidays of a file: one "YYYY-MM-DD name" per line, '#' comments and blank lines
 * allowed. On a bad line err names "path:line" and nothing of the file is added. */
hoso_status trk_calendar_load(trk_calendar *cal, const char *path, hoso_err *err);

/* Adds one holiday. */
hoso_status trk_calendar_add_holiday(trk_calendar *cal, trk_date d, hoso_err *err);

/* True on a weekday that is not a holiday. */
bool trk_calendar_is_working_day(const trk_calendar *cal, trk_date d);

/* The date n working days after d (n >= 0); when n is 0, d itself if it is a working day,
 * otherwise the next working day. */
trk_date trk_calendar_add_working_days(const trk_calendar *cal, trk_date d, int n);

/* Working days strictly after `from` up to and including `to` (negative when to < from). */
int trk_calendar_working_days_between(const trk_calendar *cal, trk_date from, trk_date to);

#endif
