/* NCHW windowed max / avg / sum: four output columns per vector.
 *
 * Two plane walkers share the row bodies below:
 *   plane_nchw (2x2s2, generic): per output row, find the tap rows inside the input and the
 *     output columns whose taps all lie inside the row (the "middle": no padding, no bounds
 *     checks) and run the vector body there straight from the input. Edge outputs (padding,
 *     ceil-mode overhang, the last vector of the tensor) run the same body on a small stack
 *     patch holding just the columns it reads, out-of-row columns set to -inf (max) or 0
 *     (sums), so small maps, where edges are a large share, stay vectorised.
 *   ring_cols (3x3s1, 3x3s2): tap rows are shared between output rows, so every input row is
 *     reduced horizontally once into a ring of three row results and each output row combines
 *     its rows (see there).
 * Row bodies differ in how one tap row is reduced for 4 outputs:
 *   2x2s2  one vld2q splits even/odd columns: pair max/sum of the two (ncnn's pooling_2x2);
 *   3x3s2  one vld2q + one vld1q_dup: the third column is the next window's first (vext),
 *          so the shared column is loaded once (ncnn's pooling_3x3 stride 2);
 *   3x3s1  two vld1q, the shifted columns by vext;
 *   generic any kernel / stride / dilation: vld1q, vld2q, vld3q or vld4q de-interleave for
 *          stride 1..4, lane gathers above.
 * Max reduces each tap row left to right, then the rows top to bottom: the result is the
 * reference's row-major sequence regrouped, which sp_take keeps exact (see neon.h); never
 * columns first, which would reorder ties of -0/+0 and NaNs. Sums add the taps of plane_nchw
 * in the reference's order. Loads never run past the input: a vector whose last load would
 * cross the end of the whole tensor goes through the patch (ring: the scalar row rule).
 * -inf padding is exact for max values (it never beats or ties a real tap, NaN included); with
 * indices, a lane whose result is -inf may carry a padding index, so those rare lanes are
 * redone by the scalar rule. */
#include <math.h>

#include "neon.h"

enum { K_MAX, K_MAXI, K_AVG, K_SUM };
enum { S_GENERIC, S_2X2S2, S_3X3S2, S_3X3S1 };

/* The tap rows of one output row that lie inside the input. */
typedef struct rows {
    const float *r; /* first valid tap row */
    int64_t step;   /* floats between consecutive tap rows: dh * w */
    int64_t n;      /* number of valid tap rows */
    int32_t yw;     /* first valid tap row * w (indices) */
    int32_t yw_step;
    int64_t vc; /* vertical taps the avg divisor counts */
} rows;

/* An avg divisor per lane: a multiply when it is a power of two (then exactly the division). */
typedef struct divs {
    float32x4_t d;
    float r;
    int mul;
} divs;


static rows row_setup(const sp_problem *p, const float *plane, int64_t oh)
{
    int64_t hs = oh * p->sh - p->pt, first = hs, n;
    if (p->dh == 1) {
        if (first < 0) first = 0;
        n = sp_taps_inside(hs, p->kh, 1, 0, p->h);
    } else {
        int64_t i = 0;
        while (i < p->kh && hs + i * p->dh < 0) i++;
        first = hs + i * p->dh;
        for (n = 0; i < p->kh && hs + i * p->dh < p->h; i++) n++;
    }
    if (!n) first = 0;
    rows R;
    R.n = n;
    R.r = plane + first * p->w;
    R.step = p->dh * p->w;
    R.yw = (int32_t)(first * p->w);
    R.yw_step = (int32_t)R.step;
    R.vc = p->count_include_pad ? sp_taps_inside(hs, p->kh, p->dh, -p->pt, p->h + p->pb) : n;
    return R;
}

