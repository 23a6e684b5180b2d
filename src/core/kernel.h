/* The kernel contract shared by every ISA folder.
 *
 * A kernel computes one slice of a validated problem on one thread: it never allocates,
 * never spawns threads and never validates. The slice is a range [begin, end) of "units":
 *   - windowed and adaptive ops, NCHW: planes n*C + c;
 *   - windowed and adaptive ops, NHWC: output rows n*OH + oh;
 *   - global and masked ops (both layouts): (n, c) pairs n*C + c.
 * Pointers in sp_args are the whole tensors; the kernel offsets itself.
 */
#ifndef SP_KERNEL_H
#define SP_KERNEL_H

#include <stddef.h>
#include <stdint.h>

#include "simdpool.h"

typedef struct sp_problem {
    simdpool_op op;
    simdpool_layout layout;
    int64_t n, c, h, w;
    int64_t kh, kw, sh, sw, pt, pb, pl, pr, dh, dw;
    int64_t oh, ow;
    int ceil_mode, count_include_pad;
    int64_t divisor_override;
    float p;
    uint64_t seed;
    int stochastic_mode;
    float fill;
} sp_problem;

typedef struct sp_args {
    const float *in;
    const uint8_t *mask;
    float *out;
    int64_t *idx; /* NULL when indices are not requested */
} sp_args;

typedef void (*sp_kernel_fn)(const sp_problem *p, const sp_args *a, size_t begin, size_t end);
typedef int (*sp_accepts_fn)(const sp_problem *p);

/* Kernel flags. */
#define SP_K_INDICES 1u /* writes argmax indices; without it the kernel is values-only */
/* Serves only plans that write indices: lets a variant keep its indices kernel for a case
 * where another variant is faster values-only (the planner chooses the two separately). */
#define SP_K_INDICES_ONLY 2u

typedef struct sp_kernel {
    simdpool_op op;
    simdpool_layout layout;
    unsigned flags;
    const char *name;      /* what it covers, e.g. "nchw_3x3s2" */
    sp_accepts_fn accepts; /* NULL = any valid problem of (op, layout) */
    sp_kernel_fn fn;
} sp_kernel;

/* A variant's kernel list ends with an entry whose fn is NULL. Within one list the planner
 * takes the first entry that accepts the problem, so specialised kernels come first. */

/* Shape helpers used by the planner and by kernels. */
static inline int64_t sp_units(const sp_problem *p)
{
    switch (p->op) {
    case SIMDPOOL_GLOBAL_MAX: case SIMDPOOL_GLOBAL_AVG: case SIMDPOOL_GLOBAL_SUM:
    case SIMDPOOL_MASKED_MEAN: case SIMDPOOL_MASKED_MAX:
        return p->n * p->c;
    default:
        return p->layout == SIMDPOOL_NCHW ? p->n * p->c : p->n * p->oh;
    }
}

static inline int sp_is_global(simdpool_op op)
{
    return op == SIMDPOOL_GLOBAL_MAX || op == SIMDPOOL_GLOBAL_AVG || op == SIMDPOOL_GLOBAL_SUM;
}
static inline int sp_is_masked(simdpool_op op)
{
    return op == SIMDPOOL_MASKED_MEAN || op == SIMDPOOL_MASKED_MAX;
}
static inline int sp_is_adaptive(simdpool_op op)
{
    return op == SIMDPOOL_ADAPTIVE_AVG || op == SIMDPOOL_ADAPTIVE_MAX;
}
static inline int sp_has_indices(simdpool_op op)
{
    return op == SIMDPOOL_MAX || op == SIMDPOOL_GLOBAL_MAX || op == SIMDPOOL_ADAPTIVE_MAX;
}

/* PyTorch's adaptive window: [floor(i*in/out), ceil((i+1)*in/out)). */
static inline int64_t sp_adaptive_start(int64_t i, int64_t in, int64_t out) { return (i * in) / out; }
static inline int64_t sp_adaptive_end(int64_t i, int64_t in, int64_t out)
{
    return ((i + 1) * in + out - 1) / out;
}

/* The avg divisor, per PyTorch: divisor_override, else rows(hs) * cols(ws), where each factor
 * counts the window's taps inside the padded input (count_include_pad) or inside the input.
 * With dilation the same rule counts taps, not the span. One definition for every variant:
 * kernels precompute row and column factors with these. */
static inline int64_t sp_taps_inside(int64_t start, int64_t k, int64_t d, int64_t lo, int64_t hi)
{
    /* taps start + i*d, 0 <= i < k, with lo <= tap < hi, in closed form */
    int64_t i0 = start >= lo ? 0 : (lo - start + d - 1) / d;
    int64_t i1 = start < hi ? (hi - start + d - 1) / d : 0;
    if (i1 > k) i1 = k;
    return i1 > i0 ? i1 - i0 : 0;
}
static inline int64_t sp_div_rows(const sp_problem *p, int64_t hs)
{
    return p->count_include_pad ? sp_taps_inside(hs, p->kh, p->dh, -p->pt, p->h + p->pb)
                                : sp_taps_inside(hs, p->kh, p->dh, 0, p->h);
}
static inline int64_t sp_div_cols(const sp_problem *p, int64_t ws)
{
    return p->count_include_pad ? sp_taps_inside(ws, p->kw, p->dw, -p->pl, p->w + p->pr)
                                : sp_taps_inside(ws, p->kw, p->dw, 0, p->w);
}
/* The divisor of an avg window starting at (hs, ws) (may be negative). */
static inline int64_t sp_avg_divisor(const sp_problem *p, int64_t hs, int64_t ws)
{
    return p->divisor_override ? p->divisor_override : sp_div_rows(p, hs) * sp_div_cols(p, ws);
}

/* Stochastic pooling's counter-based draw: a uniform float in [0, 1) from (seed, n, c, oh, ow),
 * a chain of splitmix64 finalisers over the keys. The steps are public so that kernels can
 * compute a prefix shared by many outputs (seed, n, c, oh for an NCHW row) once:
 *   sp_draw_float(sp_draw_step(sp_draw_step(sp_draw_step(sp_draw_step(sp_draw_seed(seed), n), c), oh), ow))
 * equals sp_stochastic_uniform(seed, n, c, oh, ow) by definition. */
static inline uint64_t sp_mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}
static inline uint64_t sp_draw_seed(uint64_t seed) { return sp_mix64(seed + UINT64_C(0x9e3779b97f4a7c15)); }
static inline uint64_t sp_draw_step(uint64_t h, int64_t key) { return sp_mix64(h ^ (uint64_t)key); }
static inline float sp_draw_float(uint64_t h) { return (float)(h >> 40) * (1.0f / 16777216.0f); } /* 24 bits */
static inline float sp_stochastic_uniform(uint64_t seed, int64_t n, int64_t c, int64_t oh, int64_t ow)
{
    return sp_draw_float(sp_draw_step(sp_draw_step(sp_draw_step(sp_draw_step(sp_draw_seed(seed), n), c), oh), ow));
}

#endif
