/* log.h — leveled logging to stderr with [file:line] prefixes. */
#ifndef HOSO_LOG_H
#define HOSO_LOG_H

enum log_level { LOG_ERROR = 0, LOG_WARN, LOG_INFO, LOG_DEBUG };

/* Sets the most verbose level printed (default LOG_INFO). */
void log_set_level(enum log_level level);

/* Writes one line to stderr; thread-safe. Use the macros below. */
void log_write(enum log_level level, const char *file, int line, int errnum,
               const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#define log_error(...) log_write(LOG_ERROR, __FILE__, __LINE__, 0, __VA_ARGS__)
#define log_warn(...)  log_write(LOG_WARN, __FILE__, __LINE__, 0, __VA_ARGS__)
#define log_info(...)  log_write(LOG_INFO, __FILE__, __LINE__, 0, __VA_ARGS__)
#define log_debug(...) log_write(LOG_DEBUG, __FILE__, __LINE__, 0, __VA_ARGS__)
/* Appends ": strerror(errno)". */
#define log_errno(...) log_write(LOG_ERROR, __FILE__, __LINE__, errno, __VA_ARGS__)

#endif