/* One output by the reference rule (edges, and vectors that would read past the tensor). */
static void edge(const sp_problem *p, const float *plane, int64_t oh, int64_t ow, int kind, float *o,
                 int64_t *oi)
{
    int64_t hs = oh * p->sh - p->pt, ws = ow * p->sw - p->pl;
    float m = -INFINITY, s = 0.0f;
    int64_t mi = -1;
    for (int64_t i = 0; i < p->kh; i++) {
        int64_t y = hs + i * p->dh;
        if (y < 0 || y >= p->h) continue;
        for (int64_t j = 0; j < p->kw; j++) {
            int64_t x = ws + j * p->dw;
            if (x < 0 || x >= p->w) continue;
            float t = plane[y * p->w + x];
            s += t;
            if (mi < 0 || t > m || isnan(t)) {
                m = t;
                mi = y * p->w + x;
            }
        }
    }
    if (kind == K_MAX || kind == K_MAXI) {
        *o = m;
        if (oi) *oi = mi;
    } else if (kind == K_SUM) {
        *o = s;
    } else {
        int64_t d = sp_avg_divisor(p, hs, ws);
        *o = d ? s / (float)d : 0.0f;
    }
}

/* Floats the vector body reads from a tap row, counted from the window start ws. */
static int64_t reach(const sp_problem *p, int shape)
{
    switch (shape) {
    case S_2X2S2: return 8;
    case S_3X3S2: return 9;
    case S_3X3S1: return 8;
    default: {
        int64_t last = p->sw <= 4 ? 4 * p->sw : 3 * p->sw + 1;
        return (p->kw - 1) * p->dw + last;
    }
    }
}

/* Max over one tap row for four outputs whose windows start at q (input index ib; indices in
 * *ri when I): the columns left to right. */
SP_AI float32x4_t row_max(const sp_problem *p, const float *q, int32_t ib, const int SHAPE, const int SW,
                          const int I, int32x4_t *ri)
{
    static const int32_t lane[4] = {0, 1, 2, 3};
    int32x4_t i0 = vdupq_n_s32(0);
    if (I) {
        int32_t step = SHAPE == S_3X3S1 ? 1 : SHAPE == S_GENERIC ? (int32_t)p->sw : 2;
        i0 = vaddq_s32(vdupq_n_s32(ib), vmulq_n_s32(vld1q_s32(lane), step));
        *ri = i0;
    }
    switch (SHAPE) {
    case S_2X2S2: {
        float32x4x2_t v = vld2q_f32(q);
        if (!I) return sp_max(v.val[0], v.val[1]);
        return sp_maxi(v.val[0], v.val[1], ri, vaddq_s32(i0, vdupq_n_s32(1)));
    }
    case S_3X3S2: {
        float32x4x2_t v = vld2q_f32(q);
        float32x4_t c2 = vextq_f32(v.val[0], vld1q_dup_f32(q + 8), 1);
        if (!I) return sp_max(sp_max(v.val[0], v.val[1]), c2);
        float32x4_t m = sp_maxi(v.val[0], v.val[1], ri, vaddq_s32(i0, vdupq_n_s32(1)));
        return sp_maxi(m, c2, ri, vaddq_s32(i0, vdupq_n_s32(2)));
    }
    case S_3X3S1: {
        float32x4_t x0 = vld1q_f32(q), x4 = vld1q_f32(q + 4);
        float32x4_t x1 = vextq_f32(x0, x4, 1), x2 = vextq_f32(x0, x4, 2);
        if (!I) return sp_max(sp_max(x0, x1), x2);
        float32x4_t m = sp_maxi(x0, x1, ri, vaddq_s32(i0, vdupq_n_s32(1)));
        return sp_maxi(m, x2, ri, vaddq_s32(i0, vdupq_n_s32(2)));
    }
    default: {
        float32x4_t m = sp_ld_cols(q, SW, p->sw);
        for (int64_t j = 1; j < p->kw; j++) {
            float32x4_t t = sp_ld_cols(q + j * p->dw, SW, p->sw);
            if (I)
                m = sp_maxi(m, t, ri, vaddq_s32(i0, vdupq_n_s32((int32_t)(j * p->dw))));
            else
                m = sp_max(m, t);
        }
        return m;
    }
    }
}

