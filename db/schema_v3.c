/* schema_v3.c — migration 3 (being written). Never edit a step that has shipped: append a
 * new one. */
#include "db_internal.h"

const char *const db_schema_v3[] = {
	NULL,
};
