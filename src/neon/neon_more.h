/* Helpers shared by the NEON kernels for lp, stochastic, adaptive and masked pooling (on top
 * of neon.h): a window as ranges of in-bounds input rows and columns, a load for a channel
 * vector that may be partial, and the square root, which like vdivq_f32 is A64-only. */
#ifndef SP_NEON_MORE_H
#define SP_NEON_MORE_H

#include "neon.h"

/* The in-bounds taps of one window: rows y0, y0+dy, .. < y1; columns x0, x0+dx, .. < x1. */
typedef struct sp_nwin {
    int64_t y0, y1, dy, x0, x1, dx;
} sp_nwin;

/* Taps start + k*d (k < K) inside [0, size) as [*lo, *hi) in input coordinates, step d. */
SP_AI void sp_nwin_axis(int64_t start, int64_t K, int64_t d, int64_t size, int64_t *lo, int64_t *hi)
{
    int64_t a = 0, b;
    if (start < 0) a = (-start + d - 1) / d;
    if (a > K) a = K;
    b = size - start <= 0 ? 0 : (size - start + d - 1) / d;
    if (b > K) b = K;
    if (b < a) b = a;
    *lo = start + a * d;
    *hi = start + b * d;
}

/* The windowed ops' window for output (oh, ow): padding and dilation give the ranges. */
SP_AI void sp_nwin_rows(const sp_problem *p, int64_t oh, sp_nwin *w)
{
    w->dy = p->dh;
    sp_nwin_axis(oh * p->sh - p->pt, p->kh, p->dh, p->h, &w->y0, &w->y1);
}
SP_AI void sp_nwin_cols(const sp_problem *p, int64_t ow, sp_nwin *w)
{
    w->dx = p->dw;
    sp_nwin_axis(ow * p->sw - p->pl, p->kw, p->dw, p->w, &w->x0, &w->x1);
}
SP_AI int64_t sp_nwin_taps(const sp_nwin *w)
{
    return ((w->y1 - w->y0) / w->dy) * ((w->x1 - w->x0) / w->dx);
}

/* Four channels, or the first nl < 4 of them one lane at a time (the rest 0). */
SP_AI float32x4_t sp_ld(const float *q, int nl)
{
    return nl >= 4 ? vld1q_f32(q) : sp_load_part(q, nl, 0.0f);
}

/* IEEE square root, lane by lane under SIMDe (which lacks vsqrtq_f32; gcc makes sqrtps). */
SP_AI float32x4_t sp_sqrt(float32x4_t a)
{
#if defined(__aarch64__) && !defined(SP_NEON_SIMDE)
    return vsqrtq_f32(a);
#else
    float x[4];
    vst1q_f32(x, a);
    for (int i = 0; i < 4; i++) x[i] = __builtin_sqrtf(x[i]);
    return vld1q_f32(x);
#endif
}

#endif