/* s plus one tap row's taps, in the reference's order. */
SP_AI float32x4_t row_sum(const sp_problem *p, float32x4_t s, const float *q, const int SHAPE, const int SW)
{
    switch (SHAPE) {
    case S_2X2S2: {
        float32x4x2_t v = vld2q_f32(q);
        return vaddq_f32(vaddq_f32(s, v.val[0]), v.val[1]);
    }
    case S_3X3S2: {
        float32x4x2_t v = vld2q_f32(q);
        float32x4_t c2 = vextq_f32(v.val[0], vld1q_dup_f32(q + 8), 1);
        return vaddq_f32(vaddq_f32(vaddq_f32(s, v.val[0]), v.val[1]), c2);
    }
    case S_3X3S1: {
        float32x4_t x0 = vld1q_f32(q), x4 = vld1q_f32(q + 4);
        s = vaddq_f32(s, x0);
        s = vaddq_f32(s, vextq_f32(x0, x4, 1));
        return vaddq_f32(s, vextq_f32(x0, x4, 2));
    }
    default:
        for (int64_t j = 0; j < p->kw; j++) s = vaddq_f32(s, sp_ld_cols(q + j * p->dw, SW, p->sw));
        return s;
    }
}

/* n (1..4) outputs of one output row: nr tap rows from q, qstep apart, at input index ib
 * (ibstep apart). */
SP_AI void vec_out(const sp_problem *p, const float *q, int64_t qstep, int64_t nr, int32_t ib, int32_t ibstep,
                   const divs *dv, int n, const int KIND, const int SHAPE, const int SW, float *o,
                   int64_t *oi)
{
    if (KIND == K_MAX || KIND == K_MAXI) {
        const int I = KIND == K_MAXI;
        int32x4_t mi = vdupq_n_s32(0), ri = vdupq_n_s32(0);
        float32x4_t m = row_max(p, q, ib, SHAPE, SW, I, &mi);
        for (int64_t k = 1; k < nr; k++) {
            float32x4_t t = row_max(p, q + k * qstep, ib + (int32_t)k * ibstep, SHAPE, SW, I, &ri);
            m = I ? sp_maxi(m, t, &mi, ri) : sp_max(m, t);
        }
        sp_store_part(o, m, n);
        if (I) sp_store_idx(oi, mi, n);
    } else {
        float32x4_t s = vdupq_n_f32(0.0f);
        for (int64_t k = 0; k < nr; k++) s = row_sum(p, s, q + k * qstep, SHAPE, SW);
        if (KIND == K_AVG) s = dv->mul ? vmulq_n_f32(s, dv->r) : sp_div(s, dv->d);
        sp_store_part(o, s, n);
    }
}

static divs divs_same(int64_t d)
{
    divs v;
    v.d = vdupq_n_f32((float)d);
    v.r = 1.0f / (float)d;
    v.mul = (d & (d - 1)) == 0;
    return v;
}

/* Taps the patch of one tap row may hold: larger windows fall back to the scalar rule. */
#define PATCH_MAX 1024

/* The columns each avg divisor counts for the 4 outputs from ow0. */
static float32x4_t hcount(const sp_problem *p, int64_t ow0)
{
    float c[4];
    int cip = p->count_include_pad;
    for (int k = 0; k < 4; k++)
        c[k] = (float)sp_taps_inside((ow0 + k) * p->sw - p->pl, p->kw, p->dw, cip ? -p->pl : 0,
                                  cip ? p->w + p->pr : p->w);
    return vld1q_f32(c);
}

/* n outputs from ow0 through a patch: the columns [ws0, ws0 + rch) of every valid tap row,
 * those outside the row replaced by the padding value. hc: hcount(p, ow0) (avg only). */
