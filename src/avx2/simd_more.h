/* Helpers for the AVX2 lp, stochastic, adaptive and masked kernels (only -mavx2 sources).
 *
 * Two ways to walk windows so that every lane visits its in-bounds taps in the reference's
 * row-major order, which is what makes the sums and the max/argmax/stochastic steps match
 * scalar bit for bit:
 *   - NHWC: all channel lanes of an output pixel share one window; sp_win holds its clipped
 *     tap grid and the kernels load channel vectors tap by tap.
 *   - NCHW: a plane's taps are scattered along a row, so eight consecutive output elements
 *     (possibly of different rows and planes) become the eight lanes, each with its own
 *     window, and every step gathers one tap per lane (sp_lanes). Lanes with fewer taps
 *     are masked off, so nothing outside a window is ever read. */
#ifndef SP_AVX2_SIMD_MORE_H
#define SP_AVX2_SIMD_MORE_H

#include "simd.h"

/* In-bounds taps: y = y0 + i*dy < y1, x = x0 + j*dx < x1 (empty when y0 >= y1 or x0 >= x1). */
typedef struct sp_win {
    int64_t y0, y1, dy, x0, x1, dx;
} sp_win;

/* First tap >= 0 and the end (exclusive) < lim, for taps s + i*d, i < k. */
SP_INLINE void sp_clip(int64_t s, int64_t k, int64_t d, int64_t lim, int64_t *lo, int64_t *hi)
{
    int64_t i0 = s < 0 ? (-s + d - 1) / d : 0;
    int64_t i1 = lim > s ? (d == 1 ? lim - s : (lim - s + d - 1) / d) : 0;
    if (i1 > k) i1 = k;
    if (i1 < i0) i1 = i0;
    *lo = s + i0 * d;
    *hi = s + i1 * d;
}

/* The window of output (oh, ow): adaptive ops use PyTorch's adaptive rule, windowed ops the
 * kernel/stride/padding/dilation clipped to the input. */
SP_INLINE void sp_win_rows(const sp_problem *p, int64_t oh, sp_win *w)
{
    if (sp_is_adaptive(p->op)) {
        w->y0 = sp_adaptive_start(oh, p->h, p->oh);
        w->y1 = sp_adaptive_end(oh, p->h, p->oh);
        w->dy = 1;
    } else {
        sp_clip(oh * p->sh - p->pt, p->kh, p->dh, p->h, &w->y0, &w->y1);
        w->dy = p->dh;
    }
}
SP_INLINE void sp_win_cols(const sp_problem *p, int64_t ow, sp_win *w)
{
    if (sp_is_adaptive(p->op)) {
        w->x0 = sp_adaptive_start(ow, p->w, p->ow);
        w->x1 = sp_adaptive_end(ow, p->w, p->ow);
        w->dx = 1;
    } else {
        sp_clip(ow * p->sw - p->pl, p->kw, p->dw, p->w, &w->x0, &w->x1);
        w->dx = p->dw;
    }
}
SP_INLINE int64_t sp_win_taps(const sp_win *w)
{
    if (w->y0 >= w->y1 || w->x0 >= w->x1) return 0;
    return ((w->y1 - w->y0 + w->dy - 1) / w->dy) * ((w->x1 - w->x0 + w->dx - 1) / w->dx);
}

/* Eight NCHW output elements e0 .. e0+7 (flat output order) as gather lanes. */
typedef struct sp_lanes {
    const float *base; /* the first lane's plane */
    __m256i off;       /* the lane's current tap, from base */
    __m256i plane;     /* the lane's plane, from base (tap index in plane = off - plane) */
    __m256i j, ncols;  /* column counter and in-bounds columns per row */
    __m256i rowstep;   /* added instead of dx after the last column of a row */
    __m256i ntaps;     /* in-bounds taps; 0 for lanes past the slice */
    int64_t maxtaps;
    int nl;            /* real lanes */
    int64_t u[8], oh[8], ow[8]; /* the lanes' plane and output position (stochastic draws) */
} sp_lanes;

/* Output elements [e0, e0 + nl) with nl <= 8; e0 = ((n*C + c)*OH + oh)*OW + ow. */
static inline void sp_lanes_init(const sp_problem *p, const float *in, int64_t e0, int nl, sp_lanes *l)
{
    int32_t off[8] = {0}, plane[8] = {0}, ncols[8] = {0}, rowstep[8] = {0}, ntaps[8] = {0};
    const int64_t hw = p->h * p->w, ohw = p->oh * p->ow;
    int64_t u = e0 / ohw, r = e0 % ohw, oh = r / p->ow, ow = r % p->ow;
    const int64_t u0 = u;
    sp_win w;
    sp_win_rows(p, oh, &w);
    l->base = in + u0 * hw;
    l->maxtaps = 0;
    l->nl = nl;
    for (int i = 0; i < nl; i++) {
        sp_win_cols(p, ow, &w);
        int64_t t = sp_win_taps(&w);
        if (t) {
            int64_t nc = (w.x1 - w.x0 + w.dx - 1) / w.dx;
            plane[i] = (int32_t)((u - u0) * hw);
            off[i] = (int32_t)(plane[i] + w.y0 * p->w + w.x0);
            ncols[i] = (int32_t)nc;
            rowstep[i] = (int32_t)(w.dy * p->w - (nc - 1) * w.dx);
            ntaps[i] = (int32_t)t;
            if (t > l->maxtaps) l->maxtaps = t;
        }
        l->u[i] = u;
        l->oh[i] = oh;
        l->ow[i] = ow;
        if (++ow == p->ow) {
            ow = 0;
            if (++oh == p->oh) {
                oh = 0;
                u++;
            }
            sp_win_rows(p, oh, &w);
        }
    }
    l->off = _mm256_loadu_si256((const __m256i *)off);
    l->plane = _mm256_loadu_si256((const __m256i *)plane);
    l->ncols = _mm256_loadu_si256((const __m256i *)ncols);
    l->rowstep = _mm256_loadu_si256((const __m256i *)rowstep);
    l->ntaps = _mm256_loadu_si256((const __m256i *)ntaps);
    l->j = _mm256_setzero_si256();
}

