/* Test helpers: guarded buffers, a seeded generator, comparisons. */
#ifndef TU_UTIL_H
#define TU_UTIL_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "simdpool.h"

/* A buffer whose last byte touches a PROT_NONE page, so any read or write past the end
 * faults. off shifts the start by a few bytes (still 4-aligned) to test unaligned use. */
typedef struct tu_buf {
    void *map;
    size_t map_len;
    void *p;
} tu_buf;
void *tu_alloc(tu_buf *b, size_t bytes);
void tu_free(tu_buf *b);

uint64_t tu_rand(uint64_t *s);
double tu_uniform(uint64_t *s);           /* [0, 1) */
int64_t tu_range(uint64_t *s, int64_t lo, int64_t hi); /* [lo, hi] */

/* Bitwise equality, except that any two NaNs are equal. */
int tu_same(float a, float b);

extern int tu_failures;
extern int tu_checks;
#define TU_CHECK(cond, ...)                                                                      \
    do {                                                                                         \
        tu_checks++;                                                                             \
        if (!(cond)) {                                                                           \
            tu_failures++;                                                                       \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                                 \
            fprintf(stderr, __VA_ARGS__);                                                        \
            fputc('\n', stderr);                                                                 \
        }                                                                                        \
    } while (0)
int tu_finish(const char *name);

#endif