SP_AI void patch_out(const sp_problem *p, const float *plane, const rows *R, int64_t oh, int64_t ow0, int n,
                     int64_t rch, const float32x4_t *hc, const int KIND, const int SHAPE, const int SW,
                     float *o, int64_t *oi)
{
    float patch[PATCH_MAX];
    const int64_t ws0 = ow0 * p->sw - p->pl;
    if (R->n * rch > PATCH_MAX) {
        for (int k = 0; k < n; k++) edge(p, plane, oh, ow0 + k, KIND, o + k, oi ? oi + k : NULL);
        return;
    }
    const float pad = KIND == K_MAX || KIND == K_MAXI ? -INFINITY : 0.0f;
    /* columns [ws0, ws0 + rch) = pad [0, k0), row [k0, k1), pad [k1, rch) */
    int64_t k0 = ws0 < 0 ? -ws0 : 0, k1 = p->w - ws0 < rch ? p->w - ws0 : rch;
    if (k0 > rch) k0 = rch;
    if (k1 < k0) k1 = k0;
    for (int64_t r = 0; r < R->n; r++) {
        const float *row = R->r + r * R->step + ws0;
        float *d = patch + r * rch;
        for (int64_t k = 0; k < k0; k++) d[k] = pad;
        for (int64_t k = k0; k < k1; k++) d[k] = row[k];
        for (int64_t k = k1; k < rch; k++) d[k] = pad;
    }
    divs dv = divs_same(1);
    if (KIND == K_AVG) {
        /* 0 only when no column is inside and padding is not counted; the patch then sums to
         * 0, so dividing by 1 gives the reference's 0 */
        float32x4_t d = p->divisor_override ? vdupq_n_f32((float)p->divisor_override)
                                            : vmulq_n_f32(*hc, (float)R->vc);
        dv.d = vbslq_f32(vceqq_f32(d, vdupq_n_f32(0.0f)), vdupq_n_f32(1.0f), d);
        dv.mul = 0;
    }
    vec_out(p, patch, rch, R->n, R->yw + (int32_t)ws0, R->yw_step, &dv, n, KIND, SHAPE, SW, o, oi);
    if (KIND == K_MAXI)
        for (int k = 0; k < n; k++)
            if (o[k] == -INFINITY) edge(p, plane, oh, ow0 + k, KIND, o + k, oi + k);
}

/* Output columns per ring pass (a multiple of 4): the ring holds 3 input rows of this. */
#define RING_COLS 128

/* Horizontal reduction of one input row for output column ow, padding excluded (the exact
 * scalar rule on one row; used at the edges and at the tensor's end). */
static void hcol(const sp_problem *p, const float *row, int64_t y, int64_t ow, int max, float *hv,
                 int32_t *hi)
{
    int64_t ws = ow * p->sw - p->pl;
    float m = 0.0f, s = 0.0f;
    int32_t mi = -1;
    for (int64_t j = 0; j < 3; j++) {
        int64_t x = ws + j;
        if (x < 0 || x >= p->w) continue;
        float t = row[x];
        s += t;
        if (mi < 0 || t > m || isnan(t)) m = t, mi = (int32_t)(y * p->w + x);
    }
    *hv = max ? m : s;
    *hi = mi;
}

/* 3x3 windows with stride 1 or 2 share tap rows between output rows (3x or 1.5x), so each
 * input row is reduced horizontally once into a ring of 3 row results, and an output row is
 * the vertical reduction of its valid rows' results: about half the work of reducing 3 rows
 * per output row. Edge columns reduce only their in-row taps (scalar, a few per row), so
 * whole output rows, padding included, come out of the same vector pass and no patch is
 * needed. Max stays exact (each row left to right, then the rows in order); sums group as
 * (row0 + row1) + row2 of row sums, within the checker's rounding bound. A 3x3 window always
 * has a tap row and a tap column inside the input (PyTorch's padding and ceil rules).
 * Covers output columns [c0, c1) of every output row of plane u. */