/* The lanes that still have a tap at step k. */
SP_INLINE __m256 sp_lanes_active(const sp_lanes *l, int64_t k)
{
    return _mm256_castsi256_ps(_mm256_cmpgt_epi32(l->ntaps, _mm256_set1_epi32((int)k)));
}

/* The current tap of the active lanes (0 elsewhere, never read). */
SP_INLINE __m256 sp_lanes_gather(const sp_lanes *l, __m256 active)
{
    return _mm256_mask_i32gather_ps(_mm256_setzero_ps(), l->base, l->off, active, 4);
}

/* Moves every lane to its next tap: dx along a row, rowstep after its last column. */
SP_INLINE void sp_lanes_next(sp_lanes *l, __m256i dx)
{
    l->j = _mm256_add_epi32(l->j, _mm256_set1_epi32(1));
    __m256i wrap = _mm256_cmpeq_epi32(l->j, l->ncols);
    l->off = _mm256_add_epi32(l->off, _mm256_blendv_epi8(dx, l->rowstep, wrap));
    l->j = _mm256_andnot_si256(wrap, l->j);
}

/* Rewinds to the first tap (for a second pass). */
SP_INLINE void sp_lanes_rewind(sp_lanes *l, __m256i off0)
{
    l->off = off0;
    l->j = _mm256_setzero_si256();
}

/* Channel accumulators of one NHWC window, per mode:
 *   SUM: a0 = sum t;  SQ: a0 = sum t*t;  SUM_SQ: a0 = sum t, a1 = sum t*t;
 *   MAX: a0 = the reference's max;  MAXI: also a1 = its tap y*W + x as int32 bits.
 * img is pixel (0, 0) at the first channel; NV vectors, the last with nl lanes. Sums start
 * at +0 and add in row-major order; max starts at -inf with the NaN-sticky step, which takes
 * the first tap whatever its value, so all of them equal the reference's loops. */
enum { SP_ACC_SUM, SP_ACC_SQ, SP_ACC_SUM_SQ, SP_ACC_MAX, SP_ACC_MAXI };

SP_INLINE void sp_nhwc_acc(const float *img, int64_t W, int64_t C, const sp_win *w, int mode, int NV, int64_t nl,
                           __m256 *a0, __m256 *a1)
{
    const int is_max = mode == SP_ACC_MAX || mode == SP_ACC_MAXI;
    for (int v = 0; v < NV; v++) {
        a0[v] = is_max ? _mm256_set1_ps(-INFINITY) : _mm256_setzero_ps();
        a1[v] = mode == SP_ACC_MAXI ? _mm256_castsi256_ps(_mm256_set1_epi32((int)(w->y0 * W + w->x0)))
                                    : _mm256_setzero_ps();
    }
    for (int64_t y = w->y0; y < w->y1; y += w->dy) {
        for (int64_t x = w->x0; x < w->x1; x += w->dx) {
            const float *s = img + (y * W + x) * C;
            const __m256 at = _mm256_castsi256_ps(_mm256_set1_epi32((int)(y * W + x)));
            for (int v = 0; v < NV; v++) {
                const __m256 t = v == NV - 1 ? sp_load(s + 8 * v, nl) : _mm256_loadu_ps(s + 8 * v);
                switch (mode) {
                case SP_ACC_SUM: a0[v] = _mm256_add_ps(a0[v], t); break;
                case SP_ACC_SQ: a0[v] = _mm256_add_ps(a0[v], _mm256_mul_ps(t, t)); break;
                case SP_ACC_SUM_SQ:
                    a0[v] = _mm256_add_ps(a0[v], t);
                    a1[v] = _mm256_add_ps(a1[v], _mm256_mul_ps(t, t));
                    break;
                case SP_ACC_MAX: a0[v] = sp_maxnan(a0[v], t); break;
                default: {
                    const __m256 tk = sp_takes(a0[v], t);
                    a0[v] = _mm256_blendv_ps(a0[v], t, tk);
                    a1[v] = _mm256_blendv_ps(a1[v], at, tk);
                }
                }
            }
        }
    }
}

/* The gather offsets above are int32 and span eight planes. */
SP_INLINE int sp_lanes_fit(const sp_problem *p) { return p->h * p->w < (INT64_C(1) << 27); }

#endif
