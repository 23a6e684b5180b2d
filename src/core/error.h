#ifndef SP_ERROR_H
#define SP_ERROR_H
#include "simdpool.h"

#if defined(__GNUC__)
#define SP_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define SP_PRINTF(a, b)
#endif

/* Records a message for simdpool_last_error() on this thread and returns s. */
simdpool_status sp_fail(simdpool_status s, const char *fmt, ...) SP_PRINTF(2, 3);
void sp_clear_error(void);

#endif
