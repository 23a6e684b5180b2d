#include "error.h"

#include <stdarg.h>
#include <stdio.h>

static _Thread_local char last_error[512];

simdpool_status sp_fail(simdpool_status s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_error, sizeof last_error, fmt, ap);
    va_end(ap);
    return s;
}

void sp_clear_error(void) { last_error[0] = '\0'; }

const char *simdpool_last_error(void) { return last_error; }

const char *simdpool_status_string(simdpool_status s)
{
    switch (s) {
    case SIMDPOOL_OK: return "ok";
    case SIMDPOOL_ERR_NULL: return "NULL pointer";
    case SIMDPOOL_ERR_PARAM: return "invalid parameter";
    case SIMDPOOL_ERR_OVERFLOW: return "size overflow";
    case SIMDPOOL_ERR_OVERLAP: return "overlapping buffers";
    case SIMDPOOL_ERR_INPUT: return "invalid input data";
    case SIMDPOOL_ERR_UNSUPPORTED: return "unsupported on this CPU";
    case SIMDPOOL_ERR_NOMEM: return "out of memory";
    case SIMDPOOL_ERR_TUNING: return "bad tuning file";
    }
    return "unknown status";
}