SP_AI void ring_cols(const sp_problem *p, const sp_args *a, size_t u, int64_t c0, int64_t c1, const int KIND,
                     const int SHAPE)
{
    const int MAX = KIND == K_MAX || KIND == K_MAXI, I = KIND == K_MAXI;
    const int64_t hw = p->h * p->w, ohw = p->oh * p->ow, total = p->n * p->c * hw, S = p->sh;
    const float *plane = a->in + (int64_t)u * hw;
    float *out = a->out + (int64_t)u * ohw;
    int64_t *idx = I ? a->idx + (int64_t)u * ohw : NULL;
    const int64_t rch = reach(p, SHAPE), ncol = c1 - c0;
    /* middle columns (all 3 taps inside the row), relative to c0 */
    int64_t lo = (p->pl + p->sw - 1) / p->sw - c0, num = p->w - 1 + p->pl - 2;
    int64_t hi = (num < 0 ? 0 : num / p->sw + 1) - c0;
    float hbuf[3][RING_COLS], hcv[RING_COLS];
    int32_t ibuf[3][I ? RING_COLS : 1];
    if (ncol < 4) /* one partial vector reads lanes past ncol: keep them defined */
        for (int r = 0; r < 3; r++)
            for (int k = 0; k < 4; k++) hbuf[r][k] = 0.0f, ibuf[r][I ? k : 0] = 0;
    if (KIND == K_AVG)
        for (int64_t k = 0; k < ncol; k++) {
            int cip = p->count_include_pad;
            hcv[k] = (float)sp_taps_inside((c0 + k) * p->sw - p->pl, 3, 1, cip ? -p->pl : 0,
                                        cip ? p->w + p->pr : p->w);
        }
    int64_t next = 0; /* the next input row to reduce */
    for (int64_t oh = 0; oh < p->oh; oh++) {
        int64_t hs = oh * S - p->pt, ylo = hs < 0 ? 0 : hs, yhi = hs + 3 < p->h ? hs + 3 : p->h;
        if (next < ylo) next = ylo;
        for (; next < yhi; next++) { /* horizontal: row `next` into slot next % 3 */
            const float *row = plane + next * p->w;
            float *hv = hbuf[next % 3];
            int32_t *hiv = ibuf[I ? next % 3 : 0];
            for (int64_t k = 0; k < ncol;) {
                int64_t ws = (c0 + k) * p->sw - p->pl;
                if (k < lo || k + 4 > hi || k + 4 > ncol || (row - a->in) + ws + rch > total) {
                    int32_t dummy;
                    hcol(p, row, next, c0 + k, MAX, hv + k, I ? hiv + k : &dummy);
                    k++;
                    continue;
                }
                if (MAX) {
                    int32x4_t ri = vdupq_n_s32(0);
                    vst1q_f32(hv + k, row_max(p, row + ws, (int32_t)(next * p->w + ws), SHAPE, 0, I, &ri));
                    if (I) vst1q_s32(hiv + k, ri);
                } else {
                    vst1q_f32(hv + k, row_sum(p, vdupq_n_f32(0.0f), row + ws, SHAPE, 0));
                }
                k += 4;
            }
        }
        /* vertical: the valid rows in order; a last partial vector is moved back to end at ncol */
        float *o = out + oh * p->ow + c0;
        int64_t *oi = I ? idx + oh * p->ow + c0 : NULL;
        float vc = (float)(p->count_include_pad ? sp_taps_inside(hs, 3, 1, -p->pt, p->h + p->pb) : yhi - ylo);
        for (int64_t k0 = 0; k0 < ncol; k0 += 4) {
            int64_t k = k0 + 4 <= ncol || ncol < 4 ? k0 : ncol - 4;
            float32x4_t m = vld1q_f32(hbuf[ylo % 3] + k);
            int32x4_t mi = vdupq_n_s32(0);
            if (I) mi = vld1q_s32(ibuf[ylo % 3] + k);
            for (int64_t y = ylo + 1; y < yhi; y++) {
                float32x4_t t = vld1q_f32(hbuf[y % 3] + k);
                if (I)
                    m = sp_maxi(m, t, &mi, vld1q_s32(ibuf[y % 3] + k));
                else if (MAX)
                    m = sp_max(m, t);
                else
                    m = vaddq_f32(m, t);
            }
            if (KIND == K_AVG) {
                float32x4_t d = p->divisor_override ? vdupq_n_f32((float)p->divisor_override)
                                                    : vmulq_n_f32(vld1q_f32(hcv + k), vc);
                m = sp_div(m, d);
            }
            int n = ncol < 4 ? (int)ncol : 4;
            sp_store_part(o + k, m, n);
            if (I) sp_store_idx(oi + k, mi, n);
        }
    }
}

