/* schema_v4.c — migration 4 (being written). Never edit a step that has shipped: append a
 * new one. */
#include "db_internal.h"

const char *const db_schema_v4[] = {
	NULL,
};
