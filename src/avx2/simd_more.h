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

/* Every output column's in-bounds taps, x0 and count, computed once per kernel call: the
 * adaptive rule and the clip both divide, which per lane would cost more than the gathers. */
enum { SP_COLS_MAX = 512 };
typedef struct sp_cols {
    int ok; /* OW fits the table */
    int32_t x0[SP_COLS_MAX], nc[SP_COLS_MAX];
} sp_cols;

static inline void sp_cols_init(const sp_problem *p, sp_cols *t)
{
    t->ok = p->ow <= SP_COLS_MAX;
    for (int64_t ow = 0; t->ok && ow < p->ow; ow++) {
        sp_win w;
        sp_win_cols(p, ow, &w);
        t->x0[ow] = (int32_t)w.x0;
        t->nc[ow] = (int32_t)(w.x1 > w.x0 ? (w.x1 - w.x0 + w.dx - 1) / w.dx : 0);
    }
}

/* Output elements [e0, e0 + nl) with nl <= 8; e0 = ((n*C + c)*OH + oh)*OW + ow. cols may be
 * NULL (short spans). */
static inline void sp_lanes_init(const sp_problem *p, const float *in, const sp_cols *cols, int64_t e0, int nl,
                                 sp_lanes *l)
{
    int32_t off[8] = {0}, plane[8] = {0}, ncols[8] = {0}, rowstep[8] = {0}, ntaps[8] = {0};
    const int64_t hw = p->h * p->w, ohw = p->oh * p->ow;
    const int64_t dx = sp_is_adaptive(p->op) ? 1 : p->dw;
    int64_t u = e0 / ohw, r = e0 % ohw, oh = r / p->ow, ow = r % p->ow;
    const int64_t u0 = u;
    sp_win w;
    sp_win_rows(p, oh, &w);
    int64_t nrows = w.y1 > w.y0 ? (w.y1 - w.y0 + w.dy - 1) / w.dy : 0;
    l->base = in + u0 * hw;
    l->maxtaps = 0;
    l->nl = nl;
    for (int i = 0; i < nl; i++) {
        int64_t x0, nc;
        if (cols && cols->ok) {
            x0 = cols->x0[ow];
            nc = cols->nc[ow];
        } else {
            sp_win_cols(p, ow, &w);
            x0 = w.x0;
            nc = w.x1 > w.x0 ? (w.x1 - w.x0 + w.dx - 1) / w.dx : 0;
        }
        const int64_t t = nrows * nc;
        if (t) {
            plane[i] = (int32_t)((u - u0) * hw);
            off[i] = (int32_t)(plane[i] + w.y0 * p->w + x0);
            ncols[i] = (int32_t)nc;
            rowstep[i] = (int32_t)(w.dy * p->w - (nc - 1) * dx);
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
            nrows = w.y1 > w.y0 ? (w.y1 - w.y0 + w.dy - 1) / w.dy : 0;
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

/* Stochastic training's pick, replayed per lane: the first tap whose running sum exceeds the
 * target u * sum, else the last positive tap; 0 when the sum is not positive. */
typedef struct sp_pick {
    __m256 run, target, chosen, last, done;
} sp_pick;

SP_INLINE void sp_pick_init(sp_pick *k, __m256 target)
{
    k->run = k->chosen = k->last = k->done = _mm256_setzero_ps();
    k->target = target;
}

/* One tap t in the lanes act (inactive lanes carry t = +0, which leaves run unchanged). */
SP_INLINE void sp_pick_step(sp_pick *k, __m256 t, __m256 act)
{
    k->run = _mm256_add_ps(k->run, t);
    const __m256 open = _mm256_andnot_ps(k->done, act);
    const __m256 hit = _mm256_and_ps(_mm256_cmp_ps(k->run, k->target, _CMP_GT_OQ), open);
    k->chosen = _mm256_blendv_ps(k->chosen, t, hit);
    k->done = _mm256_or_ps(k->done, hit);
    k->last = _mm256_blendv_ps(k->last, t,
                               _mm256_and_ps(_mm256_cmp_ps(t, _mm256_setzero_ps(), _CMP_GT_OQ),
                                             _mm256_andnot_ps(k->done, open)));
}

SP_INLINE __m256 sp_pick_result(const sp_pick *k, __m256 s)
{
    const __m256 r = _mm256_blendv_ps(k->last, k->chosen, k->done);
    return _mm256_and_ps(r, _mm256_cmp_ps(s, _mm256_setzero_ps(), _CMP_GT_OQ));
}

/* NCHW output rows with one window shape and stride 1 or 2 along the row: the "interior"
 * outputs, whose taps all lie inside the row, take tap (y, j) of eight consecutive outputs
 * with one strided load, so a block of eight needs no gather. Outputs outside the interior
 * (padding, ceil-mode overhang) go through the gather lanes above. */
typedef struct sp_rowgeo {
    int64_t kw, sw, dw, pl; /* the window along a row: ws = ow*sw - pl, taps ws + j*dw, j < kw */
    int64_t owL, owR;       /* interior outputs [owL, owR) */
} sp_rowgeo;

/* Whether the op's windows have one shape along rows with stride 1 or 2 (adaptive: when W is
 * a multiple of OW and H of OH, the windows are k x k with stride k); fills g. */
SP_INLINE int sp_rowgeo_init(const sp_problem *p, sp_rowgeo *g)
{
    *g = (sp_rowgeo){0, 0, 0, 0, 0, 0};
    if (sp_is_adaptive(p->op)) {
        if (p->w % p->ow || p->h % p->oh) return 0;
        g->kw = g->sw = p->w / p->ow;
        g->dw = 1;
        g->pl = 0;
    } else {
        g->kw = p->kw;
        g->sw = p->sw;
        g->dw = p->dw;
        g->pl = p->pl;
    }
    if (g->sw != 1 && g->sw != 2) return 0;
    g->owL = (g->pl + g->sw - 1) / g->sw;
    if (g->owL > p->ow) g->owL = p->ow;
    const int64_t span = p->w - 1 + g->pl - (g->kw - 1) * g->dw;
    g->owR = span >= 0 ? span / g->sw + 1 : 0;
    if (g->owR > p->ow) g->owR = p->ow;
    if (g->owR < g->owL) g->owR = g->owL;
    return 1;
}

/* Lanes i < n get x[i*s] (s = 1 or 2); only x[0 .. (n-1)*s] is read. */
SP_INLINE __m256 sp_sload(const float *x, int64_t n, int64_t s)
{
    if (s == 1) return sp_load(x, n);
    const int64_t m = 2 * n - 1; /* elements x[0 .. m) */
    const __m256 a = sp_load(x, m), b = m > 7 ? sp_load(x + 7, m - 7) : _mm256_setzero_ps();
    /* [a0 a2 b1 b3 | a4 a6 b5 b7] = x[0 2 8 10 | 4 6 12 14], then 64-bit pairs 0 2 1 3 */
    const __m256 e = _mm256_shuffle_ps(a, b, 0xD8);
    return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(e), 0xD8));
}

/* Accumulates n (<= 8) interior outputs starting at ow0 of a row whose in-bounds rows are
 * w->y0 .. y1 step dy, in the modes of sp_nhwc_acc plus SP_ACC_PICK (a pick step per tap). */
enum { SP_ACC_PICK = SP_ACC_MAXI + 1 };

SP_INLINE void sp_row_acc(const float *plane, int64_t W, const sp_win *w, const sp_rowgeo *g, int64_t ow0,
                          int64_t n, int mode, __m256 *a0, __m256 *a1, sp_pick *pk)
{
    const int is_max = mode == SP_ACC_MAX || mode == SP_ACC_MAXI;
    const int64_t x0 = ow0 * g->sw - g->pl;
    __m256i pos = _mm256_add_epi32(_mm256_set1_epi32((int)(w->y0 * W + x0)),
                                   _mm256_mullo_epi32(sp_iota(), _mm256_set1_epi32((int)g->sw)));
    *a0 = is_max ? _mm256_set1_ps(-INFINITY) : _mm256_setzero_ps();
    *a1 = mode == SP_ACC_MAXI ? _mm256_castsi256_ps(pos) : _mm256_setzero_ps();
    const __m256 all = _mm256_castsi256_ps(_mm256_set1_epi32(-1));
    for (int64_t y = w->y0; y < w->y1; y += w->dy) {
        const float *r = plane + y * W + x0;
        for (int64_t j = 0; j < g->kw; j++) {
            const __m256 t = sp_sload(r + j * g->dw, n, g->sw);
            switch (mode) {
            case SP_ACC_SUM: *a0 = _mm256_add_ps(*a0, t); break;
            case SP_ACC_SQ: *a0 = _mm256_add_ps(*a0, _mm256_mul_ps(t, t)); break;
            case SP_ACC_SUM_SQ:
                *a0 = _mm256_add_ps(*a0, t);
                *a1 = _mm256_add_ps(*a1, _mm256_mul_ps(t, t));
                break;
            case SP_ACC_MAX: *a0 = sp_maxnan(*a0, t); break;
            case SP_ACC_MAXI: {
                const __m256i at = _mm256_add_epi32(pos, _mm256_set1_epi32((int)((y - w->y0) * W + j * g->dw)));
                const __m256 tk = sp_takes(*a0, t);
                *a0 = _mm256_blendv_ps(*a0, t, tk);
                *a1 = _mm256_blendv_ps(*a1, _mm256_castsi256_ps(at), tk);
                break;
            }
            default: sp_pick_step(pk, t, all);
            }
        }
    }
}

/* sp_row_acc for n (<= 8) outputs whose taps may leave the row (padding, ceil-mode
 * overhang), in the sum-type modes only (SUM, SUM_SQ, PICK): a tap outside [0, W) reads as
 * +0 through a masked load (stride 1) or gather (stride 2), neither of which touches the
 * masked-out addresses, and adds nothing to a sum, a sum of squares or a pick's running sum,
 * as if skipped like the reference does. Only the few edge vectors of a row come here. */
SP_INLINE void sp_row_acc_edge(const float *plane, int64_t W, const sp_win *w, const sp_rowgeo *g, int64_t ow0,
                               int64_t n, int mode, __m256 *a0, __m256 *a1, sp_pick *pk)
{
    const int64_t x0 = ow0 * g->sw - g->pl;
    const __m256i lanes = _mm256_mullo_epi32(sp_iota(), _mm256_set1_epi32((int)g->sw));
    const __m256i live = sp_mask(n), wv = _mm256_set1_epi32((int)W), zero = _mm256_setzero_si256();
    *a0 = *a1 = _mm256_setzero_ps();
    for (int64_t y = w->y0; y < w->y1; y += w->dy) {
        const float *r = plane + y * W;
        for (int64_t j = 0; j < g->kw; j++) {
            const __m256i col = _mm256_add_epi32(_mm256_set1_epi32((int)(x0 + j * g->dw)), lanes);
            const __m256i ok = _mm256_andnot_si256(_mm256_or_si256(_mm256_cmpgt_epi32(zero, col),
                                                                   _mm256_cmpgt_epi32(col, _mm256_sub_epi32(wv, _mm256_set1_epi32(1)))),
                                                   live);
            const __m256 okf = _mm256_castsi256_ps(ok);
            const __m256 t = g->sw == 1 ? _mm256_maskload_ps(r + x0 + j * g->dw, ok)
                                        : _mm256_mask_i32gather_ps(_mm256_setzero_ps(), r, col, okf, 4);
            switch (mode) {
            case SP_ACC_SUM: *a0 = _mm256_add_ps(*a0, t); break;
            case SP_ACC_SUM_SQ:
                *a0 = _mm256_add_ps(*a0, t);
                *a1 = _mm256_add_ps(*a1, _mm256_mul_ps(t, t));
                break;
            default: sp_pick_step(pk, t, okf);
            }
        }
    }
}

/* Adaptive windows for up to SP_AGEO outputs per axis, computed once per kernel call so the
 * window rule's integer divisions stay out of the loops. next[o]: the block of output columns
 * that starts at o ends at next[o] (at most blk outputs, spanning at most span input columns;
 * a single window wider than span is the caller's accepts() to exclude). */
#define SP_AGEO 512
typedef struct sp_ageo {
    int32_t y0[SP_AGEO], y1[SP_AGEO], x0[SP_AGEO], x1[SP_AGEO], next[SP_AGEO];
} sp_ageo;

SP_INLINE void sp_ageo_init(const sp_problem *p, sp_ageo *g, int64_t span, int64_t blk)
{
    for (int64_t o = 0; o < p->oh; o++) {
        g->y0[o] = (int32_t)sp_adaptive_start(o, p->h, p->oh);
        g->y1[o] = (int32_t)sp_adaptive_end(o, p->h, p->oh);
    }
    for (int64_t o = 0; o < p->ow; o++) {
        g->x0[o] = (int32_t)sp_adaptive_start(o, p->w, p->ow);
        g->x1[o] = (int32_t)sp_adaptive_end(o, p->w, p->ow);
    }
    for (int64_t o0 = 0, o1; o0 < p->ow; o0 = o1) {
        for (o1 = o0 + 1; o1 < p->ow && o1 - o0 < blk && g->x1[o1] - g->x0[o0] <= span;) o1++;
        g->next[o0] = (int32_t)o1;
    }
}

/* r[q] lane i <- r[i] lane q. */
SP_INLINE void sp_transpose8(__m256 r[8])
{
    __m256 t[8], u[8];
    for (int i = 0; i < 8; i += 2) {
        t[i] = _mm256_unpacklo_ps(r[i], r[i + 1]);
        t[i + 1] = _mm256_unpackhi_ps(r[i], r[i + 1]);
    }
    for (int i = 0; i < 8; i += 4) {
        u[i] = _mm256_shuffle_ps(t[i], t[i + 2], 0x44);
        u[i + 1] = _mm256_shuffle_ps(t[i], t[i + 2], 0xEE);
        u[i + 2] = _mm256_shuffle_ps(t[i + 1], t[i + 3], 0x44);
        u[i + 3] = _mm256_shuffle_ps(t[i + 1], t[i + 3], 0xEE);
    }
    for (int i = 0; i < 4; i++) {
        r[i] = _mm256_permute2f128_ps(u[i], u[i + 4], 0x20);
        r[i + 4] = _mm256_permute2f128_ps(u[i], u[i + 4], 0x31);
    }
}

/* The gather offsets above are int32 and span eight planes. */
SP_INLINE int sp_lanes_fit(const sp_problem *p) { return p->h * p->w < (INT64_C(1) << 27); }

#endif