/* RING: the 3x3 shapes, done whole by ring_cols. */
SP_AI void plane_nchw(const sp_problem *p, const sp_args *a, size_t u, const int KIND, const int SHAPE,
                      const int SW, const int RING)
{
    const int64_t hw = p->h * p->w, ohw = p->oh * p->ow, total = p->n * p->c * hw;
    const float *plane = a->in + (int64_t)u * hw;
    float *out = a->out + (int64_t)u * ohw;
    int64_t *idx = KIND == K_MAXI ? a->idx + (int64_t)u * ohw : NULL;

    /* Middle columns: every tap inside [0, w). */
    int64_t lo = (p->pl + p->sw - 1) / p->sw, num = p->w - 1 + p->pl - (p->kw - 1) * p->dw;
    int64_t hi = num < 0 ? 0 : num / p->sw + 1;
    if (hi > p->ow) hi = p->ow;
    if (lo > hi) lo = hi;
    const int64_t rch = reach(p, SHAPE);
    /* the divisor columns of the usual patch positions, once per plane */
    const int64_t last = p->ow >= 4 ? p->ow - 4 : 0;
    const float32x4_t hc0 = KIND == K_AVG ? hcount(p, 0) : vdupq_n_f32(0.0f);
    const float32x4_t hcl = KIND == K_AVG ? hcount(p, last) : vdupq_n_f32(0.0f);
    float32x4_t hcx;
    if (RING) {
        for (int64_t c0 = 0; c0 < p->ow; c0 += RING_COLS)
            ring_cols(p, a, u, c0, c0 + RING_COLS < p->ow ? c0 + RING_COLS : p->ow, KIND, SHAPE);
        return;
    }

    for (int64_t oh = 0; oh < p->oh; oh++) {
        rows R = row_setup(p, plane, oh);
        float *o = out + oh * p->ow;
        int64_t *oi = idx ? idx + oh * p->ow : NULL;
        if (!R.n) { /* no tap row inside (dilation): the scalar rule's -inf / 0 */
            for (int64_t ow = 0; ow < p->ow; ow++) edge(p, plane, oh, ow, KIND, o + ow, oi ? oi + ow : NULL);
            continue;
        }
        const divs dv = divs_same(p->divisor_override ? p->divisor_override : R.vc * p->kw);
        const int64_t last_row = (R.r - a->in) + (R.n - 1) * R.step;
        /* Left edge, then whole middle vectors, then the rest as one vector ending at the last
         * output: its lanes may redo a few outputs already written, with identical results,
         * so every patch yields up to 4 outputs and no middle vector is partial. */
        int64_t ow = 0;
        for (int n; ow < lo; ow += n) {
            n = p->ow - ow < 4 ? (int)(p->ow - ow) : 4;
            if (KIND == K_AVG) hcx = ow ? hcount(p, ow) : hc0;
            patch_out(p, plane, &R, oh, ow, n, rch, &hcx, KIND, SHAPE, SW, o + ow, oi ? oi + ow : NULL);
        }
        for (; ow + 4 <= hi; ow += 4) {
            int64_t ws = ow * p->sw - p->pl;
            if (last_row + ws + rch > total) {
                if (KIND == K_AVG) hcx = hcount(p, ow);
                patch_out(p, plane, &R, oh, ow, 4, rch, &hcx, KIND, SHAPE, SW, o + ow, oi ? oi + ow : NULL);
            } else
                vec_out(p, R.r + ws, R.step, R.n, R.yw + (int32_t)ws, R.yw_step, &dv, 4, KIND, SHAPE, SW,
                        o + ow, oi ? oi + ow : NULL);
        }
        for (; ow + 4 < p->ow; ow += 4) { /* a right edge wider than one vector */
            if (KIND == K_AVG) hcx = hcount(p, ow);
            patch_out(p, plane, &R, oh, ow, 4, rch, &hcx, KIND, SHAPE, SW, o + ow, oi ? oi + ow : NULL);
        }
        if (ow < p->ow) {
            int64_t st = last, ws = st * p->sw - p->pl;
            int n = (int)(p->ow - st);
            if (st >= lo && p->ow <= hi && last_row + ws + rch <= total)
                vec_out(p, R.r + ws, R.step, R.n, R.yw + (int32_t)ws, R.yw_step, &dv, n, KIND, SHAPE, SW,
                        o + st, oi ? oi + st : NULL);
            else
                patch_out(p, plane, &R, oh, st, n, rch, &hcl, KIND, SHAPE, SW, o + st, oi ? oi + st : NULL);
        }
    }
}

/* Exported kernels: pick the compile-time kind, shape and stride once per slice. */
#define SLICE(KIND, SHAPE, SW)                                                                     \
    for (size_t u = b; u < e; u++)                                                                 \
        plane_nchw(p, a, u, KIND, SHAPE, SW, SHAPE != S_GENERIC && SHAPE != S_2X2S2)

#define SPECIAL(name, SHAPE)                                                                       \
    void SP_NEON_NAME(name##_max)(const sp_problem *p, const sp_args *a, size_t b, size_t e)       \
    {                                                                                              \
        SLICE(K_MAX, SHAPE, 0);                                                                    \
    }                                                                                              \
    void SP_NEON_NAME(name##_maxi)(const sp_problem *p, const sp_args *a, size_t b, size_t e)      \
    {                                                                                              \
        if (a->idx)                                                                                \
            SLICE(K_MAXI, SHAPE, 0);                                                               \
        else                                                                                       \
            SP_NEON_NAME(name##_max)(p, a, b, e);                                                  \
    }                                                                                              \
    void SP_NEON_NAME(name##_avg)(const sp_problem *p, const sp_args *a, size_t b, size_t e)       \
    {                                                                                              \
        if (p->op == SIMDPOOL_SUM)                                                                 \
            SLICE(K_SUM, SHAPE, 0);                                                                \
        else                                                                                       \
            SLICE(K_AVG, SHAPE, 0);                                                                \
    }

SPECIAL(nchw_2x2s2, S_2X2S2)
SPECIAL(nchw_3x3s2, S_3X3S2)
SPECIAL(nchw_3x3s1, S_3X3S1)

#define BY_STRIDE(KIND)                                                                            \
    switch (p->sw) {                                                                               \
    case 1: SLICE(KIND, S_GENERIC, 1); break;                                                      \
    case 2: SLICE(KIND, S_GENERIC, 2); break;                                                      \
    case 3: SLICE(KIND, S_GENERIC, 3); break;                                                      \
    case 4: SLICE(KIND, S_GENERIC, 4); break;                                                      \
    default: SLICE(KIND, S_GENERIC, 0); break;                                                     \
    }

void SP_NEON_NAME(nchw_generic_max)(const sp_problem *p, const sp_args *a, size_t b, size_t e)
{
    BY_STRIDE(K_MAX)
}

void SP_NEON_NAME(nchw_generic_maxi)(const sp_problem *p, const sp_args *a, size_t b, size_t e)
{
    /* without indices, the values-only kernel above (a second copy of its five instances
     * only added compile time) */
    if (!a->idx) {
        SP_NEON_NAME(nchw_generic_max)(p, a, b, e);
    } else {
        BY_STRIDE(K_MAXI)
    }
}

void SP_NEON_NAME(nchw_generic_avg)(const sp_problem *p, const sp_args *a, size_t b, size_t e)
{
    if (p->op == SIMDPOOL_SUM) {
        BY_STRIDE(K_SUM)
    } else {
        BY_STRIDE(K_AVG)
    }
}
